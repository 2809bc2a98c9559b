"""The user documentation keeps up with the command line.

docs/cli.md is generated from the commands' declarations; README.md shows every command and only
flags that exist, so a renamed or new option fails here before it reaches a user.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cskpi.cli import reference

ROOT = Path(__file__).resolve().parents[1]
CLI_MD = ROOT / "docs" / "cli.md"
README = ROOT / "README.md"
REGENERATE = "regenerate it with: PYTHONPATH=src python -m cskpi.cli.reference > docs/cli.md"

COMMANDS = reference.command_names()
ALL_OPTIONS = {flag for name in COMMANDS for flag in reference.option_names(name)} | {
    "--version",
    "--help",
}


def test_the_app_registers_the_commands_the_readme_promises():
    # Guards the tests below against passing vacuously on an empty command list.
    assert {"validate", "report", "kpis", "trend"} <= set(COMMANDS)


def test_docs_cli_md_is_exactly_what_the_generator_writes():
    assert CLI_MD.read_text(encoding="utf-8") == reference.reference(), (
        f"docs/cli.md is stale; {REGENERATE}"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_section_in_docs_cli_md(command):
    assert f"## cskpi {command}\n" in CLI_MD.read_text(encoding="utf-8"), REGENERATE


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_of_every_command_is_in_its_docs_cli_md_section(command):
    text = CLI_MD.read_text(encoding="utf-8")
    section = text.split(f"## cskpi {command}\n", 1)[1].split("\n## ", 1)[0]
    missing = [flag for flag in reference.option_names(command) if f"`{flag}`" not in section]
    assert not missing, f"cskpi {command}: {missing} not in docs/cli.md; {REGENERATE}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_shown_running_in_the_readme(command):
    assert re.search(rf"^\$ cskpi {command}\b", README.read_text(encoding="utf-8"), re.M), (
        f"README.md never shows `$ cskpi {command} …`; add a run with its real output"
    )


def test_every_option_the_readme_mentions_exists_on_some_command():
    text = README.read_text(encoding="utf-8")
    # Long flags only; `--` followed by a letter, so markdown rules and en-dashes are ignored.
    mentioned = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", text))
    unknown = sorted(mentioned - ALL_OPTIONS)
    assert not unknown, f"README.md mentions options no command has: {unknown}"


def test_the_readme_option_check_would_catch_a_renamed_flag():
    assert "--fail-on-miss" in ALL_OPTIONS
    assert "--fail-on-misses" not in ALL_OPTIONS


def test_reference_lists_flags_of_a_command_including_short_forms():
    flags = reference.option_names("report")
    assert {"--period", "--by", "--format", "-f", "--output", "-o", "--fail-on-miss"} <= set(flags)


def _readme_output_of(command: str) -> list[str]:
    """The lines pasted under `$ <command>` in the README, up to the end of its code block."""
    text = README.read_text(encoding="utf-8")
    assert f"$ {command}\n" in text, f"README.md no longer shows `$ {command}`"
    block = text.split(f"$ {command}\n", 1)[1].split("\n```", 1)[0]
    return block.split("\n")


def _run(args: list[str]) -> str:
    from typer.testing import CliRunner

    result = CliRunner().invoke(reference.app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_readme_kpi_catalogue_lines_are_what_cskpi_kpis_prints():
    pasted = _readme_output_of("cskpi kpis | head -5")
    assert _run(["kpis"]).split("\n")[:5] == pasted


def test_the_readme_tidy_csv_lines_are_what_the_example_data_gives():
    # The numbers an analyst would check first; a changed definition shows up here.
    pasted = _readme_output_of(
        "cskpi report examples/data --period 2026-10 --format csv | head -15"
    )
    examples = str(ROOT / "examples" / "data")
    output = _run(["report", examples, "--period", "2026-10", "--format", "csv", "--quiet"])
    assert output.split("\n")[:15] == pasted, "re-run the command and paste its output"
