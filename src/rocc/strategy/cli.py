"""The `rocc framework` commands: check, import and export framework YAML files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rocc.core.ready import django_ready

framework_app = typer.Typer(help="Framework files (YAML): validate, import, export.", no_args_is_help=True)


def _read(path: Path) -> str:
    from rocc.core import limits

    try:
        limits.size_check(path.stat().st_size, file=str(path), in_request=True)
        return limits.utf8_text(path.read_bytes(), file=str(path))
    except limits.FileRefusal as refusal:
        typer.echo(str(refusal), err=True)
        raise typer.Exit(2) from None
    except OSError as error:
        typer.echo(f"{path}: cannot read the file ({error.strerror})", err=True)
        raise typer.Exit(2) from None


@framework_app.command("validate")
def validate(path: Annotated[Path, typer.Argument(help="The framework YAML file")]) -> None:
    """Check a framework file and list every problem with its line and column; changes nothing."""
    django_ready()
    from rocc.strategy.files import framework_file_check

    data, problems = framework_file_check(_read(path), source=str(path))
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(2)
    activities = sum(len(f.activities) for p in data.action_plans for f in p.focus_areas)
    typer.echo(f"{path}: valid ({data.code}: {len(data.action_plans)} plan(s), {activities} activities)")


@framework_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="The framework YAML file")],
    username: Annotated[str, typer.Option("--as", help="The programme manager or administrator importing it")],
) -> None:
    """Create or update a framework and its plans from a file; any problem refuses the whole file."""
    django_ready()
    from django.core.exceptions import PermissionDenied

    from rocc.strategy.files import FrameworkFileInvalid
    from rocc.strategy.services.frameworks import framework_file_import

    try:
        framework = framework_file_import(user=_user(username), text=_read(path), source=str(path))
    except FrameworkFileInvalid as invalid:
        for problem in invalid.problems:
            typer.echo(str(problem), err=True)
        typer.echo("nothing was imported", err=True)
        raise typer.Exit(2) from None
    except PermissionDenied as denied:
        typer.echo(str(denied), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"imported {framework.code}: {framework.name}")


def _user(username: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        typer.echo(f"no user is called '{username}'", err=True)
        raise typer.Exit(1)
    return user


@framework_app.command("export")
def export(
    code: Annotated[str, typer.Argument(help="The framework's code, e.g. rocc")],
    username: Annotated[str, typer.Option("--as", help="The user whose view to export (plans outside their scope are left out)")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of the screen")] = None,
) -> None:
    """Write a framework with its plans as a YAML file."""
    django_ready()
    from django.http import Http404

    from rocc.strategy.selectors.frameworks import framework_export

    try:
        text = framework_export(user=_user(username), code=code)
    except Http404:
        typer.echo(f"no framework has the code '{code}'", err=True)
        raise typer.Exit(1) from None
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")
    else:
        typer.echo(text, nl=False)
