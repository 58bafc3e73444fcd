"""`rocc analyse forecast-accuracy`: PAI, PEI and RRI of hot-spot maps of one period scored against the next."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.forecast_accuracy import DEFAULT_SHARES, METHOD_NAMES, forecast_accuracy
from rocc.analysis.hotspots import project_lonlat
from rocc.analysis.inputs import date_column, read_table
from rocc.cli.analyse import analyse_app, emit, fail
from rocc.cli.analyse_hotspots import _coordinate_columns, _extent


def study_area_file(path: Path | None):
    """A study area from a GeoJSON file (a geometry, Feature or FeatureCollection in the events' metres), or None."""
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise AnalysisInputError(f"{path.name}: cannot be read as GeoJSON ({error})") from None


@analyse_app.command("forecast-accuracy")
def forecast_accuracy_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet)."),
    x: str = typer.Option(..., "--x", help="Column with the easting in metres (or longitude with --lonlat)."),
    y: str = typer.Option(..., "--y", help="Column with the northing in metres (or latitude with --lonlat)."),
    date: str = typer.Option(..., "--date", help="Column with each event's date."),
    split: str = typer.Option(..., "--split", help="First day of the forecast period (YYYY-MM-DD): the maps are drawn from the events before it."),
    end: str | None = typer.Option(None, "--end", help="Last day of the forecast period (default: the latest event)."),
    cell: list[float] = typer.Option([250.0], "--cell", help="Grid cell size in metres; give it more than once to compare sizes."),
    method: list[str] = typer.Option(["counts", "density", "gi"], "--method", help="counts, density or gi; more than once to compare."),
    share: list[float] = typer.Option(list(DEFAULT_SHARES), "--share", help="Share of the study area the hot spots cover (0–1); more than once."),
    bandwidth_cells: float = typer.Option(3.0, "--bandwidth-cells", help="Kernel bandwidth for the density method, in cells."),
    extent: str | None = typer.Option(None, "--extent", help="Study area west,south,east,north in metres."),
    study_area: Path | None = typer.Option(None, "--study-area", help="Study area polygon as GeoJSON in the events' metres (land only: water does not count)."),
    crs: str | None = typer.Option(None, "--crs", help="CRS to project longitude/latitude to with --lonlat (e.g. EPSG:2193)."),
    lonlat: bool = typer.Option(False, "--lonlat", help="The columns are WGS84 longitude/latitude."),
    drop_unlocated: bool = typer.Option(False, "--drop-unlocated", help="Leave out rows with blank coordinates."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """How well last period's hot spots caught this period's events: PAI, PEI and RRI by method, cell size and share."""
    try:
        if lonlat and not crs:
            raise AnalysisInputError("--lonlat needs --crs, the projected CRS in metres to project to (e.g. EPSG:2193)")
        frame = read_table(file)
        xs, ys, kept = _coordinate_columns(frame, x, y, drop_unlocated=drop_unlocated)
        if lonlat:
            xs, ys = project_lonlat(xs, ys, crs=crs)
        result = forecast_accuracy(
            x=xs,
            y=ys,
            dates=date_column(frame, date)[kept],
            split=split,
            end=end,
            cells=cell,
            methods=method,
            shares=share,
            bandwidth_cells=bandwidth_cells,
            extent=_extent(extent),
            study_area=study_area_file(study_area),
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    lines = [result.summary, "method, cell, share of area: hot cells, hit rate, PAI, PEI, RRI"]
    for row in result.scores:
        figures = ", ".join("–" if row[k] is None else f"{row[k]:.2f}" for k in ("pai", "pei", "rri"))
        hit_rate = "–" if row["hit_rate"] is None else f"{row['hit_rate']:.0%}"
        lines.append(f"  {METHOD_NAMES[row['method']]}, {row['cell']:g} m, {row['share']:.0%}: {row['hot_cells']}, {hit_rate}, {figures}")
    lines += [f"note: {note}" for note in result.notes]
    emit(result, as_json=as_json, summary="\n".join(lines))
