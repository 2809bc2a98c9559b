"""Registers every command module on the app. Each module exposes ``register(app)``."""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES = ("validate", "report", "scorecard", "kpis", "insights", "map")


def register(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"cskpi.cli.{name}")
        module.register(app)
