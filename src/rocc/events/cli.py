"""The `rocc events` commands: import an events file with progress, list sources and import batches."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rocc.core.ready import django_ready

events_app = typer.Typer(help="The event store: import events files, list sources and import batches.", no_args_is_help=True)
console = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def _user(username: str | None):
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        err.print(f"[bold red]error:[/] no user is called '{username}'")
        raise typer.Exit(1)
    return user


@events_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="The events file: CSV, Excel (.xlsx) or Parquet")],
    source: Annotated[str, typer.Option("--source", help="The source's short name (its saved column mapping is used)")],
    mapping: Annotated[Path | None, typer.Option("--mapping", help="A mapping YAML file: saved as the source's mapping, then used")] = None,
    partial: Annotated[
        bool, typer.Option("--partial", help="Import the valid rows and keep the rejected ones (with reasons) instead of refusing the file")
    ] = False,
    rejects: Annotated[Path | None, typer.Option("--rejects", help="Write the rejected rows with their reasons to this CSV file")] = None,
    username: Annotated[
        str | None, typer.Option("--as", help="Import as this analyst (only their units are accepted); default: the installation's operator, every unit")
    ] = None,
) -> None:
    """Check an events file row by row and store its events: all or nothing, or with --partial the valid rows.
    Person identifiers are pseudonymised; the same file or the same events are never stored twice."""
    django_ready()
    from django.core.exceptions import PermissionDenied, ValidationError
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from rocc.events.mapping import MappingInvalid, mapping_from_yaml
    from rocc.events.models import EventSource
    from rocc.events.services import events_import, rejects_copy, source_save

    user = _user(username)
    if not path.is_file():
        err.print(f"[bold red]error:[/] {path}: no such file")
        raise typer.Exit(2)
    try:
        if mapping is not None:
            try:
                text = mapping.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                err.print(f"[bold red]error:[/] {mapping}: cannot read the file ({exc})")
                raise typer.Exit(2) from None
            parsed = mapping_from_yaml(text, source=str(mapping), default_name=source)
            if parsed.name != source:
                err.print(f"[bold red]error:[/] {mapping}: the mapping is for source '{parsed.name}', not '{source}'")
                raise typer.Exit(2)
            source_obj = source_save(user=user, mapping=parsed)
        else:
            source_obj = EventSource.objects.filter(name=source).first()
            if source_obj is None:
                err.print(f"[bold red]error:[/] no source is called '{source}'")
                err.print("  fix: give its column mapping with --mapping FILE.yaml (see docs/events.md), or list sources with `rocc events sources`")
                raise typer.Exit(2)
        with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task("starting", total=100)
            batch = events_import(
                user=user,
                source=source_obj,
                path=path,
                partial=partial,
                progress=lambda percent, stage: bar.update(task, completed=percent, description=stage),
            )
    except MappingInvalid as invalid:
        for problem in invalid.problems:
            err.print(f"[bold red]error:[/] {problem}")
        raise typer.Exit(2) from None
    except ValidationError as exc:
        for message in exc.messages:
            err.print(f"[bold red]error:[/] {message}")
        raise typer.Exit(2) from None
    except PermissionDenied as denied:
        err.print(f"[bold red]error:[/] {denied}")
        raise typer.Exit(1) from None

    for problem in batch.problems:
        where = f"row {problem['row']}, " if problem["row"] is not None else ""
        column = f"column '{problem['column']}': " if problem["column"] else ""
        err.print(f"{path.name}: {where}{column}{problem['message']}")
    if batch.problems_total > len(batch.problems):
        err.print(f"… and {batch.problems_total - len(batch.problems)} more problems")
    if rejects is not None and batch.rejects_file:
        rejects_copy(batch, rejects)
        err.print(f"rejected rows with their reasons: {rejects}")
    elif batch.rejects_file:
        err.print("rejected rows with their reasons are kept with the batch: add --rejects FILE to save a copy")
    if batch.status in {"done", "already"}:
        console.print(f"[green]{batch.get_status_display()}[/] (batch {batch.pk}): {batch.message}")
        return
    err.print(f"[bold red]{batch.get_status_display()}:[/] {batch.message}")
    raise typer.Exit(2)


@events_app.command("sources")
def sources() -> None:
    """List the event sources and how their columns map."""
    django_ready()
    from rocc.events.models import EventSource

    table = Table("source", "description", "event id", "date", "offence", "unit", "persons", "batches")
    for source in EventSource.objects.all():
        m = source.mapping
        date = m.get("date") or f"{m.get('date_from')} – {m.get('date_to') or ''}"
        unit = m.get("unit") or f"all in {m.get('default_unit')}"
        persons = ", ".join(f"{p['role']}: {p['identifier']}" for p in m.get("persons", []))
        table.add_row(source.name, source.description, m["event_id"], date, m["offence_code"], unit, persons, str(source.batches.count()))
    console.print(table if EventSource.objects.exists() else "no sources yet: import a file with --mapping to create one")


@events_app.command("batches")
def batches(limit: Annotated[int, typer.Option(help="How many of the latest batches to list")] = 20) -> None:
    """List the latest import batches: file, status, rows imported, rejected and already stored."""
    django_ready()
    from django.utils import timezone

    from rocc.events.models import ImportBatch

    table = Table("batch", "when", "source", "file", "status", "read", "imported", "rejected", "already stored", "by")
    for batch in ImportBatch.objects.select_related("source", "created_by")[:limit]:
        table.add_row(
            str(batch.pk),
            timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M"),
            batch.source.name,
            batch.file_name,
            batch.get_status_display(),
            str(batch.rows_read),
            str(batch.rows_imported),
            str(batch.rows_rejected),
            str(batch.rows_already_stored),
            batch.created_by.get_username() if batch.created_by else "command line",
        )
    console.print(table)


@events_app.command("reindex")
def reindex() -> None:
    """Rebuild the per-person index of the Victim Focus lookup from the stored batches (after a restore)."""
    django_ready()
    from rocc.events.services import index_rebuild

    rows = index_rebuild()
    console.print(f"[green]Person index rebuilt:[/] {rows} person-event rows.")
