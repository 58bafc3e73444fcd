"""The `rocc org boundaries` commands: load organisational-unit boundaries from a GeoJSON file or a shapefile, and list
what is loaded with its source and licence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rocc.core.ready import django_ready

org_app = typer.Typer(help="The organisation's reference data: unit boundaries for maps.", no_args_is_help=True)
boundaries_app = typer.Typer(help="Organisational-unit boundaries (district and area polygons) for maps and placing events.", no_args_is_help=True)
org_app.add_typer(boundaries_app, name="boundaries")
console = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


@boundaries_app.command("import")
def boundaries_import_command(
    path: Annotated[
        Path, typer.Argument(help="A GeoJSON file (.geojson, .json) or a shapefile (.shp with its .dbf and .prj, or a .zip), in NZTM2000 or WGS84")
    ],
    source: Annotated[str, typer.Option("--source", help="Who published the boundaries and which edition, e.g. 'NZ Police district boundaries 2023'")],
    licence: Annotated[str, typer.Option("--licence", "--license", help="The licence they are used under, e.g. 'CC BY 4.0'")],
    key: Annotated[
        str | None,
        typer.Option("--key", help="The property holding each feature's unit code, name or alias (default: the first of code, unit_code, unit, name…)"),
    ] = None,
) -> None:
    """Load unit boundaries: every feature must name a unit (by code, name or alias) with a valid polygon, all in one
    coordinate system. Anything wrong refuses the whole file, each problem located by feature and unit."""
    django_ready()
    from rocc.maps.services import BoundariesRefused, boundaries_import

    try:
        loaded = boundaries_import(actor=None, path=path, source=source, licence=licence, key=key)
    except BoundariesRefused as exc:
        err.print(f"[bold red]error:[/] the boundaries in {path.name} were not loaded; nothing was changed. {len(exc.problems)} problem(s):")
        for problem in exc.problems:
            err.print(f"  {problem}")
        raise typer.Exit(1) from None
    console.print(
        f"[green]Boundaries loaded[/] from {path.name} ({loaded.source_crs}): {loaded.created} new, {loaded.replaced} replaced, "
        f"{loaded.unchanged} unchanged. Source: {loaded.boundary_set.source}; licence: {loaded.boundary_set.licence}."
    )


@boundaries_app.command("list")
def boundaries_list_command() -> None:
    """List the units with a boundary, with each boundary's source and licence."""
    django_ready()
    from rocc.maps.models import Boundary

    table = Table("unit", "level", "km²", "source", "licence", "loaded")
    for b in Boundary.objects.select_related("unit", "boundary_set"):
        table.add_row(b.unit.code, b.unit.level, f"{b.area_km2:,.1f}", b.boundary_set.source, b.boundary_set.licence, f"{b.boundary_set.imported_at:%Y-%m-%d}")
    console.print(table if table.row_count else "No boundaries are loaded: maps show the approximate national outline only.")
