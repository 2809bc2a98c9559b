"""--lang: words and numbers of the human outputs in the reader's language; CSV and JSON neutral."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cskpi.cli.app import app
from cskpi.errors import UsageError
from cskpi.report.formatting import human_change, human_n, human_value, language
from cskpi.report.render import render
from tests.report.sample import sample_result


@pytest.mark.parametrize(
    ("lang", "unit", "value", "shown"),
    [
        ("fi", "%", 74.0629, "74,1\xa0%"),
        ("fi", "EUR", 13.03, "13,03\xa0€"),
        ("fi", "count", 3368, "3\xa0368"),
        ("da", "EUR", 44161.02, "44.161,02\xa0€"),
        ("no", "score", 4.133, "4,13"),
        ("nb", "%", 35.714, "35,7\xa0%"),
        ("en", "%", 74.0629, "74.1 %"),
        ("en", "EUR", 13.03, "13.03 EUR"),
    ],
)
def test_values_are_written_the_readers_way(lang, unit, value, shown):
    with language(lang):
        assert human_value(value, unit, "EUR") == shown


def test_changes_and_counts_follow_the_language_too():
    with language("fi"):
        assert human_change(-2.5, "%") == "−2,5 pp"
        assert human_n(3368) == "3\xa0368"
    assert human_n(3368) == "3,368"


def test_an_unknown_language_is_a_usage_error():
    with pytest.raises(UsageError, match="not a language"), language("sv"):
        pass


def test_the_terminal_report_speaks_finnish_and_the_csv_stays_neutral():
    result = sample_result(compare=True, targets=True)
    table = render(result, "table", width=120, lang="fi")
    assert "Asiakastyytyväisyys (CSAT)" in table  # the KPI's label in Finnish, by its id
    assert "Mittari" in table and "Tyytyväisyys" in table
    assert "87,5 %" in table.replace("\xa0", " ")
    assert "saavutettu" in table
    assert render(result, "csv", lang="fi") == render(result, "csv")
    assert render(result, "json", lang="fi") == render(result, "json")


def test_report_takes_lang_from_the_flag_or_the_config(tmp_path):
    from tests.cli.test_report import TICKETS

    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "tickets.csv").write_text(TICKETS)
    run = CliRunner().invoke(app, ["report", str(folder), "--period", "2026-10", "--lang", "nb"])
    assert run.exit_code == 0, run.stderr
    assert "Effektivitet" in run.stdout and "Opprettede saker" in run.stdout
    (folder / "cskpi.toml").write_text('lang = "da"\n')
    run = CliRunner().invoke(app, ["report", str(folder), "--period", "2026-10"])
    assert run.exit_code == 0, run.stderr
    assert "Nøgletal" in run.stdout and "Oprettede sager" in run.stdout
    bad = CliRunner().invoke(app, ["report", str(folder), "--lang", "sv"])
    assert bad.exit_code == 2 and "sv" in bad.stderr
