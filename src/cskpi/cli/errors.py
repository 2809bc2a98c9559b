"""Turn library exceptions into a message on stderr and the documented exit code."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import typer

from cskpi.errors import CskpiError


@contextlib.contextmanager
def user_errors(debug: bool = False) -> Iterator[None]:
    """Run a command body; a CskpiError becomes 'error: …' on stderr and exit 2.

    Tracebacks appear only with --debug, and never with local variables (they hold customer data).
    """
    try:
        yield
    except CskpiError as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise typer.Exit(130) from None
