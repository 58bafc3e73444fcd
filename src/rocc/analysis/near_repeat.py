"""The near-repeat Knox test: how much more often events fall close together in both space and time than chance would give."""

from __future__ import annotations

import datetime
import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from rocc.analysis import inputs
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.results import jsonable, p_phrase

METRICS = ("manhattan", "euclidean")
COMPAT_MODES = ("nrc",)

#: Upper edge of the Near Repeat Calculator's "same location" band: the smallest positive
#: number, so the band [0, SAME_LOCATION) holds exactly the pairs at distance zero.
SAME_LOCATION = math.ulp(0.0)

#: The level at which a cell is called significant (p ≤ this), in the summary, the CLI and the pages.
SIGNIFICANCE = 0.05

#: More close pairs than this would not fit in memory on an analyst's machine (about 10 bytes each).
MAX_CLOSE_PAIRS = 250_000_000
MAX_DISTANCE_BANDS = 1000

# Permutations are tallied in blocks of this many: a pair's dates under the whole block fill one
# or two cache lines, and memory stays flat however many permutations are asked for.
_BLOCK = 64

# Below this much work (pairs x permutations) one core is faster than starting threads on all.
_PARALLEL_WORK = 2_000_000

#: Linked pairs kept with a result, with their events' coordinates, for the map and its table (the Knox table and
#: the chain counts always hold every pair; the result says how many there are in all). The near-repeat chains use
#: the same number.
MAX_PAIRS_KEPT = 2000


@dataclass(frozen=True, eq=False)
class NearRepeatResult:
    """The Knox table of a set of events: one row per distance band, one column per day band.

    ``observed`` counts the pairs of events in each cell; ``expected`` is the mean count over the
    permutations (dates shuffled among the events, locations fixed); ``knox_ratio`` is observed over
    expected (NaN where expected is 0); ``p_value`` is (1 + permutations with a count at least the
    observed) / (permutations + 1). Band edges are in the coordinates' units (metres) and days;
    each band is half-open, [lo, hi).
    """

    n_events: int
    metric: str
    compat: str | None
    distance_bands: tuple[tuple[float, float], ...]
    day_bands: tuple[tuple[float, float], ...]
    observed: np.ndarray
    expected: np.ndarray
    knox_ratio: np.ndarray
    p_value: np.ndarray
    permutations: int
    seed: int | None
    summary: str
    #: The (distance band, day band) the summary quotes, or None.
    summary_cell: tuple[int, int] | None = None
    event_label: str = "event"
    #: The close pairs (in a finite distance band and a finite day band), nearest band first, then soonest, then
    #: nearest: at most MAX_PAIRS_KEPT of them, each with its events' rows (1-based, in the order given) and
    #: coordinates, its distance, its days apart and its cell of the table. No event identifier, no person.
    pairs: tuple[dict[str, Any], ...] = ()
    #: How many close pairs there are in all (``len(pairs)`` is fewer when there are more than MAX_PAIRS_KEPT).
    pairs_total: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready document: infinite band edges and undefined Knox ratios become null."""
        return jsonable(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per cell of the table, in row-major order."""
        rows = []
        for i, (d_lo, d_hi) in enumerate(self.distance_bands):
            for j, (t_lo, t_hi) in enumerate(self.day_bands):
                rows.append(
                    {
                        "distance_from": d_lo,
                        "distance_to": d_hi,
                        "days_from": t_lo,
                        "days_to": t_hi,
                        "observed": int(self.observed[i, j]),
                        "expected": float(self.expected[i, j]),
                        "knox_ratio": float(self.knox_ratio[i, j]),
                        "p_value": float(self.p_value[i, j]),
                    }
                )
        return pd.DataFrame(rows)


