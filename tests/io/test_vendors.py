"""Built-in vendor maps: each fixture export is recognised from its headers and loads as expected.

The fixtures in tests/fixtures/vendors/ use each vendor's real header spellings and value formats;
`<name>.expected.json` beside each holds counts and canonical values worked out by hand.
"""

from __future__ import annotations

import csv
import importlib
import json
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from cskpi.io.inputs import InputSpec
from cskpi.io.schema import TABLES

VENDORS_DIR = Path(__file__).resolve().parents[2] / "src" / "cskpi" / "io" / "vendors"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vendors"
OWN_MAPS = sorted(p for p in VENDORS_DIR.glob("*.toml") if p.stem not in {"zendesk", "servicenow"})
EXPECTED = sorted(FIXTURES.glob("*.expected.json"))
TZ_SUFFIX = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*$")


def normalise(header: str) -> str:
    """Header as detection compares it: no BOM, no time-zone suffix, any case and spacing."""
    return re.sub(r"\s+", "", TZ_SUFFIX.sub("", header.lstrip("\ufeff"))).casefold()


def fixture_path(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    (path,) = [p for p in FIXTURES.glob(stem + ".*") if not p.name.endswith(".expected.json")]
    return path


def load_map(name: str) -> dict:
    return tomllib.loads((VENDORS_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def flatten(record: dict, prefix: str = "") -> dict:
    out: dict = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def json_records(path: Path, records_key: str | None) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for part in (records_key or "").split("."):
        if part:
            data = data[part]
    return [flatten(r) for r in data]


def source_headers(path: Path, vendor_map: dict) -> list[str]:
    if path.suffix == ".json":
        return list(json_records(path, vendor_map.get("records"))[0])
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def source_names(option: object) -> list[str]:
    """The source headers one [columns] entry reads (base = canonical names are not headers)."""
    if isinstance(option, str):
        return [option]
    assert isinstance(option, dict)
    names: list[str] = []
    for key in ("from", "first_of", "plus", "date", "time", "when", "unless"):
        value = option.get(key)
        names += value if isinstance(value, list) else [value] if value else []
    return names


# --- the maps themselves (no loader needed) -------------------------------------------------

@pytest.mark.parametrize("path", OWN_MAPS, ids=lambda p: p.stem)
def test_each_map_is_named_after_its_file_and_fills_a_known_table(path: Path) -> None:
    vendor_map = tomllib.loads(path.read_text(encoding="utf-8"))
    assert vendor_map["name"] == path.stem
    assert vendor_map["table"] in TABLES
    assert vendor_map["detect"], "a map without detect headers can only be forced"


@pytest.mark.parametrize("path", OWN_MAPS, ids=lambda p: p.stem)
def test_each_map_reaches_every_required_column_of_its_table(path: Path) -> None:
    vendor_map = tomllib.loads(path.read_text(encoding="utf-8"))
    reachable = set(vendor_map.get("columns", {})) | set(vendor_map.get("constants", {}))
    if vendor_map.get("melt"):
        reachable |= {"survey", "question", "score"}
    missing = set(TABLES[vendor_map["table"]].required) - reachable
    assert not missing


@pytest.mark.parametrize("path", OWN_MAPS, ids=lambda p: p.stem)
def test_each_map_maps_only_canonical_columns(path: Path) -> None:
    vendor_map = tomllib.loads(path.read_text(encoding="utf-8"))
    table = TABLES[vendor_map["table"]]
    assert set(vendor_map.get("columns", {})) <= set(table.names)


def test_every_own_map_has_a_fixture_with_expected_values() -> None:
    with_fixture = {json.loads(p.read_text())["vendor"] for p in EXPECTED}
    assert {p.stem for p in OWN_MAPS} <= with_fixture


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_fixture_headers_hold_every_header_its_map_reads(expected: Path) -> None:
    vendor = json.loads(expected.read_text())["vendor"]
    vendor_map = load_map(vendor)
    headers = {normalise(h) for h in source_headers(fixture_path(expected), vendor_map)}
    read = [n for option in vendor_map["columns"].values() for n in source_names(option)]
    read += vendor_map["detect"]
    assert {normalise(n) for n in read} <= headers


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_fixture_headers_match_exactly_one_map(expected: Path) -> None:
    vendor = json.loads(expected.read_text())["vendor"]
    headers = {normalise(h) for h in source_headers(fixture_path(expected), load_map(vendor))}
    matching = []
    for path in VENDORS_DIR.glob("*.toml"):
        other = tomllib.loads(path.read_text(encoding="utf-8"))
        if other.get("records") and fixture_path(expected).suffix == ".json":
            try:
                headers_other = {
                    normalise(h) for h in source_headers(fixture_path(expected), other)
                }
            except (KeyError, TypeError):
                continue
        else:
            headers_other = headers
        if {normalise(h) for h in other["detect"]} <= headers_other:
            matching.append(other["name"])
    assert matching == [vendor]


# --- loading through cskpi.io.load ------------------------------------------------------------

def loader():
    try:
        return importlib.import_module("cskpi.io.load").load_dataset
    except (ImportError, AttributeError):
        pytest.skip("cskpi.io.load.load_dataset is not available yet")


def load(path: Path, table: str, vendor: str | None = None):
    return loader()(InputSpec(files={table: [path]}, vendor=vendor))


def canonical(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def select(frame: pd.DataFrame, table: str, key: object) -> pd.Series:
    where = key if isinstance(key, dict) else {TABLES[table].key: key}
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, f"{where} matches {len(rows)} rows"
    return rows.iloc[0]


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_each_fixture_is_detected_from_its_headers_and_loads_as_worked_out(expected: Path) -> None:
    want = json.loads(expected.read_text())
    dataset = load(fixture_path(expected), want["table"])
    (report,) = dataset.files
    assert report.vendor == want["vendor"]
    assert (report.rows_used, report.rows_rejected) == (want["rows_used"], want["rows_rejected"])
    frame = dataset.tables[want["table"]]
    assert len(frame) == want["rows_used"]
    for check in want["checks"]:
        row = select(frame, want["table"], check["key"])
        if "wait_seconds" in check:
            end = row["answered_at"] if pd.notna(row["answered_at"]) else row["ended_at"]
            assert (end - row["queued_at"]).total_seconds() == check["wait_seconds"]
        else:
            assert canonical(row[check["column"]]) == check["equals"], check
    for where in want.get("absent", []):
        mask = pd.Series(True, index=frame.index)
        for column, value in where.items():
            mask &= frame[column] == value
        assert not mask.any(), f"{where} should have no answer (blank cell)"


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_forcing_the_vendor_loads_the_same_rows(expected: Path) -> None:
    want = json.loads(expected.read_text())
    dataset = load(fixture_path(expected), want["table"], vendor=want["vendor"])
    assert dataset.files[0].vendor == want["vendor"]
    assert len(dataset.tables[want["table"]]) == want["rows_used"]


def test_headers_in_other_case_spacing_bom_and_tz_suffix_still_detect(tmp_path: Path) -> None:
    # Freshdesk header row rewritten the way spreadsheets and exports in other locales mangle it:
    # "Ticket ID" -> " TICKET id", "Created time" -> "Created Time (UTC)", and a UTF-8 BOM.
    lines = (FIXTURES / "freshdesk.csv").read_text(encoding="utf-8").splitlines()
    header = (
        lines[0]
        .replace("Ticket ID", " TICKET id")
        .replace("Created time", "Created Time (UTC)")
        .replace("Resolved time", "resolved  time [Europe/Helsinki]")
    )
    variant = tmp_path / "tickets.csv"
    variant.write_text("\ufeff" + "\n".join([header, *lines[1:]]) + "\n", encoding="utf-8")
    dataset = load(variant, "tickets")
    assert dataset.files[0].vendor == "freshdesk"
    assert len(dataset.tables["tickets"]) == 5
