"""`rocc analyse point-pattern`: the nearest-neighbour index, Ripley's K and L with Monte Carlo envelopes, and a
kernel density surface, over a study area (a box or a polygon)."""

from __future__ import annotations

from pathlib import Path

import typer

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.hotspots import project_lonlat
from rocc.analysis.inputs import read_table
from rocc.analysis.point_pattern import point_pattern
from rocc.analysis.results import p_text
from rocc.cli.analyse import analyse_app, emit, fail
from rocc.cli.analyse_forecast_accuracy import study_area_file
from rocc.cli.analyse_hotspots import _coordinate_columns, _extent


@analyse_app.command("point-pattern")
def point_pattern_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet)."),
    x: str = typer.Option(..., "--x", help="Column with the easting in metres (or longitude with --lonlat)."),
    y: str = typer.Option(..., "--y", help="Column with the northing in metres (or latitude with --lonlat)."),
    extent: str | None = typer.Option(None, "--extent", help="Study area west,south,east,north in metres (default: the events' bounding box)."),
    study_area: Path | None = typer.Option(None, "--study-area", help="Study area polygon as GeoJSON in the events' metres (land only: water does not count)."),
    distance: list[float] | None = typer.Option(None, "--distance", help="A distance (metres) at which to give K and L; more than once (default 20 steps)."),
    simulations: int = typer.Option(99, "--simulations", help="Random patterns behind the envelope of K and L (0 for none)."),
    seed: int = typer.Option(1, "--seed", help="Seed for the simulations (recorded)."),
    bandwidth: float | None = typer.Option(None, "--bandwidth", help="Kernel radius in metres (default: Silverman's rule of thumb, spatial form)."),
    cell: float | None = typer.Option(None, "--cell", help="Density grid cell size in metres (default: a fifth of the bandwidth)."),
    crs: str | None = typer.Option(None, "--crs", help="CRS to project longitude/latitude to with --lonlat (e.g. EPSG:2193)."),
    lonlat: bool = typer.Option(False, "--lonlat", help="The columns are WGS84 longitude/latitude."),
    drop_unlocated: bool = typer.Option(False, "--drop-unlocated", help="Leave out rows with blank coordinates."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Are the events clustered, random or regular, at which distances, and where are they densest?"""
    try:
        if lonlat and not crs:
            raise AnalysisInputError("--lonlat needs --crs, the projected CRS in metres to project to (e.g. EPSG:2193)")
        frame = read_table(file)
        xs, ys, _ = _coordinate_columns(frame, x, y, drop_unlocated=drop_unlocated)
        if lonlat:
            xs, ys = project_lonlat(xs, ys, crs=crs)
        result = point_pattern(
            x=xs,
            y=ys,
            extent=_extent(extent),
            study_area=study_area_file(study_area),
            distances=distance or None,
            simulations=simulations,
            seed=seed,
            bandwidth=bandwidth,
            cell=cell,
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    nn = result.nearest_neighbour
    lines = [
        result.summary,
        f"{result.n} events over {result.study_area['area_km2']:.3g} km² ({result.study_area['source']}); nearest-neighbour index "
        f"{nn['index']:.3f} (observed {nn['observed_mean_distance']:.1f} m, expected {nn['expected_mean_distance']:.1f} m), z {nn['z']:.2f}, p {p_text(nn['p'])}",
        f"density: quartic kernel, radius {result.parameters['bandwidth']:.0f} m ({result.parameters['bandwidth_rule']}), {result.parameters['cell']:.0f} m cells",
        "distance: L(d), envelope, verdict",
    ]
    for row in result.ripley:
        envelope = "–" if row["l_lower"] is None else f"{row['l_lower']:.1f}–{row['l_upper']:.1f}"
        lines.append(f"  {row['distance']:.0f} m: {row['l']:.1f}, {envelope}, {row['verdict'] or '–'}")
    lines += [f"note: {note}" for note in result.notes]
    emit(result, as_json=as_json, summary="\n".join(lines))
