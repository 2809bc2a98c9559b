import os

import pandas as pd
import pytest

from cskpi.errors import InputFileError
from cskpi.io.redact import hash_ids, redact_tables
from cskpi.report.output import write_atomic

SALT = b"0123456789abcdef"


def test_redaction_hashes_customer_ids_consistently_and_drops_comments():
    tables = {
        "surveys": pd.DataFrame(
            {
                "customer_id": pd.Series(["C1", None, "C1", "C2"], dtype="str"),
                "comment": ["hi", "x", "y", "z"],
            }
        ),
        "revenue": pd.DataFrame({"customer_id": pd.Series(["C1"], dtype="str")}),
    }
    out = redact_tables(tables, SALT)
    ids = out["surveys"]["customer_id"]
    assert "comment" not in out["surveys"].columns
    assert ids[0] == ids[2] == out["revenue"]["customer_id"][0] != ids[3]
    assert pd.isna(ids[1]) and ids[0].startswith("c") and len(ids[0]) == 17
    assert "C1" not in set(ids.dropna())
    assert tables["surveys"]["customer_id"][0] == "C1"  # inputs untouched


def test_another_salt_gives_other_hashes():
    ids = pd.Series(["C1"], dtype="str")
    assert hash_ids(ids, SALT)[0] != hash_ids(ids, b"fedcba9876543210")[0]


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old")
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert os.listdir(tmp_path) == ["report.csv"]


def test_writing_into_a_missing_folder_is_a_user_error(tmp_path):
    with pytest.raises(InputFileError, match="folder does not exist"):
        write_atomic(tmp_path / "nope" / "r.csv", "x")