def nrc_band_edges(
    *, spatial_bandwidth: float, spatial_bands: int, temporal_bandwidth: int, temporal_bands: int
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The distance and day band edges that reproduce the Near Repeat Calculator's table for its settings.

    The Calculator adds a "same location" band (distance exactly 0) and "more than" bands on both
    axes; its label "a to b" stands for the interval [a - 1, b). So a spatial bandwidth of 100 m
    with 3 bands gives edges 0, SAME_LOCATION, 100, 200, 300, inf, and a temporal bandwidth of
    7 days with 3 bands gives 0, 7, 14, 21, inf.
    """
    _check_positive(spatial_bandwidth, "spatial bandwidth")
    _check_count(spatial_bands, "number of spatial bands")
    _check_count(temporal_bandwidth, "temporal bandwidth (days)")
    _check_count(temporal_bands, "number of temporal bands")
    distance = (0.0, SAME_LOCATION, *(float(spatial_bandwidth) * k for k in range(1, spatial_bands + 1)), math.inf)
    days = (*(float(temporal_bandwidth) * k for k in range(temporal_bands + 1)), math.inf)
    return distance, days


def near_repeat_knox(
    *,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    dates: Sequence[Any] | np.ndarray,
    distance_bands: Sequence[float],
    day_bands: Sequence[float],
    metric: str = "manhattan",
    permutations: int = 999,
    seed: int | np.random.Generator | None = None,
    compat: str | None = None,
    event_label: str = "event",
) -> NearRepeatResult:
    """The Knox test for near repeats over every unordered pair of events.

    Parameters
    ----------
    x, y
        Event coordinates in a projected system (metres).
    dates
        Event dates (datetime64, ``datetime.date``, ISO strings, or whole day numbers); only the
        calendar day counts, and a pair's time difference is the absolute difference in days.
    distance_bands, day_bands
        Band edges E0 < E1 < ... (metres; days). A pair goes in band [Ek, Ek+1); a pair below the
        first edge or at or beyond the last is not counted. The last edge may be ``inf``.
    metric
        ``"manhattan"`` (|dx| + |dy|, the default) or ``"euclidean"``.
    permutations
        How many times the dates are shuffled among the events to build the null distribution.
    seed
        An integer (recorded in the result), a numpy Generator, or None for a fresh seed that is
        recorded so the run can be repeated. Permutation k gives event i the date of event
        ``perm[i]``, where ``perm = rng.permutation(n_events)`` is the k-th draw.
    compat
        ``"nrc"`` computes distances in single precision, as the Near Repeat Calculator does, so
        that together with :func:`nrc_band_edges` its tables are reproduced exactly.
    event_label
        What the events are ("burglary"), for the plain-language ``summary``.
    """
    xs, ys, days = _validated_events(x, y, dates)
    distance_edges = _validated_edges(distance_bands, "distance")
    day_edges = _validated_edges(day_bands, "day")
    if len(distance_edges) - 1 > MAX_DISTANCE_BANDS:
        raise AnalysisInputError(f"at most {MAX_DISTANCE_BANDS} distance bands are supported")
    if metric not in METRICS:
        raise AnalysisInputError(f"unknown metric {metric!r}; use one of: {', '.join(METRICS)}")
    if compat is not None and compat not in COMPAT_MODES:
        raise AnalysisInputError(f"unknown compatibility mode {compat!r}; the one available is: {', '.join(COMPAT_MODES)}")
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 1:
        raise AnalysisInputError(f"permutations must be a whole number of at least 1, not {permutations!r}")
    permutations = int(permutations)
    rng, seed_used = inputs.rng(seed)

    x_given, y_given = xs, ys
    if compat == "nrc":
        xs, ys = xs.astype(np.float32), ys.astype(np.float32)
    # With an open-ended last distance band, its counts are all pairs minus the nearer ones, so
    # only pairs nearer than the last finite edge are ever enumerated.
    beyond_row = math.isinf(distance_edges[-1])
    enumerated_edges = distance_edges[:-1] if beyond_row else distance_edges
    order, pair_a, pair_b, pair_row = _close_pairs(xs, ys, enumerated_edges, keep_below=beyond_row, euclidean=(metric == "euclidean"))

    first_day = days.min()
    day_number = (days - first_day).astype(np.int32)
    span = int(day_number.max())
    day_column = np.searchsorted(day_edges, np.arange(span + 1), side="right") - 1
    day_column[day_column >= len(day_edges) - 1] = -1
    day_column = day_column.astype(np.int32)
    n_columns = len(day_edges) - 1
    n_rows = len(enumerated_edges) - 1 + (1 if beyond_row else 0)
    all_pairs = _pairs_by_day_band(day_number, day_edges) if beyond_row else None

    def tables(event_days: np.ndarray) -> np.ndarray:
        counts = _tally(pair_a, pair_b, pair_row, event_days, day_column, n_rows, n_columns)
        if all_pairs is not None:  # given exactly when the last band is open-ended
            # The last tallied row holds the pairs below the first edge: nearer pairs all the same.
            beyond = all_pairs[None, :] - counts.sum(axis=1)
            counts = np.concatenate([counts[:, :-1, :], beyond[:, None, :]], axis=1)
        return counts

    observed = tables(np.ascontiguousarray(day_number[order][:, None]))[0]
    n = len(day_number)
    total = np.zeros_like(observed)
    at_least = np.zeros_like(observed)
    block = np.empty((_BLOCK, n), dtype=np.int32)
    for start in range(0, permutations, _BLOCK):
        size = min(_BLOCK, permutations - start)
        for k in range(size):
            block[k] = day_number[rng.permutation(n)][order]
        permuted = tables(np.ascontiguousarray(block[:size].T))
        total += permuted.sum(axis=0)
        at_least += (permuted >= observed[None, :, :]).sum(axis=0)

    expected = total / permutations
    with np.errstate(divide="ignore", invalid="ignore"):
        knox_ratio = np.where(expected > 0, observed / np.where(expected > 0, expected, 1.0), np.nan)
    p_value = (1 + at_least) / (permutations + 1)
    distance_pairs = tuple((float(lo), float(hi)) for lo, hi in zip(distance_edges[:-1], distance_edges[1:]))
    day_pairs = tuple((float(lo), float(hi)) for lo, hi in zip(day_edges[:-1], day_edges[1:]))
    for array in (observed, expected, knox_ratio, p_value):
        array.setflags(write=False)
    label = (event_label or "event").strip()
    summary, summary_cell = plain_summary(
        distance_bands=distance_pairs,
        day_bands=day_pairs,
        knox_ratio=knox_ratio,
        p_value=p_value,
        permutations=permutations,
        event_label=label,
    )
    pairs, pairs_total = _close_pairs_kept(
        x_given, y_given, day_number, order, pair_a, pair_b, pair_row, day_column, day_edges,
        finite_rows=len(enumerated_edges) - 1, euclidean=(metric == "euclidean"),
    )  # fmt: skip
    return NearRepeatResult(
        n_events=n,
        metric=metric,
        compat=compat,
        distance_bands=distance_pairs,
        day_bands=day_pairs,
        observed=observed,
        expected=expected,
        knox_ratio=knox_ratio,
        p_value=p_value,
        permutations=permutations,
        seed=seed_used,
        summary=summary,
        summary_cell=summary_cell,
        event_label=label,
        pairs=pairs,
        pairs_total=pairs_total,
    )


def _close_pairs_kept(
    xs, ys, day_number, order, pair_a, pair_b, pair_row, day_column, day_edges, *, finite_rows: int, euclidean: bool
) -> tuple[tuple[dict[str, Any], ...], int]:
    """The close pairs (a finite distance band and a finite day band of the table) for the map: how many there are,
    and the first MAX_PAIRS_KEPT by distance band, day band, distance and rows, with their events' coordinates."""
    a, b = order[pair_a], order[pair_b]  # rows in the order given
    gap = np.abs(day_number[a] - day_number[b])
    column = day_column[gap]
    finite_columns = len(day_edges) - 1 - (1 if math.isinf(day_edges[-1]) else 0)
    close = (pair_row < finite_rows) & (column >= 0) & (column < finite_columns)
    a, b, gap, column, row = a[close], b[close], gap[close], column[close], pair_row[close].astype(np.int64)
    dx, dy = np.abs(xs[a] - xs[b]), np.abs(ys[a] - ys[b])
    distance = np.sqrt(dx * dx + dy * dy) if euclidean else dx + dy
    first, second = np.minimum(a, b), np.maximum(a, b)
    keep = np.lexsort((second, first, distance, column, row))[:MAX_PAIRS_KEPT]
    pairs = tuple(
        {
            "row_a": int(first[k]) + 1,
            "row_b": int(second[k]) + 1,
            "x_a": float(xs[first[k]]),
            "y_a": float(ys[first[k]]),
            "x_b": float(xs[second[k]]),
            "y_b": float(ys[second[k]]),
            "distance": round(float(distance[k]), 3),
            "days": int(gap[k]),
            "distance_band": int(row[k]),
            "day_band": int(column[k]),
        }
        for k in keep.tolist()
    )
    return pairs, int(close.sum())


# --- checking input ---------------------------------------------------------------------------


def _check_positive(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value) or value <= 0:
        raise AnalysisInputError(f"the {name} must be a positive number, not {value!r}")


def _check_count(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise AnalysisInputError(f"the {name} must be a whole number of at least 1, not {value!r}")


def _validated_edges(edges: Sequence[float], name: str) -> np.ndarray:
    try:
        values = np.asarray(edges, dtype=np.float64)
    except (TypeError, ValueError):
        raise AnalysisInputError(f"{name} bands must be numbers, found {list(edges)!r}") from None
    if values.ndim != 1 or values.size < 2:
        raise AnalysisInputError(f"{name} bands need at least two edges (one band), found {values.tolist()}")
    if np.isnan(values).any():
        raise AnalysisInputError(f"{name} bands must be numbers, found NaN")
    if (values < 0).any():
        raise AnalysisInputError(f"{name} bands cannot be negative, found {values[values < 0][0]:g}")
    if np.isinf(values[:-1]).any():
        raise AnalysisInputError(f"only the last {name} band edge may be inf")
    steps = np.diff(values)
    if (steps <= 0).any():
        k = int(np.flatnonzero(steps <= 0)[0])
        raise AnalysisInputError(f"{name} bands must be strictly increasing, but {values[k]:g} is followed by {values[k + 1]:g}")
    return values


def _validated_events(x: Any, y: Any, dates: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    coordinates = []
    for name, values in (("x", x), ("y", y)):
        try:
            array = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise AnalysisInputError("expected numeric coordinates", column=name) from None
        if array.ndim != 1:
            raise AnalysisInputError("expected a one-dimensional list of coordinates", column=name)
        bad = ~np.isfinite(array)
        if bad.any():
            raise AnalysisInputError("expected a finite number, found a missing or infinite value", column=name, row=int(np.flatnonzero(bad)[0]) + 1)
        coordinates.append(array)
    days = _day_numbers(dates)
    lengths = {len(coordinates[0]), len(coordinates[1]), len(days)}
    if len(lengths) != 1:
        raise AnalysisInputError(f"x, y and dates must have one value per event; found {len(coordinates[0])}, {len(coordinates[1])} and {len(days)}")
    if len(days) < 2:
        raise AnalysisInputError(f"the Knox test needs at least two events, found {len(days)}")
    if days.min() == days.max():
        day = np.datetime64(int(days[0]), "D")
        raise AnalysisInputError(
            f"all {len(days)} events fall on one day ({day}); the Knox test needs events on at least two different days",
            column="date",
        )
    return coordinates[0], coordinates[1], days


def _day_numbers(dates: Any) -> np.ndarray:
    # Time-zone-aware dates count by their local calendar day, not by the day in UTC.
    if isinstance(dates, pd.Series) and isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)
    elif isinstance(dates, pd.Index) and isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.tz_localize(None)
    array = np.asarray(dates)
    if array.dtype == object:
        array = np.array([v.replace(tzinfo=None) if isinstance(v, datetime.datetime) and v.tzinfo else v for v in array], dtype=object)
    if array.ndim != 1:
        raise AnalysisInputError("expected a one-dimensional list of dates", column="date")
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind == "f":
        whole = np.isfinite(array) & (array == np.round(array))
        if not whole.all():
            raise AnalysisInputError("expected whole day numbers", column="date", row=int(np.flatnonzero(~whole)[0]) + 1)
        return array.astype(np.int64)
    try:
        as_days = array.astype("datetime64[D]")
    except (TypeError, ValueError):
        # Only ISO dates: guessing whether 01/02/2016 is the 1st of February or the 2nd of January
        # would risk a silent wrong answer (rocc.analysis.inputs.date_column reads files day first).
        parsed = pd.to_datetime(pd.Series(array, dtype=object), errors="coerce", format="ISO8601", utc=True)
        as_days = parsed.dt.tz_localize(None).to_numpy().astype("datetime64[D]")
    missing = np.isnat(as_days)
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        value = array[first].item() if isinstance(array[first], np.generic) else array[first]
        raise AnalysisInputError(f"expected a date (ISO, e.g. 2024-03-01), found {value!r}", column="date", row=first + 1)
    return as_days.astype(np.int64)


# --- the all-pairs day counts, the same under every permutation --------------------------------


def _pairs_by_day_band(day_number: np.ndarray, day_edges: np.ndarray) -> np.ndarray:
    """How many of all n(n-1)/2 pairs fall in each day band, from the events per day alone."""
    per_day = np.bincount(day_number).astype(np.int64)
    days = per_day.size
    before = np.concatenate([[0], np.cumsum(per_day)])  # before[i]: events on days < i
    result = np.zeros(len(day_edges) - 1, dtype=np.int64)
    for column, (lo, hi) in enumerate(zip(day_edges[:-1], day_edges[1:])):
        # Gaps are whole days, so gap >= lo and gap < hi mean gap in [ceil(lo), ceil(hi)).
        first = int(math.ceil(lo)) if lo < days else days
        stop = days if math.isinf(hi) else min(int(math.ceil(hi)), days)
        count = 0
        if first == 0 and stop > 0:
            count += int((per_day * (per_day - 1) // 2).sum())
            first = 1
        if stop > first:
            start = np.arange(days)
            upper = before[np.minimum(start + stop, days)]
            lower = before[np.minimum(start + first, days)]
            count += int((per_day * (upper - lower)).sum())
        result[column] = count
    return result


# --- enumerating close pairs without an n x n matrix --------------------------------------------


def _kernels() -> ModuleType:
    """The compiled loops, imported when a test first runs: importing numba takes a good part of a second, which the
    pages and maps that only read this module's band words and limits need not wait for."""
    return importlib.import_module("rocc.analysis.near_repeat_kernels")


def _close_pairs(
    xs: np.ndarray, ys: np.ndarray, edges: np.ndarray, *, keep_below: bool, euclidean: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every pair nearer than the last of ``edges``, with its band row, found through a grid.

    Events are reordered by grid cell (``order``), which keeps each pair's two dates close in
    memory during the permutations; pair indices refer to that order. Pairs below the first edge
    are kept in an extra last row only when ``keep_below`` (the open-ended band needs them).
    """
    n = xs.size
    radius = float(edges[-1])
    empty = np.empty(0, dtype=np.int32)
    if radius <= 0:
        return np.arange(n), empty, empty, np.empty(0, dtype=np.int16)
    x64, y64 = xs.astype(np.float64), ys.astype(np.float64)
    x_min, y_min = x64.min(), y64.min()
    extent = max(x64.max() - x_min, y64.max() - y_min)
    # Cells a little wider than the radius, so rounding in the cell index (or in single-precision
    # distances) can never separate a close pair by more than one cell; and never so many cells
    # that the cell keys overflow.
    cell = max(radius * (1 + 1e-5), extent / 1e6)
    column = np.floor((x64 - x_min) / cell).astype(np.int64)
    row = np.floor((y64 - y_min) / cell).astype(np.int64)
    width = int(column.max()) + 3
    key = row * width + column
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.diff(sorted_key)) + 1
    cell_start = np.concatenate([[0], starts, [n]]).astype(np.int64)
    cell_key = sorted_key[cell_start[:-1]]
    sx, sy = np.ascontiguousarray(xs[order]), np.ascontiguousarray(ys[order])
    edges = np.ascontiguousarray(edges, dtype=np.float64)

    # Many small groups of cells, so a dense town centre does not leave one core with most of the work.
    kernels = _kernels()
    n_groups = 8 * kernels.threads() if n >= _PARALLEL_WORK // 100 else 1
    grid = (sx, sy, cell_start, cell_key, width, edges, keep_below, euclidean)

    def scan(fill: bool, counts: np.ndarray, offsets: np.ndarray, *pairs: np.ndarray) -> None:
        if n_groups == 1:
            kernels.scan_cells(0, cell_key.size, *grid, fill, counts, offsets, *pairs)
        else:
            kernels.scan_cells_in_parallel(n_groups, *grid, fill, counts, offsets, *pairs)

    counts = np.zeros(cell_key.size, dtype=np.int64)
    unused = np.empty(0, dtype=np.int32)
    scan(False, counts, counts, unused, unused, np.empty(0, dtype=np.int16))
    total = int(counts.sum())
    if total > MAX_CLOSE_PAIRS:
        raise AnalysisInputError(
            f"{total:,} pairs of events are nearer than {radius:g}: too many to hold in memory; use a smaller last finite distance band edge"
        )
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    pair_a = np.empty(total, dtype=np.int32)
    pair_b = np.empty(total, dtype=np.int32)
    pair_row = np.empty(total, dtype=np.int16)
    scan(True, counts, offsets, pair_a, pair_b, pair_row)
    return order, pair_a, pair_b, pair_row


# --- the permutation tallies --------------------------------------------------------------------


def _tally(pair_a, pair_b, pair_row, event_days, day_column, n_rows, n_columns) -> np.ndarray:
    """The table of close pairs under each date assignment (column) of ``event_days``."""
    block = event_days.shape[1]
    # Starting the cores' threads costs more than small tallies take on one core.
    kernels = _kernels()
    n_groups = kernels.threads() if pair_a.size * block >= _PARALLEL_WORK else 1
    tables = np.zeros((n_groups, block, n_rows, n_columns), dtype=np.int64)
    if n_groups == 1:
        kernels.tally_pairs(0, pair_a.size, pair_a, pair_b, pair_row, event_days, day_column, tables[0])
    else:
        kernels.tally_in_parallel(n_groups, pair_a, pair_b, pair_row, event_days, day_column, tables)
    return tables.sum(axis=0)


# --- the plain-language summary -----------------------------------------------------------------


def significant(ratio: float | None, p: float | None) -> bool:
    """Whether a cell shows near repeats: more pairs than chance would give, at p <= SIGNIFICANCE."""
    return ratio is not None and p is not None and math.isfinite(ratio) and ratio > 1 and p <= SIGNIFICANCE


def plain_summary(*, distance_bands, day_bands, knox_ratio, p_value, permutations: int, event_label: str = "event") -> tuple[str, tuple[int, int] | None]:
    """One sentence an analyst can quote, and the cell it quotes: the first significant close cell
    (finite bands only), nearest distance band first, then soonest day band. The CLI and the pages
    both print this sentence; it is the only place it is written."""
    label = (event_label or "event").strip()
    if 1 / (permutations + 1) > SIGNIFICANCE:
        needed = math.ceil(1 / SIGNIFICANCE) - 1
        return (
            f"With {permutations} permutations no p-value can reach {SIGNIFICANCE}; run at least {needed} "
            "(999 is usual) to judge whether there are near repeats.",
            None,
        )
    article = "an" if label[:1].lower() in "aeiou" else "a"
    for i, (d_lo, d_hi) in enumerate(distance_bands):
        if d_hi is None or math.isinf(d_hi):
            continue
        for j, (t_lo, t_hi) in enumerate(day_bands):
            if t_hi is None or math.isinf(t_hi):
                continue
            ratio, p = _number(knox_ratio[i][j]), _number(p_value[i][j])
            if not significant(ratio, p):
                continue
            place = _place_phrase(d_lo, d_hi)
            time, held = _time_phrase(t_lo, t_hi, after_within=place.startswith("within"))
            sentence = (
                f"{place.capitalize()} and {time} of {article} {label}, the risk of another is "
                f"{ratio:.1f} times what chance would give ({p_phrase(p)}; pairs {_distance_held(d_lo, d_hi)}, {held})."
            )
            return sentence, (i, j)
    return (
        f"No close cell is significant at p ≤ {SIGNIFICANCE}: at these bands there is no evidence that {article} "
        f"{label} is followed by another nearby and soon after more often than chance would give.",
        None,
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _place_phrase(lo: float, hi: float) -> str:
    if hi <= SAME_LOCATION:
        return "at the same place"
    if lo <= SAME_LOCATION:
        return f"within {hi:g} m"
    return f"between {lo:g} and {hi:g} m"


def _time_phrase(lo: float, hi: float, *, after_within: bool) -> tuple[str, str]:
    """The day band in words ("within 100 m and 7 days"), and the whole days it holds (a pair's time
    difference is in whole days)."""
    first, last = math.ceil(lo), math.ceil(hi) - 1
    held = "the same day" if last == 0 else f"{first}–{last} days apart"
    if last == 0:
        return "on the same day", held
    if first == 0:
        return (f"{hi:g} days" if after_within else f"within {hi:g} days"), held
    return f"between {first} and {last} days", held


def _distance_held(lo: float, hi: float) -> str:
    if hi <= SAME_LOCATION:
        return "at distance 0"
    low = 0 if lo <= SAME_LOCATION else lo
    return f"{low:g} to under {hi:g} m apart"


def band_words(distance_band: Sequence[float | None], day_band: Sequence[float | None]) -> str:
    """A cell of the Knox table in words, as the summary writes it: "0 to under 100 m apart, 0–6 days apart"."""
    d_lo, d_hi = (math.inf if v is None else float(v) for v in distance_band)
    t_lo, t_hi = (math.inf if v is None else float(v) for v in day_band)
    _, held = _time_phrase(t_lo, t_hi, after_within=False)
    return f"{_distance_held(d_lo, d_hi)}, {held}"
