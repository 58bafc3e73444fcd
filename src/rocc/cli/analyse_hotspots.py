"""`rocc analyse hotspots`: grid counts, kernel density and Gi* hot spots, as JSON or GeoJSON."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import typer

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.hotspots import hotspots, project_lonlat
from rocc.analysis.inputs import column, numeric_column, read_table
from rocc.cli.analyse import analyse_app, emit, fail
from rocc.cli.analyse_harm import CODES_HELP, DEFAULT_WEIGHT_HELP, HARM_HELP, harm_option_weights


def _coordinate_columns(frame: pd.DataFrame, x: str, y: str, *, drop_unlocated: bool) -> tuple[np.ndarray, ...]:
    """x, y and the mask of rows kept. Blank coordinates are an error unless ``drop_unlocated``; a
    non-numeric one always is, reported at its row in the file."""
    blank = np.zeros(len(frame), dtype=bool)
    for name in (x, y):
        blank |= column(frame, name).astype(str).str.strip().eq("").to_numpy()
    if blank.any() and drop_unlocated:
        # Checking with the blanks filled keeps every reported row number the file's own.
        filled = frame.assign(**{name: frame[name].where(~blank, "0") for name in (x, y)})
        return numeric_column(filled, x)[~blank], numeric_column(filled, y)[~blank], ~blank
    return numeric_column(frame, x), numeric_column(frame, y), ~blank


def _extent(text: str | None) -> tuple[float, ...] | None:
    if text is None:
        return None
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise AnalysisInputError(f"--extent must be four numbers west,south,east,north; found {text!r}") from None


@analyse_app.command("hotspots")
def hotspots_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet)."),
    x: str = typer.Option(..., "--x", help="Column with the easting in metres (or longitude with --lonlat)."),
    y: str = typer.Option(..., "--y", help="Column with the northing in metres (or latitude with --lonlat)."),
    cell: float = typer.Option(..., "--cell", help="Grid cell size in metres."),
    bandwidth: float | None = typer.Option(None, "--bandwidth", help="Quartic kernel radius in metres (default 3 cells)."),
    crs: str | None = typer.Option(None, "--crs", help="CRS of the metres, e.g. EPSG:2193 (NZTM2000); recorded in the output and GeoJSON."),
    lonlat: bool = typer.Option(False, "--lonlat", help="The columns are WGS84 longitude/latitude: project them to --crs first."),
    extent: str | None = typer.Option(None, "--extent", help="Study area west,south,east,north in metres; events outside are left out."),
    drop_unlocated: bool = typer.Option(False, "--drop-unlocated", help="Leave out rows with blank coordinates (counted in the notes)."),
    offence: str | None = typer.Option(None, "--offence", help="Column with the offence code (for --harm)."),
    harm: Path | None = typer.Option(None, "--harm", help=HARM_HELP),
    default_weight: float | None = typer.Option(None, "--default-weight", help=DEFAULT_WEIGHT_HELP),
    codes: str = typer.Option("anzsoc", "--codes", help=CODES_HELP),
    correction: str = typer.Option("fdr", "--correction", help="fdr: judge cells by false-discovery-rate corrected p-values (the default); none: raw p."),
    permutations: int = typer.Option(0, "--permutations", help="Conditional permutations for pseudo p-values (999 is usual); 0 uses the normal curve."),
    seed: int = typer.Option(1, "--seed", help="Seed for the permutations (1 unless given, as on the pages); recorded."),
    place: str | None = typer.Option(None, "--place", help="Column with each event's place or address, to name the top hot spots."),
    places_are: str = typer.Option("recorded place", "--places-are", help="What --place holds: unit, recorded place or address."),
    geojson: bool = typer.Option(False, "--geojson", help="Print the cells as a GeoJSON FeatureCollection."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Hot spots on a grid: counts, quartic kernel density (per km²) and Getis-Ord Gi* per cell."""
    try:
        if geojson and as_json:
            raise AnalysisInputError("choose one of --json and --geojson")
        if lonlat and not crs:
            raise AnalysisInputError("--lonlat needs --crs, the projected CRS in metres to project to (e.g. EPSG:2193)")
        frame = read_table(file)
        xs, ys, kept = _coordinate_columns(frame, x, y, drop_unlocated=drop_unlocated)
        weights = harm_option_weights(frame, harm=harm, offence=offence, default_weight=default_weight, codes=codes)
        if weights is not None:
            weights = weights[kept]
        if lonlat:
            xs, ys = project_lonlat(xs, ys, crs=crs)
        places = column(frame, place)[kept].reset_index(drop=True) if place else None
        result = hotspots(
            x=xs,
            y=ys,
            cell=cell,
            bandwidth=bandwidth,
            weights=weights,
            crs=crs,
            extent=_extent(extent),
            correction=correction,
            permutations=permutations,
            seed=seed,
            places=places,
            places_are=places_are,
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    dropped = int((~kept).sum())
    if dropped:
        result = dataclasses.replace(result, notes=(*result.notes, f"{dropped} rows with blank coordinates were left out"))
    if geojson:
        emit(result.to_geojson(), as_json=True)
        return
    hot = result.to_dict()["hot_cells"]
    judged = {"gi_p_fdr": "corrected for testing every cell (false discovery rate)", "gi_p_sim": "by permutation", "gi_p": "uncorrected"}
    lines = [
        f"{result.events} events on a {result.rows} × {result.cols} grid of {result.parameters['cell']:g} m cells, "
        f"bandwidth {result.parameters['bandwidth']:g} m",
        f"hot cells: {hot['99']} at 99%, {hot['95']} at 95% (p-values {judged[result.parameters['judged_by']]})",
    ]
    if result.top_hot_spots:
        lines.append("top hot spots (place [named by]: events, Gi* z, p):")
        lines += [
            f"  {spot['rank']}. {spot['place']} [{spot['place_from']}]: {spot['count']:g}, {spot['gi_z']:.2f}, {spot['p_text']}"
            for spot in result.top_hot_spots
        ]
    else:
        lines.append("no cell is a hot spot at 95%")
    lines += [f"note: {note}" for note in result.notes]
    emit(result, as_json=as_json, summary="\n".join(lines))
