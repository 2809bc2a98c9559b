from typer.testing import CliRunner

from cskpi.cli.app import app


def test_help_lists_the_commands_and_exit_codes():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Exit codes" in result.output
