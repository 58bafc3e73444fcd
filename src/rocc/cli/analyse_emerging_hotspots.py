"""`rocc analyse emerging-hotspots`: Gi* per time slice over a space–time cube, a Mann–Kendall trend per cell, and
each cell's pattern (new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating, historical)."""

from __future__ import annotations

from pathlib import Path

import typer

from rocc.analysis.emerging_hotspots import emerging_hotspots
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.hotspots import project_lonlat
from rocc.analysis.inputs import date_column, read_table
from rocc.cli.analyse import analyse_app, emit, fail
from rocc.cli.analyse_hotspots import _coordinate_columns, _extent


@analyse_app.command("emerging-hotspots")
def emerging_hotspots_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet)."),
    x: str = typer.Option(..., "--x", help="Column with the easting in metres (or longitude with --lonlat)."),
    y: str = typer.Option(..., "--y", help="Column with the northing in metres (or latitude with --lonlat)."),
    date: str = typer.Option(..., "--date", help="Column with each event's date."),
    cell: float = typer.Option(..., "--cell", help="Grid cell size in metres."),
    slice_days: int = typer.Option(28, "--slice-days", help="Length of each time slice in days."),
    start: str | None = typer.Option(None, "--start", help="First day of the first slice (default: the first event's day)."),
    extent: str | None = typer.Option(None, "--extent", help="Study area west,south,east,north in metres."),
    significance: float = typer.Option(0.05, "--significance", help="Hot or cold at p ≤ this; a trend at p ≤ this."),
    time_step: int = typer.Option(
        1, "--time-step", help="Neighbourhood time step: a bin's Gi* counts its cells' neighbours in this many slices before it too (0: each slice alone)."
    ),
    crs: str | None = typer.Option(None, "--crs", help="CRS to project longitude/latitude to with --lonlat (e.g. EPSG:2193)."),
    lonlat: bool = typer.Option(False, "--lonlat", help="The columns are WGS84 longitude/latitude."),
    drop_unlocated: bool = typer.Option(False, "--drop-unlocated", help="Leave out rows with blank coordinates."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Which hot spots are new, growing, lasting, fading or on-and-off, slice by slice."""
    try:
        if lonlat and not crs:
            raise AnalysisInputError("--lonlat needs --crs, the projected CRS in metres to project to (e.g. EPSG:2193)")
        frame = read_table(file)
        xs, ys, kept = _coordinate_columns(frame, x, y, drop_unlocated=drop_unlocated)
        if lonlat:
            xs, ys = project_lonlat(xs, ys, crs=crs)
        result = emerging_hotspots(
            x=xs,
            y=ys,
            dates=date_column(frame, date)[kept],
            cell=cell,
            slice_days=slice_days,
            start=start,
            extent=_extent(extent),
            significance=significance,
            time_step=time_step,
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    lines = [result.summary]
    for cell_row in sorted(result.cells, key=lambda c: -c["events"]):
        if cell_row["pattern"] != "no pattern":
            lines.append(
                f"  {cell_row['x']:.0f} E, {cell_row['y']:.0f} N: {cell_row['pattern']} ({cell_row['events']} events, trend z {cell_row['trend_z']:.2f})"
            )
    lines += [f"note: {note}" for note in result.notes]
    emit(result, as_json=as_json, summary="\n".join(lines))
