"""The HTML report opens in a real headless Chromium without console errors and draws its charts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cskpi.report.html_report import render_html
from tests.report.sample import sample_result

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]


def chromium(tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    path = folder / "report.html"
    result = sample_result(compare=True, targets=True, charts=True)
    result.charts["kpi_trends"] = {"csat": [80.0, 87.5]}
    result.periods = ["2026-09", "2026-10"]
    path.write_text(render_html(result), encoding="utf-8")
    return path


def test_the_dom_has_every_chart_and_no_console_errors(page, tmp_path):
    run = chromium(tmp_path, page, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert dom.count("<svg") == 6  # volume, 2 histograms, NPS, heat map, one trend
    assert dom.count("<rect") > 168  # the heat map alone has 7 × 24 cells
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    assert "Content Security Policy" not in run.stderr


def test_the_screenshot_is_not_blank(page, tmp_path):
    shot, blank_shot = tmp_path / "report.png", tmp_path / "blank.png"
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><title>blank</title>")
    run = chromium(tmp_path, page, f"--screenshot={shot}")
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    chromium(tmp_path, blank, f"--screenshot={blank_shot}")
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 1280 and int.from_bytes(png[20:24], "big") == 2000
    # A white page compresses to a few kilobytes; charts, text and tables do not.
    assert len(png) > 10 * len(blank_shot.read_bytes())


def test_the_kpi_cards_show_target_status_and_the_change_with_its_significance(page, tmp_path):
    import re

    run = chromium(tmp_path, page, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    cards = dict(
        re.findall(r'<div class="card[^"]*" data-kpi="([a-z_]+)">(.*?)</div></div>', run.stdout)
    )
    assert "target &gt;= 85: met" in cards["csat"]
    assert "−2.5 pp vs previous" in cards["csat"]
    # nps: +12.9 against the previous period, significant (p = 0.012)
    assert '+12.9 vs previous · <span class="sig">significant</span>' in cards["nps"]
    assert "+104 vs previous · not tested" in cards["tickets_created"]


def test_the_agents_section_opens_in_finnish_without_console_errors(tmp_path):
    from cskpi.report.render import render
    from tests.report.test_people_outputs import with_agents

    path = tmp_path / "agents.html"
    path.write_text(render(with_agents(), "html", lang="fi"), encoding="utf-8")
    run = chromium(tmp_path, path, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    assert '<html lang="fi">' in run.stdout
    assert "<h2>Agentit · 2026-10</h2>" in run.stdout
    assert '<table class="heat">' in run.stdout
    assert "90&nbsp;%" in run.stdout or "90\u00a0%" in run.stdout
    assert [line for line in run.stderr.splitlines() if "CONSOLE" in line] == []
