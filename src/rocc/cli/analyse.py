"""`rocc analyse <name> FILE ... --json`: each analysis of the library on a file, as one JSON document.

Each analysis registers its command in a module of its own named ``rocc.cli.analyse_<name>``;
``load_commands`` imports them all, so adding an analysis never edits this file. They are loaded only
when an analysis is asked for, so that the other commands start without importing the numeric stack.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from typing import Any

import typer

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.results import jsonable

analyse_app = typer.Typer(
    help="Run a crime analysis on a file (CSV, Excel or Parquet) and print its result.",
    no_args_is_help=True,
)


def emit(result: Any, *, as_json: bool, summary: str | None = None) -> None:
    """Print a result: one JSON document with --json (NaN as null), else a short human summary."""
    document = jsonable(result.to_dict() if hasattr(result, "to_dict") else result)
    if as_json:
        sys.stdout.write(json.dumps(document, ensure_ascii=False, allow_nan=False) + "\n")
    else:
        typer.echo(summary if summary is not None else json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False))


def fail(error: AnalysisInputError | ValueError) -> None:
    """Stop with a clear message on standard error and exit code 2, never a traceback."""
    typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=2)


def load_commands() -> None:
    import rocc.cli as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("analyse_"):
            importlib.import_module(f"rocc.cli.{module.name}")
