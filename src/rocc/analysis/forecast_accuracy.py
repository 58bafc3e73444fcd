"""How well a hot-spot map of one period forecasts where the events of the next fall: the Predictive Accuracy Index
(PAI), the Predictive Efficiency Index (PEI) and the Recapture Rate Index (RRI), for each method, cell size and
share of the study area a district could patrol."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rocc.analysis import study_area as areas
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.grid import grid_over
from rocc.analysis.hotspots import _checked_extent, _coordinates, _positive_metres, getis_ord_gi_star, quartic_density
from rocc.analysis.near_repeat import _day_numbers
from rocc.analysis.results import jsonable

#: How a hot-spot map ranks the cells: by last period's count, by its quartic kernel density at the cell centre,
#: or by its Getis–Ord Gi* z-score (the hot-spot page's three views).
METHODS = ("counts", "density", "gi")
METHOD_NAMES = {"counts": "grid counts", "density": "kernel density (quartic)", "gi": "Getis–Ord Gi*"}
#: The shares of the study area the hot spots may cover, by default: 1% to 20%, the range patrol plans use.
DEFAULT_SHARES = (0.01, 0.02, 0.05, 0.1, 0.2)
MAX_SCORED = 200


@dataclass(frozen=True, eq=False)
class ForecastAccuracyResult:
    """One row per (method, cell size, share of the study area) in ``scores``.

    For a hot-spot map drawn from the first period's events and covering ``hot_cells`` cells: ``hits`` are the
    second period's events in them, ``hit_rate`` = hits / N₂, ``area_share`` = hot area / study area,
    **PAI** = hit_rate / area_share; ``best_hits`` are the most second-period events any ``hot_cells`` cells hold
    (the map drawn with hindsight), **PEI** = hits / best_hits = PAI / PAI*; ``recaptured`` are the first
    period's events in the same cells, **RRI** = (hits / recaptured) / (N₂ / N₁).
    """

    scores: tuple[dict[str, Any], ...]
    events_before: int
    events_after: int
    periods: dict[str, Any]
    summary: str
    notes: tuple[str, ...]
    parameters: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.scores))

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "scores": list(self.scores),
                "events_before": self.events_before,
                "events_after": self.events_after,
                "periods": self.periods,
                "summary": self.summary,
                "notes": list(self.notes),
                "parameters": self.parameters,
            }
        )


def top_cells(score: np.ndarray, pickable: np.ndarray, k: int) -> np.ndarray:
    """The k cells a hot-spot map picks: the highest scores among the pickable cells (in the study area, with an
    event in them or, for density and Gi*, near them), ties broken by cell order (row-major). Fewer than k when
    fewer cells are pickable."""
    candidates = np.flatnonzero(pickable & np.isfinite(score))
    if candidates.size == 0 or k <= 0:
        return candidates[:0]
    order = np.lexsort((candidates, -score[candidates]))
    return candidates[order[:k]]


def prediction_scores(
    *, hits: float, best_hits: float, recaptured: float, events_before: int, events_after: int, hot_cells: int, study_cells: int
) -> dict[str, float | None]:
    """PAI, PEI and RRI from their counts (None where a denominator is 0)."""
    area_share = hot_cells / study_cells if study_cells else 0.0
    hit_rate = hits / events_after if events_after else None
    pai = hit_rate / area_share if hit_rate is not None and area_share > 0 else None
    pei = hits / best_hits if best_hits > 0 else None
    rri = (hits / recaptured) / (events_after / events_before) if recaptured > 0 and events_before and events_after else None
    return {"area_share": area_share, "hit_rate": hit_rate, "pai": pai, "pei": pei, "rri": rri}


def forecast_accuracy(
    *,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    dates: Sequence[Any] | np.ndarray,
    split: Any,
    end: Any = None,
    cells: Sequence[float] = (250.0,),
    methods: Sequence[str] = ("counts", "density", "gi"),
    shares: Sequence[float] = DEFAULT_SHARES,
    bandwidth_cells: float = 3.0,
    extent: tuple[float, float, float, float] | None = None,
    study_area: Any = None,
) -> ForecastAccuracyResult:
    """Score hot-spot maps of the events before ``split`` against the events from ``split`` (to ``end``, inclusive).

    Parameters
    ----------
    x, y
        Event coordinates in projected metres.
    dates
        Event dates (only the day counts); ``split`` is the first day of the forecast period.
    cells
        Grid cell sizes to compare (metres).
    methods
        Hot-spot methods to compare: "counts", "density" (quartic kernel, bandwidth ``bandwidth_cells`` cells) and
        "gi" (Gi* over the grid with the cell and its 8 neighbours, as the hot-spot map).
    shares
        Shares of the study area the hot spots cover (0 < share ≤ 1): the map picks that many of the study area's
        cells, highest score first.
    extent, study_area
        The study area: a bounding box (west, south, east, north) or a polygon (GeoJSON or shapely, in metres);
        cells whose centre lies outside a polygon are not part of the study area (sea, parkland). Events outside it
        are left out. Default: the bounding box of all the events.
    """

    xs, ys = _coordinates(x, name="x"), _coordinates(y, name="y")
    if len(xs) != len(ys):
        raise AnalysisInputError(f"y has {len(ys)} values but x has {len(xs)}")
    days = _day_numbers(dates)
    if len(days) != len(xs):
        raise AnalysisInputError(f"there are {len(days)} dates but {len(xs)} events")
    try:
        cut = int(np.datetime64(split, "D").astype(np.int64))
        last = None if end is None else int(np.datetime64(end, "D").astype(np.int64))
    except (TypeError, ValueError):
        raise AnalysisInputError(f"the split and end must be dates (YYYY-MM-DD), found {split!r} and {end!r}") from None
    cell_sizes = sorted({_positive_metres(c, name="cell size") for c in cells})
    if not cell_sizes:
        raise AnalysisInputError("give at least one cell size")
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise AnalysisInputError(f"unknown hot-spot method {unknown[0] if unknown else None!r}; use some of: {', '.join(METHODS)}")
    share_list = []
    for share in shares:
        try:
            value = float(share)
        except (TypeError, ValueError):
            raise AnalysisInputError(f"a share of the study area must be a number above 0 and at most 1, not {share!r}") from None
        if not 0 < value <= 1:
            raise AnalysisInputError(f"a share of the study area must be above 0 and at most 1, not {share!r}")
        share_list.append(value)
    share_list = sorted(set(share_list))
    notes: list[str] = []
    area = None
    if study_area is not None:
        area = areas.study_polygon(study_area)
        inside = areas.points_inside(area, xs, ys)
        bounds = areas.bounds(area)
    elif extent is not None:
        bounds = _checked_extent(extent)
        inside = (xs >= bounds[0]) & (xs <= bounds[2]) & (ys >= bounds[1]) & (ys <= bounds[3])
    else:
        bounds = None
        inside = np.ones(len(xs), dtype=bool)
    if (~inside).any():
        notes.append(f"{int((~inside).sum())} events outside the study area were left out")
    before = inside & (days < cut)
    after = inside & (days >= cut) & (True if last is None else days <= last)
    n_before, n_after = int(before.sum()), int(after.sum())
    if n_before == 0:
        raise AnalysisInputError(f"no event falls before {np.datetime64(cut, 'D')}, so there is no hot-spot map to score", column="date")
    if n_after == 0:
        until = "" if last is None else f" to {np.datetime64(last, 'D')}"
        raise AnalysisInputError(f"no event falls on or after {np.datetime64(cut, 'D')}{until}, so there is nothing to score against", column="date")
    rows: list[dict[str, Any]] = []
    for size in cell_sizes:
        if bounds is None:
            grid = grid_over(x=xs[inside], y=ys[inside], cell=size)
        else:
            grid = grid_over(x=xs[inside], y=ys[inside], cell=size, extent=bounds)
        if area is not None:
            eligible = areas.cells_inside(grid, area)
        else:
            eligible = np.ones(grid.size, dtype=bool)
        study_cells = int(eligible.sum())
        if study_cells == 0:
            raise AnalysisInputError(f"no {size:g} m cell has its centre inside the study area; use a smaller cell size")
        index = _cells_of(grid, xs, ys, bounds)
        first = np.bincount(index[before & (index >= 0)], minlength=grid.size).astype(np.float64)
        second = np.bincount(index[after & (index >= 0)], minlength=grid.size).astype(np.float64)
        for method in methods:
            score, pickable = _method_score(method, grid, first, xs[before], ys[before], bandwidth=bandwidth_cells * size, eligible=eligible)
            for share in share_list:
                k = max(1, int(round(share * study_cells)))
                chosen = top_cells(score, pickable, k)
                best = np.sort(second[eligible])[::-1][: len(chosen)].sum()
                hits, recaptured = float(second[chosen].sum()), float(first[chosen].sum())
                figures = prediction_scores(
                    hits=hits,
                    best_hits=float(best),
                    recaptured=recaptured,
                    events_before=n_before,
                    events_after=n_after,
                    hot_cells=len(chosen),
                    study_cells=study_cells,
                )
                rows.append(
                    {
                        "method": method,
                        "cell": size,
                        "share": share,
                        "hot_cells": len(chosen),
                        "asked_cells": k,
                        "study_cells": study_cells,
                        "hot_area_km2": len(chosen) * size * size / 1e6,
                        "hits": hits,
                        "best_hits": float(best),
                        "recaptured": recaptured,
                        **figures,
                    }
                )
                if len(chosen) < k:
                    notes.append(
                        f"{METHOD_NAMES[method]} at {size:g} m: only {len(chosen)} cells have events in or near them, fewer than the {k} "
                        f"that {share:.0%} of the study area asks for; the scores are for those {len(chosen)}"
                    )
    periods = {
        "before": {"to": str(np.datetime64(cut - 1, "D")), "events": n_before},
        "after": {"from": str(np.datetime64(cut, "D")), "to": None if last is None else str(np.datetime64(last, "D")), "events": n_after},
    }
    study_km2 = None
    if area is not None:
        study_km2 = areas.area_km2(area)
        notes.append("cells count as the study area when their centre lies inside its polygon")
    return ForecastAccuracyResult(
        scores=tuple(rows),
        events_before=n_before,
        events_after=n_after,
        periods=periods,
        summary=plain_summary(rows, periods),
        notes=tuple(dict.fromkeys(notes)),
        parameters={
            "cells": cell_sizes,
            "methods": list(methods),
            "shares": share_list,
            "bandwidth_cells": float(bandwidth_cells),
            "kernel": "quartic",
            "gi_weights": "queen contiguity including the cell itself (3×3 block), binary",
            "extent": None if bounds is None or area is not None else list(bounds),
            "study_area": None if area is None else {"type": area.geom_type, "area_km2": study_km2},
            "ties": "cells with equal scores are taken in row-major order; a cell with no event in it (counts), within the bandwidth (density) or in its 3×3 block (Gi*) is never picked",
        },
    )


def _cells_of(grid, xs: np.ndarray, ys: np.ndarray, bounds) -> np.ndarray:
    index = grid.cell_of(xs, ys)
    if bounds is not None:
        # An event exactly on the study area's east or north edge joins the last cell, as on the hot-spot map.
        col = np.clip(np.floor((xs - grid.origin[0]) / grid.cell), 0, grid.cols - 1).astype(np.int64)
        row = np.clip(np.floor((ys - grid.origin[1]) / grid.cell), 0, grid.rows - 1).astype(np.int64)
        on_edge = (index < 0) & (xs >= bounds[0]) & (xs <= bounds[2]) & (ys >= bounds[1]) & (ys <= bounds[3])
        index = np.where(on_edge, row * grid.cols + col, index)
    return index


def _method_score(
    method: str, grid, first: np.ndarray, xs: np.ndarray, ys: np.ndarray, *, bandwidth: float, eligible: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's score under ``method`` and whether the map may pick it: a cell with nothing in it (counts), no
    event within the bandwidth (density) or none in its 3×3 block (Gi*) is never a hot spot."""
    if method == "counts":
        return first, eligible & (first > 0)
    if method == "density":
        cx, cy = grid.centres()
        density = quartic_density(x=xs, y=ys, weights=None, at_x=cx, at_y=cy, bandwidth=bandwidth)
        return density, eligible & (density > 0)
    # Gi* over the study area's cells only: cells outside it are neither neighbours nor part of the mean.
    values = np.where(eligible, first, 0.0).reshape(grid.rows, grid.cols)
    z, _ = getis_ord_gi_star(values)
    from scipy import ndimage

    block = ndimage.correlate(values, np.ones((3, 3)), mode="constant", cval=0.0).ravel()
    return z.ravel(), eligible & (block > 0)


def plain_summary(rows: list[dict[str, Any]], periods: dict[str, Any]) -> str:
    """A sentence an analyst can quote: the method and cell size with the highest PAI at the share nearest 5%."""
    if not rows:
        return "Nothing was scored."
    target = min({r["share"] for r in rows}, key=lambda s: abs(s - 0.05))
    scored = [r for r in rows if r["share"] == target and r["pai"] is not None]
    if not scored:
        return f"No hot-spot map covering {target:.0%} of the study area caught any of the {periods['after']['events']} later events."
    top = max(scored, key=lambda r: (r["pai"], -r["cell"]))
    return (
        f"Covering {target:.0%} of the study area, {METHOD_NAMES[top['method']]} on {top['cell']:g} m cells forecast best: its hot spots "
        f"held {top['hit_rate']:.0%} of the {periods['after']['events']} events from {periods['after']['from']} (PAI {top['pai']:.1f}, "
        f"{top['pai']:.1f} times what the same area picked at random would catch; PEI {_maybe(top['pei'], '.0%')} of the best any map that size could do)."
    )


def _maybe(value: float | None, spec: str) -> str:
    return "–" if value is None or not math.isfinite(value) else format(value, spec)
