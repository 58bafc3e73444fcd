"""`rocc analyse near-repeat`: the Knox test for near repeats on a file of located, dated events."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import typer

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.inputs import date_column, numeric_column, read_table
from rocc.analysis.near_repeat import (
    SAME_LOCATION,
    SIGNIFICANCE,
    NearRepeatResult,
    near_repeat_knox,
    nrc_band_edges,
    significant,
)
from rocc.cli.analyse import analyse_app, emit, fail

_NRC_OPTIONS = ("--spatial-bandwidth", "--spatial-bands", "--temporal-bandwidth", "--temporal-bands")


@analyse_app.command("near-repeat")
def near_repeat_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet), one row per event."),
    x: str = typer.Option(..., "--x", help="Column with the x coordinate (projected, metres)."),
    y: str = typer.Option(..., "--y", help="Column with the y coordinate (projected, metres)."),
    date: str = typer.Option(..., "--date", help="Column with the event date (ISO, or day first)."),
    distance_bands: str | None = typer.Option(None, "--distance-bands", help="Distance band edges in metres, e.g. 0,100,200,300,inf; bands are [lo, hi)."),
    day_bands: str | None = typer.Option(None, "--day-bands", help="Day band edges, e.g. 0,7,14,21,inf; bands are [lo, hi)."),
    spatial_bandwidth: float | None = typer.Option(None, "--spatial-bandwidth", help="Near Repeat Calculator setting (metres), instead of --distance-bands."),
    spatial_bands: int | None = typer.Option(None, "--spatial-bands", help="Near Repeat Calculator setting."),
    temporal_bandwidth: int | None = typer.Option(None, "--temporal-bandwidth", help="Near Repeat Calculator setting (days), instead of --day-bands."),
    temporal_bands: int | None = typer.Option(None, "--temporal-bands", help="Near Repeat Calculator setting."),
    metric: str = typer.Option("manhattan", "--metric", help="manhattan (|dx| + |dy|) or euclidean."),
    permutations: int = typer.Option(999, "--permutations", help="Date shuffles for the null distribution."),
    seed: int = typer.Option(1, "--seed", help="Seed for the shuffles (1 unless given, as on the analysis pages); recorded in the output."),
    event_label: str = typer.Option("event", "--event-label", help="What the events are, for the summary, e.g. burglary."),
    compat: str | None = typer.Option(None, "--compat", help="nrc: single-precision distances, to reproduce the Near Repeat Calculator exactly."),
    no_header: bool = typer.Option(False, "--no-header", help="The file has no header row; columns are 1, 2, 3, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """How much more often events fall near each other in both space and time than chance would give."""
    try:
        distance_edges, day_edges = _band_edges(distance_bands, day_bands, (spatial_bandwidth, spatial_bands, temporal_bandwidth, temporal_bands))
        frame = read_table(file, header=not no_header)
        result = near_repeat_knox(
            x=numeric_column(frame, x),
            y=numeric_column(frame, y),
            dates=date_column(frame, date),
            distance_bands=distance_edges,
            day_bands=day_edges,
            metric=metric,
            permutations=permutations,
            seed=seed,
            compat=compat,
            event_label=event_label,
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    emit(result, as_json=as_json, summary=_text(result))


def _band_edges(distance_bands: str | None, day_bands: str | None, nrc_settings: tuple) -> tuple[list[float], list[float]]:
    given = [name for name, value in zip(_NRC_OPTIONS, nrc_settings) if value is not None]
    if given:
        if distance_bands is not None or day_bands is not None:
            raise AnalysisInputError("give either --distance-bands and --day-bands, or the Near Repeat Calculator settings, not both")
        if len(given) < len(_NRC_OPTIONS):
            missing = ", ".join(name for name in _NRC_OPTIONS if name not in given)
            raise AnalysisInputError(f"the Near Repeat Calculator settings need all four options; missing {missing}")
        bandwidth, bands, days, day_count = nrc_settings
        distance, day = nrc_band_edges(spatial_bandwidth=bandwidth, spatial_bands=bands, temporal_bandwidth=days, temporal_bands=day_count)
        return list(distance), list(day)
    if distance_bands is None or day_bands is None:
        raise AnalysisInputError(
            "give --distance-bands and --day-bands (e.g. 0,100,200,inf and 0,7,14,inf), "
            "or the Near Repeat Calculator settings --spatial-bandwidth, --spatial-bands, --temporal-bandwidth, --temporal-bands"
        )
    return _edges(distance_bands, "--distance-bands"), _edges(day_bands, "--day-bands")


def _edges(text: str, option: str) -> list[float]:
    edges = []
    for part in text.split(","):
        try:
            value = float(part.strip())
        except ValueError:
            raise AnalysisInputError(f"{option}: expected numbers separated by commas (inf allowed), found {part.strip()!r}") from None
        if math.isnan(value):
            raise AnalysisInputError(f"{option}: expected numbers separated by commas, found {part.strip()!r}")
        edges.append(value)
    return edges


def _text(result: NearRepeatResult) -> str:
    distance_labels = [_band_label(lo, hi, " m") for lo, hi in result.distance_bands]
    day_labels = [_band_label(lo, hi, " d") for lo, hi in result.day_bands]
    width = max(len(label) for label in distance_labels) + 2
    lines = [
        result.summary,
        "",
        f"{result.n_events} events, {result.metric} distance, {result.permutations} permutations, seed {result.seed}"
        + (f", compatible with: {result.compat}" if result.compat else ""),
        f"Knox ratio (observed / expected), * where more than chance at p <= {SIGNIFICANCE}:",
        " " * width + "".join(f"{label:>14}" for label in day_labels),
    ]
    for i, label in enumerate(distance_labels):
        cells = []
        for j in range(len(day_labels)):
            ratio = result.knox_ratio[i, j]
            text = "-" if np.isnan(ratio) else f"{ratio:.2f}"
            star = "*" if significant(ratio, result.p_value[i, j]) else " "
            cells.append(f"{text + star:>14}")
        lines.append(f"{label:<{width}}" + "".join(cells))
    return "\n".join(lines)


def _band_label(lo: float, hi: float, unit: str) -> str:
    if hi <= SAME_LOCATION:
        return "same location"
    low = "0" if lo <= SAME_LOCATION else f"{lo:g}"
    return f"{low}+{unit}" if math.isinf(hi) else f"{low}-{hi:g}{unit}"
