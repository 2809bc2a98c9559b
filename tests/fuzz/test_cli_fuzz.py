"""Every corpus case: no traceback, an allowed exit code, inputs untouched, no live formula,
every row counted, and each class's own promise (see corpus.py)."""

from __future__ import annotations

import collections
import os
import sys

import pytest

from tests.fuzz.corpus import cases
from tests.fuzz.harness import run_case

CASES = cases()


def test_the_corpus_covers_every_class_with_enough_cases():
    counts = collections.Counter(case.klass for case in CASES)
    assert set(counts) == {
        "data_loss",
        "silent_zero",
        "traceback",
        "hang",
        "exit_code",
        "injection",
    }
    assert sum(counts.values()) >= 700, counts
    assert len({case.id for case in CASES}) == len(CASES)  # ids name one case each


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_gives_a_message_and_exit_code_never_a_traceback_or_a_lost_file(
    case, tmp_path, monkeypatch
):
    if "needs_permissions" in case.tags and os.geteuid() == 0:
        pytest.skip("root reads any folder, so an unreadable one cannot be made")
    if "no_dask" in case.tags:
        loaded = [m for m in sys.modules if m == "dask" or m.startswith(("dask.", "distributed"))]
        for name in loaded:
            monkeypatch.delitem(sys.modules, name)
        monkeypatch.setitem(sys.modules, "dask", None)
        monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.setenv("COLUMNS", "120")
    run_case(case, tmp_path)
