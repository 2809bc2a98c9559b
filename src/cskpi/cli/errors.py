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
    except RecursionError:
        if debug:
            raise
        print(
            "error: an input nests deeper than cskpi reads (JSON, TOML or a map with thousands of "
            "levels). Flatten it or export it again",
            file=sys.stderr,
        )
        raise typer.Exit(2) from None
    except MemoryError:
        if debug:
            raise
        print(
            "error: the input does not fit in memory. Give a shorter period, fewer files or "
            "--engine partitioned",
            file=sys.stderr,
        )
        raise typer.Exit(2) from None
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - the last guard: a bug must not print customer data
        if debug:
            raise
        print(
            f"error: internal error ({type(exc).__name__}) while reading or computing; the input "
            "has something cskpi does not handle yet. Rerun with --debug and report the traceback",
            file=sys.stderr,
        )
        raise typer.Exit(2) from None


def terminate_as_interrupt() -> None:
    """Make SIGTERM (a cron timeout, `kill`) unwind like Ctrl-C, so temporary files are removed."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError, AttributeError):  # not the main thread / no SIGTERM
        signal.signal(signal.SIGTERM, interrupt)
