"""The `rocc tasking` commands: show and import risk methodology versions, and list overdue taskings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rocc.core.ready import django_ready

tasking_app = typer.Typer(help="Tasking & Coordination: the risk methodology and overdue taskings.", no_args_is_help=True)


def _user(username: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        typer.echo(f"error: no user called '{username}'", err=True)
        raise typer.Exit(2)
    return user


@tasking_app.command("methodology")
def methodology_show() -> None:
    """Show the current risk methodology: its dimensions, scales and weights."""
    django_ready()
    from rocc.tasking.selectors.risk import current_methodology

    current = current_methodology()
    if current is None:
        typer.echo("No risk methodology is current: run `rocc load-defaults`.", err=True)
        raise typer.Exit(1)
    typer.echo(f"{current.name} v{current.version} ({current.code}); modifier floor {current.modifier_floor}")
    for d in current.dimensions.all():
        typer.echo(f"  {d.code}: {d.name} [{d.role}] scale {d.scale_min}–{d.scale_max}, weight {d.weight}")


@tasking_app.command("methodology-import")
def methodology_import(
    path: Annotated[Path, typer.Argument(help="A methodology YAML file: the shape of the shipped default (a 'dimensions' list)")],
    username: Annotated[str, typer.Option("--as", help="The programme manager or administrator publishing it")],
    note: Annotated[str, typer.Option(help="What changes in this version")] = "Imported from a file",
    publish: Annotated[bool, typer.Option(help="Make it current at once and re-rank every score")] = True,
) -> None:
    """Add a new version of the current methodology from a file; any problem refuses the whole file."""
    django_ready()
    from django.core.exceptions import PermissionDenied, ValidationError

    from rocc.tasking.selectors.risk import current_methodology
    from rocc.tasking.services.risk import methodology_file_rows, methodology_publish, methodology_version_create

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"{path}: cannot read the file ({error})", err=True)
        raise typer.Exit(2) from None
    base = current_methodology()
    if base is None:
        typer.echo("No risk methodology is current: run `rocc load-defaults` first.", err=True)
        raise typer.Exit(1)
    user = _user(username)
    try:
        rows = methodology_file_rows(text, source=str(path))
        created = methodology_version_create(actor=user, base=base, note=note, dimensions=rows)
        result = methodology_publish(actor=user, methodology=created) if publish else None
    except PermissionDenied as denied:
        typer.echo(f"error: {denied}", err=True)
        raise typer.Exit(1) from None
    except ValidationError as invalid:
        for field, problems in invalid.message_dict.items():
            for problem in problems:
                typer.echo(f"{path}: {field}: {problem}", err=True)
        typer.echo("nothing was imported", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"{created} added" + (f" and current: {result.rescored} score(s) re-ranked, {result.needs_rescoring} need re-scoring." if result else " as a draft.")
    )


@tasking_app.command("overdue")
def overdue(username: Annotated[str, typer.Option("--as", help="List what this user may see")]) -> None:
    """List the overdue taskings a user may see, oldest due date first."""
    django_ready()
    from rocc.tasking.selectors.taskings import overdue_taskings

    found = list(overdue_taskings(user=_user(username)).order_by("due_date"))
    for t in found:
        typer.echo(f"{t.reference}  due {t.due_date:%Y-%m-%d}  {t.tasked_to}  owner {t.owner.get_username()}  {t.title}")
    typer.echo(f"{len(found)} overdue tasking(s).")
