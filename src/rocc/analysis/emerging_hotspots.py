"""Emerging hot spots: events counted in a space–time cube (the hot-spot grid's cells × equal time slices), Getis–Ord
Gi* of each slice, a Mann–Kendall trend of each cell's Gi* over the slices, and each cell's pattern (new,
consecutive, intensifying, persistent, diminishing, sporadic, oscillating or historical; hot or cold)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.grid import grid_over
from rocc.analysis.hotspots import _coordinates, getis_ord_gi_star
from rocc.analysis.near_repeat import _day_numbers
from rocc.analysis.results import jsonable

#: A cell is "most of the time" hot (or cold) when it is so in at least this share of the slices.
MOSTLY = 0.9
SIGNIFICANCE = 0.05
MAX_CUBE_BINS = 20_000_000
PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating", "historical")
NO_PATTERN = "no pattern"


def mann_kendall(values: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """The Mann–Kendall trend test of a series in time order: S = Σ over pairs i < j of sign(xⱼ − xᵢ), its variance
    with the correction for tied values, the continuity-corrected z and the two-sided normal p. (S, z, p)."""
    x = np.asarray(values, dtype=np.float64)
    n = len(x)
    if n < 3:
        return 0.0, math.nan, math.nan
    s = float(np.sign(x[None, :] - x[:, None])[np.triu_indices(n, 1)].sum())
    _, ties = np.unique(x, return_counts=True)
    variance = (n * (n - 1) * (2 * n + 5) - float((ties * (ties - 1) * (2 * ties + 5)).sum())) / 18.0
    if variance <= 0:
        return s, math.nan, math.nan
    z = (s - 1) / math.sqrt(variance) if s > 0 else ((s + 1) / math.sqrt(variance) if s < 0 else 0.0)
    return s, z, float(2 * stats.norm.sf(abs(z)))


def classify(hot: Sequence[bool], cold: Sequence[bool], trend_z: float, trend_p: float, *, significance: float = SIGNIFICANCE) -> str:
    """A cell's pattern from whether it was a significant hot (cold) spot in each slice, oldest first, and the trend
    of its Gi* z-scores, as GIS emerging hot-spot tools define the categories. Hot patterns are tested first; a
    cold pattern is the same test with hot and cold swapped and the trend reversed."""
    for kind, same, other, sign in (("hot", hot, cold, 1), ("cold", cold, hot, -1)):
        name = _pattern(list(map(bool, same)), list(map(bool, other)), sign * trend_z if math.isfinite(trend_z) else math.nan, trend_p, significance)
        if name is not None:
            return f"{name} {kind} spot"
    return NO_PATTERN


def _pattern(same: list[bool], other: list[bool], trend_z: float, trend_p: float, significance: float) -> str | None:
    n = len(same)
    share = sum(same) / n
    rising = math.isfinite(trend_z) and trend_p <= significance and trend_z > 0
    falling = math.isfinite(trend_z) and trend_p <= significance and trend_z < 0
    if not same[-1]:
        return "historical" if share >= MOSTLY else None
    if share >= MOSTLY:
        return "intensifying" if rising else ("diminishing" if falling else "persistent")
    if not any(same[:-1]):
        return "new"
    run = 0
    while run < n and same[n - 1 - run]:
        run += 1
    if run >= 2 and not any(same[: n - run]):
        return "consecutive"
    return "oscillating" if any(other[:-1]) else "sporadic"


@dataclass(frozen=True, eq=False)
class EmergingHotspotsResult:
    """One row per grid cell with at least one event in the cube (in ``cells``): its centre, events, the Gi* z of
    each slice (``gi_z``, oldest first), whether it was a significant hot (+1) or cold (−1) spot in each slice
    (``spots``), the Mann–Kendall trend of its z-scores (S, z, p) and its pattern. ``slices`` gives each slice's
    first and last day."""

    cells: tuple[dict[str, Any], ...]
    slices: tuple[dict[str, str], ...]
    grid: dict[str, Any]
    counts: dict[str, int]
    summary: str
    notes: tuple[str, ...]
    parameters: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{k: v for k, v in cell.items() if k not in ("gi_z", "spots")} for cell in self.cells])

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "cells": list(self.cells),
                "slices": list(self.slices),
                "grid": self.grid,
                "counts": self.counts,
                "summary": self.summary,
                "notes": list(self.notes),
                "parameters": self.parameters,
            }
        )


def emerging_hotspots(
    *,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    dates: Sequence[Any] | np.ndarray,
    cell: float,
    slice_days: int = 28,
    start: Any = None,
    extent: tuple[float, float, float, float] | None = None,
    significance: float = SIGNIFICANCE,
) -> EmergingHotspotsResult:
    """Emerging hot spots of events over a space–time cube.

    Parameters
    ----------
    x, y
        Event coordinates in projected metres.
    dates
        Event dates; only the day counts.
    cell
        The grid's cell size (metres), the hot-spot map's grid over the events (or ``extent``).
    slice_days
        The length of each time slice in days (28: four weeks). Slices run from ``start`` (default the first
        event's day); a last slice shorter than the others is left out (its events are counted in the notes), so
        every slice is comparable.
    significance
        A cell is a significant hot (cold) spot in a slice when its Gi* z is positive (negative) with a two-sided
        normal p at most this, and its trend is significant when the Mann–Kendall p is at most this.
    """

    xs, ys = _coordinates(x, name="x"), _coordinates(y, name="y")
    days = _day_numbers(dates)
    if not len(xs) == len(ys) == len(days):
        raise AnalysisInputError(f"x, y and dates must have one value per event; found {len(xs)}, {len(ys)} and {len(days)}")
    if isinstance(slice_days, bool) or not isinstance(slice_days, (int, np.integer)) or slice_days < 1:
        raise AnalysisInputError(f"the slice length must be a whole number of days of at least 1, not {slice_days!r}")
    first = int(days.min()) if start is None else int(np.datetime64(start, "D").astype(np.int64))
    slice_of = (days - first) // int(slice_days)
    complete = int((days.max() - first + 1) // int(slice_days))
    notes: list[str] = []
    if complete < 3:
        raise AnalysisInputError(
            f"the events span {int(days.max() - first + 1)} days from {np.datetime64(first, 'D')}: fewer than three whole slices of {slice_days} days; "
            "use shorter slices or more events",
            column="date",
        )
    kept = (slice_of >= 0) & (slice_of < complete)
    if (~kept).any():
        notes.append(f"{int((~kept).sum())} events fall outside the {complete} whole slices of {slice_days} days and were left out")
    grid = grid_over(x=xs[kept], y=ys[kept], cell=cell, extent=extent)
    if grid.size * complete > MAX_CUBE_BINS:
        raise AnalysisInputError(f"the cube would have {grid.size * complete:,} bins (more than {MAX_CUBE_BINS:,}); use larger cells or longer slices")
    index = grid.cell_of(xs, ys)
    kept &= index >= 0
    cube = np.zeros((complete, grid.size))
    np.add.at(cube, (slice_of[kept], index[kept]), 1.0)
    z = np.empty_like(cube)
    p = np.empty_like(cube)
    for k in range(complete):
        zk, pk = getis_ord_gi_star(cube[k].reshape(grid.rows, grid.cols))
        z[k], p[k] = zk.ravel(), pk.ravel()
    with np.errstate(invalid="ignore"):
        hot = (z > 0) & (p <= significance)
        cold = (z < 0) & (p <= significance)
    centres_x, centres_y = grid.centres()
    totals = cube.sum(axis=0)
    rows = []
    for i in np.flatnonzero(totals > 0):
        series = np.nan_to_num(z[:, i], nan=0.0)
        s, trend_z, trend_p = mann_kendall(series)
        rows.append(
            {
                "x": float(centres_x[i]),
                "y": float(centres_y[i]),
                "events": int(totals[i]),
                "gi_z": [None if not math.isfinite(v) else float(v) for v in z[:, i]],
                "spots": [1 if h else (-1 if c else 0) for h, c in zip(hot[:, i], cold[:, i], strict=True)],
                "trend_s": s,
                "trend_z": trend_z,
                "trend_p": trend_p,
                "pattern": classify(hot[:, i].tolist(), cold[:, i].tolist(), trend_z, trend_p, significance=significance),
            }
        )
    names = [f"{name} {kind} spot" for kind in ("hot", "cold") for name in PATTERNS]
    counts = {name: sum(1 for r in rows if r["pattern"] == name) for name in names + [NO_PATTERN]}
    slices = tuple(
        {"from": str(np.datetime64(first + k * slice_days, "D")), "to": str(np.datetime64(first + (k + 1) * slice_days - 1, "D"))} for k in range(complete)
    )
    if complete < 10:
        notes.append(f"only {complete} slices: the Mann–Kendall trend has little power with fewer than 10, so few cells can show one")
    found = [f"{counts[name]} {name}{'s' if counts[name] != 1 else ''}" for name in names if counts[name]]
    summary = (
        f"Over {complete} slices of {slice_days} days from {slices[0]['from']}: "
        + (", ".join(found) if found else "no cell shows a hot- or cold-spot pattern")
        + "."
    )
    return EmergingHotspotsResult(
        cells=tuple(rows),
        slices=slices,
        grid=grid.to_dict(),
        counts=counts,
        summary=summary,
        notes=tuple(notes),
        parameters={
            "cell": grid.cell,
            "slice_days": int(slice_days),
            "start": slices[0]["from"],
            "significance": significance,
            "mostly": MOSTLY,
            "gi_weights": "each slice on its own: the cell and its 8 neighbours (3×3 block), binary, as the hot-spot map",
            "trend": "Mann–Kendall on each cell's Gi* z-scores, tie-corrected variance, continuity-corrected z, two-sided",
        },
    )
