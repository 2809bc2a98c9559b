"""Write the CLI reference (docs/cli.md) from the same declarations that `--help` shows.

    python -m cskpi.cli.reference > docs/cli.md

Built from the parameter objects behind the Typer app rather than from captured `--help` screens, so
the page does not depend on the terminal width and every option appears exactly once.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import typer

from cskpi.cli.app import app

HEADER = (
    "# cskpi command reference\n\n"
    "Generated from the commands' `--help` by `python -m cskpi.cli.reference > docs/cli.md`; "
    "do not edit by hand.\n"
)


def root_command() -> Any:
    """The command group Typer builds for the app: the single source of names, options and help."""
    return typer.main.get_command(app)


def _is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "option"


def _is_argument(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "argument"


def command_names() -> list[str]:
    """Every command registered on the app, in the order `cskpi --help` lists them."""
    return list(root_command().commands)


def option_names(name: str) -> list[str]:
    """Every long and short flag of one command, e.g. ['--period', '--format', '-f', …]."""
    command = root_command().commands[name]
    return [
        flag
        for param in command.params
        if _is_option(param)
        for flag in (*param.opts, *param.secondary_opts)
    ]


def _plain(text: str | None) -> str:
    """Help text without Rich markup escapes or hard line breaks, safe in a Markdown table."""
    text = (text or "").replace("\\[", "[")
    text = re.sub(r"\s*\n\s*", " ", text.strip())
    return text.replace("|", "\\|")


def _default(param: Any) -> str:
    if getattr(param, "is_flag", False):
        return ""
    default = param.default
    if default is None or default == () or default == []:
        return ""
    return f"`{getattr(default, 'value', default)}`"


TYPE_NAMES = {str: "text", int: "integer", float: "number", Path: "path", bool: "flag"}


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(str(member.value) for member in annotation)
    return TYPE_NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _kind(param: Any) -> str:
    """What the option takes, from its annotation: text, integer, path, a|b|c, flag, …"""
    if getattr(param, "is_flag", False):
        return "flag"
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if annotation is None:  # typer built on plain Click
        return str(getattr(param.type, "name", "text"))
    if get_origin(annotation) is list:
        return f"{_type_name(get_args(annotation)[0])}, repeatable"
    return _type_name(annotation)


def _usage(name: str, command: Any) -> str:
    arguments = " ".join(
        f"[{param.name.upper()}]" if not param.required else param.name.upper()
        for param in command.params
        if _is_argument(param) and param.name
    )
    return " ".join(part for part in ("cskpi", name, "[OPTIONS]", arguments) if part)


def command_section(name: str, command: Any) -> str:
    lines = [
        f"## cskpi {name}",
        "",
        _paragraphs(command.help),
        "",
        "```",
        _usage(name, command),
        "```",
        "",
    ]
    arguments = [p for p in command.params if _is_argument(p)]
    for argument in arguments:
        lines.append(f"`{(argument.name or '').upper()}`: {_plain(getattr(argument, 'help', ''))}")
        lines.append("")
    options = [p for p in command.params if _is_option(p)]
    if options:
        lines += ["| option | takes | default | what it does |", "|---|---|---|---|"]
        for option in options:
            flags = ", ".join(f"`{flag}`" for flag in (*option.opts, *option.secondary_opts))
            lines.append(
                f"| {flags} | {_kind(option)} | {_default(option)} | {_plain(option.help)} |"
            )
        lines.append("")
    return "\n".join(lines)


def _paragraphs(text: str | None) -> str:
    """Keep paragraph breaks of a docstring, join its wrapped lines."""
    blocks = re.split(r"\n\s*\n", (text or "").strip())
    return "\n\n".join(_plain(block).replace("\\|", "|") for block in blocks if block.strip())


def reference() -> str:
    """The whole docs/cli.md text."""
    root = root_command()
    sections = [HEADER, _paragraphs(app.info.help), ""]
    for option in (p for p in root.params if _is_option(p)):
        sections += [f"`cskpi {option.opts[0]}`: {_plain(option.help)}", ""]
    sections += ["| command | what it does |", "|---|---|"]
    for name, command in root.commands.items():
        summary = _plain(command.get_short_help_str(limit=200))
        sections.append(f"| [`{name}`](#cskpi-{name}) | {summary} |")
    sections.append("")
    sections += [command_section(name, command) for name, command in root.commands.items()]
    return "\n".join(sections).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(reference(), end="")
