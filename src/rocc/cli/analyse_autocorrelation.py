"""`rocc analyse autocorrelation`: global Moran's I, General G and local Moran's I (LISA) over areas given with
their neighbours, over events counted on the hot-spot grid, or over events counted in areas with boundaries."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rocc.analysis.autocorrelation import CLUSTER_LABELS, grid_autocorrelation, neighbours_from_table, spatial_autocorrelation, weights_from_neighbours
from rocc.analysis.contiguity import area_autocorrelation, areas_from_geojson
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.hotspots import project_lonlat
from rocc.analysis.inputs import numeric_column, read_table
from rocc.analysis.results import p_text
from rocc.cli.analyse import analyse_app, emit, fail
from rocc.cli.analyse_hotspots import _coordinate_columns, _extent


@analyse_app.command("autocorrelation")
def autocorrelation_command(
    file: Path = typer.Argument(..., help="Areas file (one row per area) or events file (CSV, Excel or Parquet)."),
    area: str | None = typer.Option(None, "--area", help="Areas file: the column with each area's id."),
    value: str | None = typer.Option(None, "--value", help="Areas file: the column with each area's value (count, rate)."),
    neighbours: str | None = typer.Option(None, "--neighbours", help="Areas file: the column listing each area's neighbours' ids."),
    separator: str = typer.Option(";", "--separator", help="Areas file: what separates the ids in --neighbours."),
    x: str | None = typer.Option(None, "--x", help="Events file: the easting column in metres (or longitude with --lonlat)."),
    y: str | None = typer.Option(None, "--y", help="Events file: the northing column in metres (or latitude with --lonlat)."),
    cell: float | None = typer.Option(None, "--cell", help="Events file: grid cell size in metres."),
    contiguity: str = typer.Option(
        "queen", "--contiguity", help="Events file: queen (8 surrounding cells; areas touching at any point) or rook (4 sharing a side; areas sharing an edge)."
    ),
    extent: str | None = typer.Option(None, "--extent", help="Events file: study area west,south,east,north in metres."),
    boundaries: Path | None = typer.Option(
        None, "--boundaries", help="Events file: count the events in these areas (GeoJSON polygons in the events' CRS) instead of grid cells."
    ),
    boundary_id: str = typer.Option("code", "--boundary-id", help="With --boundaries: the property that names each area."),
    crs: str | None = typer.Option(None, "--crs", help="CRS to project longitude/latitude to with --lonlat (e.g. EPSG:2193)."),
    lonlat: bool = typer.Option(False, "--lonlat", help="The event columns are WGS84 longitude/latitude."),
    drop_unlocated: bool = typer.Option(False, "--drop-unlocated", help="Leave out events with blank coordinates."),
    permutations: int = typer.Option(999, "--permutations", help="Random permutations behind the pseudo p-values (0: normal p-values only)."),
    seed: int = typer.Option(1, "--seed", help="Seed for the permutations (recorded)."),
    significance: float = typer.Option(0.05, "--significance", help="An area is a cluster or outlier at p ≤ this."),
    correction: str = typer.Option("none", "--correction", help="none: judge areas by their pseudo p-value; fdr: by the false-discovery-rate adjusted one."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Spatial autocorrelation: is the pattern clustered (Moran's I, General G), and where (local Moran's I)?"""
    try:
        frame = read_table(file)
        common = dict(permutations=permutations, seed=seed, significance=significance, correction=correction)
        if area or neighbours or value:
            if not (area and neighbours and value):
                raise AnalysisInputError("an areas file needs --area, --value and --neighbours")
            listed = neighbours_from_table(frame, area=area, neighbours=neighbours, separator=separator)
            weights = weights_from_neighbours(neighbours=listed, definition=f"neighbour list in column '{neighbours}'")
            result = spatial_autocorrelation(values=numeric_column(frame, value), weights=weights, value_label=f"values of {value}", **common)
        else:
            if not (x and y and (cell or boundaries)):
                raise AnalysisInputError("give --area, --value and --neighbours for an areas file, or --x, --y and --cell (or --boundaries) for an events file")
            if lonlat and not crs:
                raise AnalysisInputError("--lonlat needs --crs, the projected CRS in metres to project to (e.g. EPSG:2193)")
            xs, ys, _ = _coordinate_columns(frame, x, y, drop_unlocated=drop_unlocated)
            if lonlat:
                xs, ys = project_lonlat(xs, ys, crs=crs)
            if boundaries is not None:
                try:
                    document = json.loads(boundaries.read_text(encoding="utf-8"))
                except (OSError, ValueError) as error:
                    raise AnalysisInputError(f"{boundaries.name}: cannot be read as GeoJSON ({error})") from None
                ids, shapes = areas_from_geojson(document, id_property=boundary_id)
                result = area_autocorrelation(x=xs, y=ys, ids=ids, geometries=shapes, contiguity=contiguity, **common)
            else:
                result = grid_autocorrelation(x=xs, y=ys, cell=cell, contiguity=contiguity, extent=_extent(extent), **common)
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    moran = result.moran
    lines = [
        result.summary,
        f"Moran's I {moran.statistic:.4f} (expected {moran.expected:.4f}); z {moran.z_normal:.2f} under normality, "
        f"{moran.z_randomisation:.2f} under randomisation; pseudo p {p_text(moran.p_sim)} ({moran.permutations} permutations, seed {result.parameters['seed']})",
    ]
    if result.general_g is not None:
        g = result.general_g
        lines.append(f"General G {g.statistic:.5g} (expected {g.expected:.5g}); z {g.z_normal:.2f}; pseudo p {p_text(g.p_sim)}")
    lines.append("areas: " + ", ".join(f"{label} {result.counts[label]}" for label in CLUSTER_LABELS.values()) + f" (neighbours: {result.neighbours})")
    lines += [f"note: {note}" for note in result.notes]
    emit(result, as_json=as_json, summary="\n".join(lines))
