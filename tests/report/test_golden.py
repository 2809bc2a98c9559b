"""Every renderer's output for the hand-made result matches its reviewed golden file."""

from __future__ import annotations

import pytest

from tests.report.golden_files import GOLDEN, outputs

OUTPUTS = outputs()


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_renderer_output_matches_its_golden_file(name):
    expected = (GOLDEN / name).read_bytes().decode("utf-8")
    assert OUTPUTS[name] == expected, (
        f"{name} changed; if intended, run `python -m tests.report.golden_files` "
        "and review the diff"
    )


def test_every_golden_file_is_still_produced():
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(OUTPUTS)
