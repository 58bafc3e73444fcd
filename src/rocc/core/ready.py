"""Getting Django ready for a command: settings, app loading and the blocking checks, the same for every command."""

from __future__ import annotations

import os

import typer
from rich.console import Console

err = Console(stderr=True, soft_wrap=True, highlight=False)


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rocc.settings")
    import django

    django.setup()


def require_ready() -> None:
    """Refuse to go on when a blocking check fails, saying which and how to fix it."""
    from rocc.core.checks import run_checks

    failed = [c for c in run_checks() if not c.ok and c.blocking]
    for check in failed:
        err.print(f"[bold red]error[/] ({check.name}): {check.message}", soft_wrap=True, highlight=False)
        if check.fix:
            err.print(f"  fix: {check.fix}", soft_wrap=True, highlight=False)
    if failed:
        raise typer.Exit(1)


def django_ready() -> None:
    """Set Django up and stop, with the fix, when the installation is not ready (no database, migrations due...):
    what every command that reads or writes the database does first."""
    django_setup()
    require_ready()
