"""Checks on columns that arrive already typed (canonical CSV and Parquet fast paths)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from cskpi.io import canonical
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset


def test_excel_mangled_ids_in_a_parquet_file_are_counted_and_warned(tmp_path):
    pq.write_table(
        pa.table(
            {
                "ticket_id": ["1", "2", "3"],
                "created_at": pa.array([0, 1, 2], pa.timestamp("s", tz="UTC")),
                # one mangled id; "9E+" alone is not one (no digits after the sign)
                "customer_id": ["1.03006E+13", "C-7", "9E+"],
            }
        ),
        tmp_path / "tickets.parquet",
    )
    (report,) = load_dataset(InputSpec(data_dir=tmp_path)).files
    assert report.format == "parquet"
    assert any("1 IDs were turned into scientific notation" in w for w in report.warnings)


def test_ids_without_a_plus_sign_are_never_counted_as_scientific():
    assert canonical._scientific_count(pd.Series(["1E13", "C1", None], dtype="str")) == 0
    assert canonical._scientific_count(pd.Series(["2E+5", "1.5E+13"], dtype=object)) == 2


def test_mangled_ids_in_a_label_column_are_counted_once_per_row():
    labels = pd.Series(
        pd.Categorical(["1.03006E+13", "A1", None, "1.03006E+13", "2E+5", "A1"]), dtype="category"
    )
    assert canonical._scientific_count(labels) == 3
    assert canonical._scientific_count(pd.Series(pd.Categorical(["A1", None, "B2"]))) == 0


def test_survey_scale_bounds_are_each_answers_survey_scale_and_nan_when_unknown():
    # csat is 1–5 and nps 0–10 (schema.SURVEY_SCALES); "pulse" and a missing name are unknown.
    low, high = canonical._scale_bounds(pd.Series(["nps", "csat", "pulse", None, "csat"]))
    assert low.tolist()[:2] == [0.0, 1.0] and high.tolist()[:2] == [10.0, 5.0]
    assert np.isnan(low[2]) and np.isnan(high[3])
    assert low[4] == 1.0 and high[4] == 5.0


def test_a_canonical_csv_value_with_an_edge_tab_is_trimmed_like_the_careful_path(tmp_path):
    (tmp_path / "tickets.csv").write_text(
        "ticket_id,created_at,agent_id\n1,2026-10-01 08:00:00,A1\t\n2,2026-10-01 09:00:00, \n"
    )
    frame = load_dataset(InputSpec(data_dir=tmp_path)).tables["tickets"]
    assert frame["agent_id"].iloc[0] == "A1"
    assert pd.isna(frame["agent_id"].iloc[1])


def _repeats_by_set(ids: list[str | None]) -> bool:
    present = [i for i in ids if i is not None]
    return len(set(present)) < len(present)


def test_repeat_tests_agree_with_plain_text_comparison_on_hand_cases():
    cases = [
        ["CL1", "CL2", "CL1"],  # repeat after a shared prefix
        ["CL1", "CL01"],  # equal as integers, different texts: no repeat
        ["CL01", "CL1", "CL01"],
        ["3", "1", "3"],
        ["3", "1", "2"],
        ["-1", "1"],
        ["X1", "Y1", "X1"],  # no shared prefix
        ["é1", "é2", "é1"],
        ["CL", "CL"],
        ["CL1", None, "CL1"],
        [None, None],
    ]
    for ids in cases:
        assert canonical._has_repeats(pd.Series(ids, dtype="str")) == _repeats_by_set(ids), ids


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.from_regex(r"(CL|C|-)?0?[0-9]{1,3}", fullmatch=True),
            st.text(alphabet="CL01é-", max_size=4),
        ),
        max_size=30,
    )
)
def test_repeat_tests_agree_with_plain_text_comparison(ids):
    assert canonical._has_repeats(pd.Series(ids, dtype="str")) == _repeats_by_set(ids)


def test_parquet_texts_with_unicode_edge_spaces_are_trimmed_like_the_careful_path(tmp_path):
    # U+00A0 (no-break) ends one value, U+3000 (ideographic space) starts another, "é" ends a
    # tidy one: only the first two change.
    pq.write_table(
        pa.table(
            {
                "ticket_id": ["1", "2", "3"],
                "created_at": pa.array([0, 1, 2], pa.timestamp("s", tz="UTC")),
                "agent_id": ["A1\u00a0", "\u3000A2", "Aé"],
            }
        ),
        tmp_path / "tickets.parquet",
    )
    frame = load_dataset(InputSpec(data_dir=tmp_path)).tables["tickets"]
    assert frame["agent_id"].tolist() == ["A1", "A2", "Aé"]


def test_survey_names_are_casefolded_only_when_that_changes_them():
    assert canonical._casefold_changes_nothing(pd.Series(["csat", None, "nps"], dtype="str"))
    assert not canonical._casefold_changes_nothing(pd.Series(["CSAT", "nps"], dtype="str"))
    assert not canonical._casefold_changes_nothing(pd.Series(["straße"], dtype="str"))


def test_upper_case_survey_names_still_find_their_scale(tmp_path):
    (tmp_path / "surveys.csv").write_text(
        "response_id,submitted_at,survey,score\n"
        "R1,2026-10-01 08:00:00,CSAT,5\nR2,2026-10-01 09:00:00,csat,6\n"
    )
    dataset = load_dataset(InputSpec(data_dir=tmp_path))
    assert dataset.tables["surveys"]["survey"].tolist() == ["csat"]
    assert dataset.rejects["reason"].tolist() == ["score_out_of_scale"]


def test_a_fractional_score_is_rejected_but_a_whole_number_written_as_a_decimal_is_kept(tmp_path):
    (tmp_path / "surveys.csv").write_text(
        "response_id;submitted_at;survey;score\n"
        "R1;2026-10-01 08:00:00;nps;7,5\n"
        "R2;2026-10-01 09:00:00;nps;9,0\n"
        "R3;2026-10-01 10:00:00;csat;4\n"
        "R4;2026-10-01 11:00:00;csat;3,25\n"
        "R5;2026-10-01 12:00:00;csat;5,5\n"
    )
    dataset = load_dataset(InputSpec(data_dir=tmp_path))
    assert dataset.tables["surveys"]["response_id"].tolist() == ["R2", "R3"]
    assert dataset.tables["surveys"]["score"].tolist() == [9.0, 4.0]
    rejects = dataset.rejects
    assert rejects["line"].tolist() == [2, 5, 6]
    assert rejects["reason"].tolist() == ["not_an_integer", "not_an_integer", "score_out_of_scale"]
    assert rejects["detail"].tolist()[:2] == [
        "score 7.5: answers on nps's scale are whole numbers",
        "score 3.25: answers on csat's scale are whole numbers",
    ]
    (report,) = dataset.files
    assert report.rejects_by_reason == {"not_an_integer": 2, "score_out_of_scale": 1}


def test_a_parquet_survey_file_of_fractional_scores_leaves_the_surveys_not_available(tmp_path):
    pq.write_table(
        pa.table(
            {
                "response_id": ["R1", "R2"],
                "submitted_at": pa.array([0, 3600], pa.timestamp("s", tz="UTC")),
                "survey": ["csat", "csat"],
                "score": [4.5, 2.5],
            }
        ),
        tmp_path / "surveys.parquet",
    )
    dataset = load_dataset(InputSpec(data_dir=tmp_path))
    assert "surveys" not in dataset.tables
    assert dataset.unusable == {
        "surveys": f"every row of {tmp_path / 'surveys.parquet'} was rejected: 2 not_an_integer"
    }
