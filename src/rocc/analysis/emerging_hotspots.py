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
from scipy import ndimage, stats

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.grid import grid_over
from rocc.analysis.hotspots import _coordinates, getis_ord_gi_star
from rocc.analysis.near_repeat import _day_numbers
from rocc.analysis.results import jsonable

#: A cell is "most of the time" hot (or cold) when it is so in at least this share of the slices.
MOSTLY = 0.9
SIGNIFICANCE = 0.05
MAX_CUBE_BINS = 20_000_000
#: The neighbourhood time step GIS emerging hot-spot tools default to: a bin's neighbours in this slice and the one before.
TIME_STEP = 1
MAX_TIME_STEP = 52
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


def mann_kendall_many(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`mann_kendall` of every row of ``series`` (rows × slices, each row in time order) at once: S, z and p
    per row, the same figures as the test one row at a time (NaN z and p where the variance is 0 or there are fewer
    than 3 slices). A value's tie group is the number of equal values in its row, so the tie correction
    Σ t(t − 1)(2t + 5) over groups is Σ (g − 1)(2g + 5) over the values."""
    x = np.asarray(series, dtype=np.float64)
    rows, n = x.shape
    if n < 3:
        return np.zeros(rows), np.full(rows, np.nan), np.full(rows, np.nan)
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    s = (np.sign(x[:, None, :] - x[:, :, None]) * upper).sum(axis=(1, 2))
    group = (x[:, :, None] == x[:, None, :]).sum(axis=2)
    variance = (n * (n - 1) * (2 * n + 5) - ((group - 1) * (2 * group + 5)).sum(axis=1)) / 18.0
    z = np.full(rows, np.nan)
    positive = variance > 0
    root = np.sqrt(np.where(positive, variance, 1.0))
    z[positive] = np.where(s > 0, (s - 1) / root, np.where(s < 0, (s + 1) / root, 0.0))[positive]
    return s.astype(np.float64), z, 2 * stats.norm.sf(np.abs(z))


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


def space_time_gi_star(cube: np.ndarray, *, time_step: int = TIME_STEP) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided normal p-values of every bin of a count cube (slices × rows × cols), with binary
    space–time weights that include the bin itself: its 3×3 block of cells in its own slice and in each of the
    ``time_step`` slices before it (fewer at the start of the cube), as GIS emerging hot-spot tools weigh a bin's
    neighbourhood. Every bin of the cube is one of the n features: the neighbourhood's sum is compared with the
    cube's mean and standard deviation,

        z = (Σⱼ wᵢⱼ xⱼ − x̄ Σⱼ wᵢⱼ) / (S √[(n Σⱼ wᵢⱼ² − (Σⱼ wᵢⱼ)²) / (n − 1)]).

    ``time_step`` 0 is each slice on its own (its own mean and spread, the hot-spot map's Gi* of that slice)."""
    values = np.asarray(cube, dtype=np.float64)
    if values.ndim != 3:
        raise AnalysisInputError("a space–time cube has three dimensions: slices, rows and columns")
    if time_step == 0:
        z, p = np.empty_like(values), np.empty_like(values)
        for k in range(values.shape[0]):
            z[k], p[k] = getis_ord_gi_star(values[k])
        return z, p
    block = np.ones((1, 3, 3))
    spatial_sum = ndimage.correlate(values, block, mode="constant", cval=0.0)
    spatial_count = ndimage.correlate(np.ones_like(values), block, mode="constant", cval=0.0)

    # The sum over this slice and the time_step before it, from cumulative sums along time.
    def lagged(a: np.ndarray) -> np.ndarray:
        running = np.cumsum(a, axis=0)
        out = running.copy()
        out[time_step + 1 :] -= running[: -(time_step + 1)]
        return out

    local_sum, neighbours = lagged(spatial_sum), lagged(spatial_count)
    n = values.size
    mean, spread = values.mean(), values.std()
    z = np.full(values.shape, np.nan)
    if n > 1 and spread > 1e-9 * np.abs(values).max():
        variance_factor = (n * neighbours - neighbours**2) / (n - 1)
        defined = variance_factor > 0
        z[defined] = (local_sum[defined] - mean * neighbours[defined]) / (spread * np.sqrt(variance_factor[defined]))
    return z, 2.0 * stats.norm.sf(np.abs(z))


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
    time_step: int = TIME_STEP,
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
    time_step
        The neighbourhood time step: a bin's Gi* counts its 3×3 block of cells in its own slice and in this many
        slices before it, against the whole cube (1, the GIS tools' default); 0 compares each slice with itself
        alone. See :func:`space_time_gi_star`.
    """

    xs, ys = _coordinates(x, name="x"), _coordinates(y, name="y")
    days = _day_numbers(dates)
    if not len(xs) == len(ys) == len(days):
        raise AnalysisInputError(f"x, y and dates must have one value per event; found {len(xs)}, {len(ys)} and {len(days)}")
    if isinstance(slice_days, bool) or not isinstance(slice_days, (int, np.integer)) or slice_days < 1:
        raise AnalysisInputError(f"the slice length must be a whole number of days of at least 1, not {slice_days!r}")
    if isinstance(time_step, bool) or not isinstance(time_step, (int, np.integer)) or not 0 <= time_step <= MAX_TIME_STEP:
        raise AnalysisInputError(f"the neighbourhood time step must be a whole number of slices from 0 to {MAX_TIME_STEP}, not {time_step!r}")
    time_step = int(time_step)
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
    if time_step >= complete:
        raise AnalysisInputError(f"the neighbourhood time step ({time_step} slices) must be less than the {complete} whole slices")
    z, p = space_time_gi_star(cube.reshape(complete, grid.rows, grid.cols), time_step=time_step)
    z, p = z.reshape(complete, grid.size), p.reshape(complete, grid.size)
    with np.errstate(invalid="ignore"):
        hot = (z > 0) & (p <= significance)
        cold = (z < 0) & (p <= significance)
    centres_x, centres_y = grid.centres()
    totals = cube.sum(axis=0)
    rows = []
    with_events = np.flatnonzero(totals > 0)
    trend_s, trend_zs, trend_ps = mann_kendall_many(np.nan_to_num(z[:, with_events].T, nan=0.0))
    for i, s, trend_z, trend_p in zip(with_events, trend_s.tolist(), trend_zs.tolist(), trend_ps.tolist(), strict=True):
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
            "time_step": time_step,
            "gi_weights": (
                "each slice on its own: the cell and its 8 neighbours (3×3 block), binary, as the hot-spot map"
                if time_step == 0
                else f"space–time: the cell and its 8 neighbours (3×3 block) in its slice and the {time_step} slice{'s' if time_step != 1 else ''} "
                "before it, binary, against the whole cube's mean and standard deviation"
            ),
            "trend": "Mann–Kendall on each cell's Gi* z-scores, tie-corrected variance, continuity-corrected z, two-sided",
        },
    )
