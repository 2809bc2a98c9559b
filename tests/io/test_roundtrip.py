"""A canonical table written in any supported dialect reads back identical."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs")),
    min_size=1,
    max_size=8,
)
rows = st.lists(
    st.tuples(texts, st.integers(0, 10**9), st.one_of(st.none(), st.integers(0, 50)), texts),
    min_size=1,
    max_size=20,
    unique_by=lambda r: r[0],
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=rows,
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    crlf=st.booleans(),
)
def test_a_table_written_in_any_dialect_reads_back_identical(
    tmp_path, rows, delimiter, encoding, crlf
):
    frame = pd.DataFrame(
        {
            "ticket_id": [r[0] for r in rows],
            "created_at": pd.to_datetime([1_600_000_000 + r[1] for r in rows], unit="s", utc=True),
            "agent_replies": [float("nan") if r[2] is None else float(r[2]) for r in rows],
            "team": [r[3] for r in rows],
            "first_response_business_minutes": [round(r[1] / 7, 2) for r in rows],
        }
    )
    out = frame.assign(created_at=frame["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    path = tmp_path / "tickets.csv"
    out.to_csv(
        path,
        sep=delimiter,
        index=False,
        encoding=encoding,
        lineterminator="\r\n" if crlf else "\n",
        decimal="," if delimiter == ";" else ".",
    )
    loaded = load_dataset(InputSpec(files={"tickets": [path]})).tables["tickets"]
    got = loaded[list(frame.columns)]
    pd.testing.assert_frame_equal(got, frame.astype(got.dtypes))
