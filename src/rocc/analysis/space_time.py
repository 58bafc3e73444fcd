"""Space–time interaction beyond Knox: the Jacquez k-nearest-neighbour test, the Mantel test, and near-repeat chains."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numba import njit, prange
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from rocc.analysis import inputs
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.near_repeat import MAX_PAIRS_KEPT, SIGNIFICANCE, _day_numbers
from rocc.analysis.results import jsonable, p_phrase

METRICS = ("euclidean", "manhattan")
MANTEL_TRANSFORMS = ("reciprocal", "none")

#: The Mantel test visits every pair of events in each permutation; past this many events (12.5 million pairs)
#: it would run for minutes, and the Jacquez test or the Knox table answers the question at that size.
MAX_MANTEL_EVENTS = 5000
#: Neighbour counts above this say nothing the Knox table does not say better, and the pair list grows with k.
MAX_JACQUEZ_K = 100
#: A listing of more linked pairs than this would not fit on an analyst's machine (about 24 bytes each).
MAX_CHAIN_LINKS = 50_000_000
# Permutations are counted in blocks of this many, one core per permutation of a block.
_BLOCK = 64
# Below this many pair visits a compiled loop takes well under a millisecond on one core, less than starting the
# parallel loop's threads costs (milliseconds when the cores are busy): small inputs run on the calling thread. Both
# loops add the same terms in the same order, so the figures are the same either way.
_SERIAL_BELOW = 200_000


# --- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class JacquezResult:
    """The Jacquez k-nearest-neighbour test for each k from 1 to ``k_max``.

    ``j_observed[k-1]`` is J_k: the number of ordered pairs (i, j), i ≠ j, where j is among i's k nearest
    neighbours both in space and in time. "Among the k nearest" counts ties in: j is one when fewer than k
    other events are strictly nearer to i than j is (so J_k can exceed k·n where distances tie). ``delta_*``
    is ΔJ_k = J_k − J_(k−1) (J_0 = 0), the pairs that become neighbours in both at k, which Jacquez tests
    alongside J_k. ``*_expected`` is the mean over the permutations (dates shuffled among the events,
    places fixed); ``*_p_value`` = (1 + permutations with a value at least the observed) / (permutations + 1).
    """

    n_events: int
    metric: str
    k_max: int
    j_observed: np.ndarray
    j_expected: np.ndarray
    j_p_value: np.ndarray
    delta_observed: np.ndarray
    delta_expected: np.ndarray
    delta_p_value: np.ndarray
    permutations: int
    seed: int | None
    summary: str
    event_label: str = "event"
    method: str = "jacquez"

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per k."""
        return pd.DataFrame(
            {
                "k": np.arange(1, self.k_max + 1),
                "j_observed": self.j_observed,
                "j_expected": self.j_expected,
                "j_ratio": _ratio(self.j_observed, self.j_expected),
                "j_p_value": self.j_p_value,
                "delta_observed": self.delta_observed,
                "delta_expected": self.delta_expected,
                "delta_p_value": self.delta_p_value,
            }
        )


@dataclass(frozen=True, eq=False)
class MantelResult:
    """The Mantel test: the correlation, over every unordered pair of events, between how far apart the two
    are in space and in time (after ``transform``).

    With ``transform="reciprocal"`` (Mantel's own suggestion, so that close pairs weigh most) the distances are
    1 / (distance + ``space_constant``) and 1 / (days + ``time_constant``); with ``"none"`` they are the raw
    metres and days. Either way a positive ``r`` means pairs close in space tend to be close in time.
    ``statistic`` is Mantel's Z = Σ f(d_ij)·g(t_ij); ``r`` is the Pearson correlation (Z standardised);
    ``expected_r`` and ``sd_r`` are the mean and standard deviation of r over the permutations (dates shuffled
    among the events), ``z`` = (r − expected_r) / sd_r, and ``p_value`` = (1 + permutations with r at least the
    observed) / (permutations + 1): one-sided, for interaction (close in space going with close in time).
    """

    n_events: int
    n_pairs: int
    metric: str
    transform: str
    space_constant: float
    time_constant: float
    statistic: float
    r: float
    expected_r: float
    sd_r: float
    z: float
    p_value: float
    permutations: int
    seed: int | None
    summary: str
    event_label: str = "event"
    method: str = "mantel"

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)

    def to_frame(self) -> pd.DataFrame:
        """One row of figures."""
        return pd.DataFrame([{k: v for k, v in self.to_dict().items() if k not in ("summary",)}])


@dataclass(frozen=True, eq=False)
class Chain:
    """One near-repeat chain: events each linked to another of the chain (directly or through others) by being
    at most the chosen distance and days apart. ``events`` are row positions (0-based, in date order);
    ``originator`` is the earliest (the first row among those on the first day)."""

    chain: int
    size: int
    events: tuple[int, ...]
    originator: int
    first_day: str
    last_day: str
    span_days: int
    links: int
    same_place_links: int


@dataclass(frozen=True, eq=False)
class ChainsResult:
    """Near-repeat chains: the events linked within ``max_distance`` metres and ``max_days`` days (both
    inclusive: a pair 100 m and 7 days apart is linked at 100 m and 7 days), grouped into chains.

    ``links`` counts the linked pairs, ``same_place_links`` those at distance 0 (repeats at one place, which the
    near-repeat tools list apart); ``chain_of[i]`` is event i's chain number (1 = the largest chain) or 0 when it
    is linked to none; ``chains_by_size`` maps a chain's size to how many chains have it.
    """

    n_events: int
    metric: str
    max_distance: float
    max_days: int
    links: int
    same_place_links: int
    events_in_chains: int
    isolated_events: int
    chains: tuple[Chain, ...]
    chains_by_size: dict[int, int]
    chain_of: np.ndarray
    summary: str
    ids: tuple[str, ...] | None = None
    event_label: str = "event"
    method: str = "chains"
    #: The linked pairs for the map, largest chain first, then by the earlier event's date: at most MAX_PAIRS_KEPT
    #: (``links`` counts them all), each with its chain, its events' rows (1-based) and ids when given, coordinates,
    #: distance and days apart. No person.
    pairs: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready document of every figure and the chains' listing (by row position)."""
        return {k: v for k, v in jsonable(self).items() if not k.startswith("_")}

    def to_frame(self) -> pd.DataFrame:
        """One row per event in a chain: its chain, its place in the chain (by date), and its row in the input."""
        rows = []
        for chain in self.chains:
            first = self._days[chain.originator]
            for order, event in enumerate(chain.events, start=1):
                rows.append(
                    {
                        "chain": chain.chain,
                        "chain_size": chain.size,
                        "order": order,
                        "row": event + 1,
                        "id": self.ids[event] if self.ids is not None else None,
                        "date": str(np.datetime64(int(self._days[event]), "D")),
                        "days_after_first": int(self._days[event] - first),
                        "x": float(self._x[event]),
                        "y": float(self._y[event]),
                    }
                )
        return pd.DataFrame(rows, columns=["chain", "chain_size", "order", "row", "id", "date", "days_after_first", "x", "y"])

    # The events themselves, for to_frame; not part of to_dict (the listing is what the tools give).
    _x: np.ndarray = None  # type: ignore[assignment]
    _y: np.ndarray = None  # type: ignore[assignment]
    _days: np.ndarray = None  # type: ignore[assignment]


# --- the Jacquez k-nearest-neighbour test -----------------------------------------------------------------


def jacquez_knn(
    *,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    dates: Sequence[Any] | np.ndarray,
    k_max: int = 10,
    metric: str = "euclidean",
    permutations: int = 999,
    seed: int | np.random.Generator | None = None,
    event_label: str = "event",
) -> JacquezResult:
    """Jacquez's k-nearest-neighbour test of space–time interaction (Jacquez 1996), for k = 1 … ``k_max``.

    Parameters
    ----------
    x, y
        Event coordinates in a projected system (metres).
    dates
        Event dates; only the calendar day counts, and time apart is the absolute difference in days.
    k_max
        The largest number of nearest neighbours (at least 1, less than the number of events).
    metric
        ``"euclidean"`` (straight line, the default, as Jacquez) or ``"manhattan"`` (|dx| + |dy|).
    permutations, seed
        The dates are shuffled among the events this many times; permutation p gives event i the date of event
        ``perm[i]`` with ``perm = rng.permutation(n)`` the p-th draw. The seed is recorded.
    """
    xs, ys, days = _validated_events(x, y, dates, test="the Jacquez test")
    _check_metric(metric)
    _check_whole(k_max, "k_max (nearest neighbours)", low=1)
    if k_max > MAX_JACQUEZ_K:
        raise AnalysisInputError(f"k_max (nearest neighbours) may be at most {MAX_JACQUEZ_K}, not {k_max}")
    n = len(days)
    if k_max >= n:
        raise AnalysisInputError(f"k_max (nearest neighbours) must be less than the number of events ({n}), not {k_max}")
    _check_whole(permutations, "permutations", low=1)
    rng, seed_used = inputs.rng(seed)

    a, b, space_rank = _space_neighbour_pairs(xs, ys, k_max, p=2 if metric == "euclidean" else 1)
    day_number = (days - days.min()).astype(np.int64)
    # before[v] = how many events fall before day v: the events strictly nearer in time than d days to an event
    # on day t are before[t + d] - before[t - d + 1], one subtraction per pair however the dates are shuffled.
    before = np.r_[0, np.cumsum(np.bincount(day_number))].astype(np.int64)
    a32, b32, rank32 = a.astype(np.int64), b.astype(np.int64), space_rank.astype(np.int64)

    observed = _jacquez_counts(a32, b32, rank32, day_number[None, :].copy(), before, k_max)[0]
    delta = np.diff(observed, prepend=0)
    total = np.zeros(k_max)
    delta_total = np.zeros(k_max)
    at_least = np.zeros(k_max, dtype=np.int64)
    delta_at_least = np.zeros(k_max, dtype=np.int64)
    block = np.empty((_BLOCK, n), dtype=np.int64)
    for start in range(0, permutations, _BLOCK):
        size = min(_BLOCK, permutations - start)
        for k in range(size):
            block[k] = day_number[rng.permutation(n)]
        permuted = _jacquez_counts(a32, b32, rank32, block[:size], before, k_max)
        permuted_delta = np.diff(permuted, axis=1, prepend=0)
        total += permuted.sum(axis=0)
        delta_total += permuted_delta.sum(axis=0)
        at_least += (permuted >= observed).sum(axis=0)
        delta_at_least += (permuted_delta >= delta).sum(axis=0)
    expected, delta_expected = total / permutations, delta_total / permutations
    p_value = (1 + at_least) / (permutations + 1)
    delta_p = (1 + delta_at_least) / (permutations + 1)
    arrays = (observed, expected, p_value, delta, delta_expected, delta_p)
    for array in arrays:
        array.setflags(write=False)
    label = _label(event_label)
    return JacquezResult(
        n_events=n,
        metric=metric,
        k_max=k_max,
        j_observed=observed,
        j_expected=expected,
        j_p_value=p_value,
        delta_observed=delta,
        delta_expected=delta_expected,
        delta_p_value=delta_p,
        permutations=permutations,
        seed=seed_used,
        summary=_jacquez_summary(observed, expected, p_value, permutations, label),
        event_label=label,
    )


def _space_neighbour_pairs(xs: np.ndarray, ys: np.ndarray, k_max: int, *, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ordered pair (a, b) where b is among a's k_max nearest in space, with b's rank: how many others are
    strictly nearer to a. Distances are computed here, not taken from the tree, so ties are exact ties."""
    points = np.column_stack([xs, ys])
    tree = cKDTree(points)
    reach, _ = tree.query(points, k=k_max + 1, p=p)
    # The k-th other event's distance is the (k+1)-th smallest distance, the event itself being one of the zeros;
    # the ball is widened a little so that rounding in the tree never loses a tie, which the exact ranks then sort out.
    radius = reach[:, k_max] * (1 + 1e-9) + 1e-9
    candidates = tree.query_ball_point(points, r=radius, p=p)
    a = np.repeat(np.arange(len(xs)), [len(c) for c in candidates])
    b = np.concatenate([np.asarray(c, dtype=np.int64) for c in candidates])
    keep = a != b
    a, b = a[keep], b[keep]
    distance = _distance(xs[a] - xs[b], ys[a] - ys[b], p)
    rank = _ranks_within(a, distance)
    keep = rank < k_max
    return a[keep], b[keep], rank[keep]


def _ranks_within(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """For each item, how many items of its group have a strictly smaller value."""
    sort = np.lexsort((value, group))
    g, v = group[sort], value[sort]
    position = np.arange(len(g))
    starts = np.r_[True, g[1:] != g[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, position, 0))
    new_value = starts | np.r_[True, v[1:] != v[:-1]]
    first_equal = np.maximum.accumulate(np.where(new_value, position, 0))
    rank = np.empty(len(g), dtype=np.int64)
    rank[sort] = first_equal - group_start
    return rank


def _jacquez_counts(a, b, space_rank, event_days, before, k_max):
    """J_1 … J_k_max for each date assignment (row) of ``event_days``: one pass over the neighbour pairs each."""
    kernel = _jacquez_counts_serial if a.size * event_days.shape[0] < _SERIAL_BELOW else _jacquez_counts_parallel
    return kernel(a, b, space_rank, event_days, before, k_max)


@njit(cache=True)
def _jacquez_row(a, b, space_rank, days, before, k_max, counts):
    """J_1 … J_k_max for one date assignment ``days``, into ``counts``."""
    last = before.size - 1
    for m in range(a.size):
        day_a = days[a[m]]
        apart = abs(day_a - days[b[m]])
        time_rank = 0
        if apart > 0:
            # Events on days day_a - apart + 1 … day_a + apart - 1, less event a itself.
            time_rank = before[min(day_a + apart, last)] - before[max(day_a - apart + 1, 0)] - 1
        both = max(space_rank[m], time_rank)
        if both < k_max:
            counts[both] += 1
    for k in range(1, k_max):
        counts[k] += counts[k - 1]


@njit(cache=True, parallel=True)
def _jacquez_counts_parallel(a, b, space_rank, event_days, before, k_max):
    counts = np.zeros((event_days.shape[0], k_max), dtype=np.int64)
    for p in prange(event_days.shape[0]):
        _jacquez_row(a, b, space_rank, event_days[p], before, k_max, counts[p])
    return counts


@njit(cache=True)
def _jacquez_counts_serial(a, b, space_rank, event_days, before, k_max):
    counts = np.zeros((event_days.shape[0], k_max), dtype=np.int64)
    for p in range(event_days.shape[0]):
        _jacquez_row(a, b, space_rank, event_days[p], before, k_max, counts[p])
    return counts


def _jacquez_summary(observed, expected, p_value, permutations: int, label: str) -> str:
    if 1 / (permutations + 1) > SIGNIFICANCE:
        return f"With {permutations} permutations no p-value can reach {SIGNIFICANCE}; run at least {math.ceil(1 / SIGNIFICANCE) - 1} (999 is usual)."
    article = _article(label)
    for k in range(len(observed)):
        if p_value[k] <= SIGNIFICANCE and observed[k] > expected[k]:
            neighbours = "nearest neighbour" if k == 0 else f"{k + 1} nearest neighbours"
            return (
                f"{_events(label).capitalize()} near in space are near in time too: {int(observed[k])} pairs are among each "
                f"other's {neighbours} in both, against {expected[k]:.1f} by chance ({p_phrase(p_value[k])})."
            )
    return (
        f"No k up to {len(observed)} is significant at p ≤ {SIGNIFICANCE}: no evidence that {article} {label}'s nearest neighbours "
        "in space are its nearest in time more often than chance would give."
    )


# --- the Mantel test ----------------------------------------------------------------------------------------


def mantel_test(
    *,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    dates: Sequence[Any] | np.ndarray,
    metric: str = "euclidean",
    transform: str = "reciprocal",
    space_constant: float = 1.0,
    time_constant: float = 1.0,
    permutations: int = 999,
    seed: int | np.random.Generator | None = None,
    event_label: str = "event",
) -> MantelResult:
    """Mantel's test of space–time interaction (Mantel 1967) over every unordered pair of events.

    Parameters
    ----------
    x, y, dates, metric
        As for :func:`jacquez_knn`; at most ``MAX_MANTEL_EVENTS`` events.
    transform
        ``"reciprocal"`` (1 / (distance + constant), the default, Mantel's advice) or ``"none"``.
    space_constant, time_constant
        The constants added before the reciprocal (metres; days), > 0; they keep pairs at one place or on one day
        finite. Ignored with ``transform="none"``.
    permutations, seed
        As for :func:`jacquez_knn`.
    """
    xs, ys, days = _validated_events(x, y, dates, test="the Mantel test")
    _check_metric(metric)
    n = len(days)
    if n > MAX_MANTEL_EVENTS:
        raise AnalysisInputError(
            f"the Mantel test compares every pair of events and takes at most {MAX_MANTEL_EVENTS:,} events, not {n:,}; "
            "use the Jacquez test or the Knox table for more, or narrow the dates or area"
        )
    if transform not in MANTEL_TRANSFORMS:
        raise AnalysisInputError(f"unknown transform {transform!r}; use one of: {', '.join(MANTEL_TRANSFORMS)}")
    for value, name in ((space_constant, "space constant"), (time_constant, "time constant")):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value) or value <= 0:
            raise AnalysisInputError(f"the {name} must be a positive number, not {value!r}")
    _check_whole(permutations, "permutations", low=1)
    rng, seed_used = inputs.rng(seed)
    reciprocal = transform == "reciprocal"
    manhattan = metric == "manhattan"
    c_s, c_t = float(space_constant), float(time_constant)
    day_float = days.astype(np.float64)

    # Sums over pairs of f, f², g, g²: permuting dates among events permutes the pairs' time distances, so only
    # the cross term Σ f·g changes from one permutation to the next.
    sum_f, sum_ff, sum_g, sum_gg = _mantel_margins(xs, ys, day_float, manhattan, reciprocal, c_s, c_t)
    n_pairs = n * (n - 1) // 2
    spread = math.sqrt(max(n_pairs * sum_ff - sum_f**2, 0.0)) * math.sqrt(max(n_pairs * sum_gg - sum_g**2, 0.0))
    if spread == 0:
        raise AnalysisInputError("every pair of events is the same distance apart in space or in time, so there is no correlation to test")

    def correlation(cross: np.ndarray | float) -> np.ndarray:
        return (n_pairs * np.asarray(cross) - sum_f * sum_g) / spread

    statistic = float(_mantel_cross(xs, ys, day_float[None, :].T.copy(), manhattan, reciprocal, c_s, c_t)[0])
    r = float(correlation(statistic))
    draws = np.empty(permutations)
    block = 64
    for start in range(0, permutations, block):
        size = min(block, permutations - start)
        permuted = np.empty((n, size))
        for k in range(size):
            permuted[:, k] = day_float[rng.permutation(n)]
        draws[start : start + size] = correlation(_mantel_cross(xs, ys, permuted, manhattan, reciprocal, c_s, c_t))
    # Rounding in the sums must not turn a tie with the observed r into a loss.
    at_least = int((draws >= r - 1e-12 * max(1.0, abs(r))).sum())
    expected_r, sd_r = float(draws.mean()), float(draws.std(ddof=1)) if permutations > 1 else math.nan
    z = (r - expected_r) / sd_r if sd_r and math.isfinite(sd_r) and sd_r > 0 else math.nan
    p_value = (1 + at_least) / (permutations + 1)
    label = _label(event_label)
    return MantelResult(
        n_events=n,
        n_pairs=n_pairs,
        metric=metric,
        transform=transform,
        space_constant=c_s,
        time_constant=c_t,
        statistic=statistic,
        r=r,
        expected_r=expected_r,
        sd_r=sd_r,
        z=z,
        p_value=p_value,
        permutations=permutations,
        seed=seed_used,
        summary=_mantel_summary(r, p_value, permutations, label),
        event_label=label,
    )


@njit(cache=True)
def _pair_values(dx, dy, dt, manhattan, reciprocal, c_s, c_t):
    d = abs(dx) + abs(dy) if manhattan else math.sqrt(dx * dx + dy * dy)
    t = abs(dt)
    if reciprocal:
        return 1.0 / (d + c_s), 1.0 / (t + c_t)
    return d, t


def _mantel_margins(xs, ys, days, manhattan, reciprocal, c_s, c_t):
    """Σ f, Σ f², Σ g and Σ g² over pairs i < j."""
    pairs = xs.size * (xs.size - 1) // 2
    kernel = _mantel_margins_serial if pairs < _SERIAL_BELOW else _mantel_margins_parallel
    return kernel(xs, ys, days, manhattan, reciprocal, c_s, c_t)


@njit(cache=True)
def _mantel_margins_row(xs, ys, days, i, manhattan, reciprocal, c_s, c_t, sums):
    """Event i's terms of the margins, with each event j after it, into ``sums``."""
    for j in range(i + 1, xs.size):
        f, g = _pair_values(xs[i] - xs[j], ys[i] - ys[j], days[i] - days[j], manhattan, reciprocal, c_s, c_t)
        sums[0] += f
        sums[1] += f * f
        sums[2] += g
        sums[3] += g * g


@njit(cache=True, parallel=True)
def _mantel_margins_parallel(xs, ys, days, manhattan, reciprocal, c_s, c_t):
    sums = np.zeros((xs.size, 4))
    for i in prange(xs.size):
        _mantel_margins_row(xs, ys, days, i, manhattan, reciprocal, c_s, c_t, sums[i])
    total = sums.sum(axis=0)
    return total[0], total[1], total[2], total[3]


@njit(cache=True)
def _mantel_margins_serial(xs, ys, days, manhattan, reciprocal, c_s, c_t):
    sums = np.zeros((xs.size, 4))
    for i in range(xs.size):
        _mantel_margins_row(xs, ys, days, i, manhattan, reciprocal, c_s, c_t, sums[i])
    total = sums.sum(axis=0)
    return total[0], total[1], total[2], total[3]


def _mantel_cross(xs, ys, days, manhattan, reciprocal, c_s, c_t):
    """Σ f(d_ij)·g(t_ij) over pairs i < j, for each column of ``days`` (one date assignment per column)."""
    n, block = days.shape
    kernel = _mantel_cross_serial if n * (n - 1) // 2 * block < _SERIAL_BELOW else _mantel_cross_parallel
    return kernel(xs, ys, days, manhattan, reciprocal, c_s, c_t)


@njit(cache=True)
def _mantel_cross_row(xs, ys, days, i, manhattan, reciprocal, c_s, c_t, row):
    """Event i's cross terms, with each event j after it, for each date assignment, into ``row``."""
    for j in range(i + 1, xs.size):
        dx, dy = xs[i] - xs[j], ys[i] - ys[j]
        d = abs(dx) + abs(dy) if manhattan else math.sqrt(dx * dx + dy * dy)
        f = 1.0 / (d + c_s) if reciprocal else d
        for k in range(row.size):
            t = abs(days[i, k] - days[j, k])
            row[k] += f * (1.0 / (t + c_t) if reciprocal else t)


@njit(cache=True, parallel=True)
def _mantel_cross_parallel(xs, ys, days, manhattan, reciprocal, c_s, c_t):
    rows = np.zeros(days.shape)
    for i in prange(days.shape[0]):
        _mantel_cross_row(xs, ys, days, i, manhattan, reciprocal, c_s, c_t, rows[i])
    return rows.sum(axis=0)


@njit(cache=True)
def _mantel_cross_serial(xs, ys, days, manhattan, reciprocal, c_s, c_t):
    rows = np.zeros(days.shape)
    for i in range(days.shape[0]):
        _mantel_cross_row(xs, ys, days, i, manhattan, reciprocal, c_s, c_t, rows[i])
    return rows.sum(axis=0)


def _mantel_summary(r: float, p_value: float, permutations: int, label: str) -> str:
    if 1 / (permutations + 1) > SIGNIFICANCE:
        return f"With {permutations} permutations no p-value can reach {SIGNIFICANCE}; run at least {math.ceil(1 / SIGNIFICANCE) - 1} (999 is usual)."
    if p_value <= SIGNIFICANCE and r > 0:
        return f"{_events(label).capitalize()} close in space tend to be close in time (Mantel r = {r:.3f}, {p_phrase(p_value)})."
    return f"No evidence at p ≤ {SIGNIFICANCE} that {_events(label)} close in space are close in time (Mantel r = {r:.3f}, {p_phrase(p_value)})."


# --- near-repeat chains -------------------------------------------------------------------------------------


def near_repeat_chains(
    *,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    dates: Sequence[Any] | np.ndarray,
    max_distance: float,
    max_days: int,
    metric: str = "manhattan",
    ids: Sequence[Any] | None = None,
    event_label: str = "event",
) -> ChainsResult:
    """The events linked within ``max_distance`` metres and ``max_days`` days (both inclusive), and the chains
    they form: a chain holds every event reachable from another of its events through linked pairs.

    Parameters
    ----------
    x, y, dates
        As for :func:`jacquez_knn`.
    max_distance
        Metres, ≥ 0 (0 links only events at one place).
    max_days
        Whole days, ≥ 0 (0 links only events on the same day).
    metric
        ``"manhattan"`` (the default, as the Knox table) or ``"euclidean"``.
    ids
        Optional event identifiers (one per event) for the listing.
    """
    xs, ys, days = _validated_events(x, y, dates, test="near-repeat chains", two_days=False)
    _check_metric(metric)
    if (
        isinstance(max_distance, bool)
        or not isinstance(max_distance, (int, float, np.integer, np.floating))
        or not math.isfinite(max_distance)
        or max_distance < 0
    ):
        raise AnalysisInputError(f"the distance must be a number of metres of at least 0, not {max_distance!r}")
    _check_whole(max_days, "number of days", low=0)
    n = len(days)
    id_tuple = None
    if ids is not None:
        id_values = list(ids)
        if len(id_values) != n:
            raise AnalysisInputError(f"give one identifier per event: found {len(id_values)} for {n} events", column="id")
        id_tuple = tuple("" if v is None else str(v) for v in id_values)
    p = 2 if metric == "euclidean" else 1
    tree = cKDTree(np.column_stack([xs, ys]))
    pairs = tree.query_pairs(r=float(max_distance) * (1 + 1e-9) + 1e-9, p=p, output_type="ndarray")
    if len(pairs) > MAX_CHAIN_LINKS:
        raise AnalysisInputError(f"more than {MAX_CHAIN_LINKS:,} pairs are within {max_distance:g} m; choose a shorter distance")
    a, b = pairs[:, 0], pairs[:, 1]
    distance = _distance(xs[a] - xs[b], ys[a] - ys[b], p)
    linked = (distance <= max_distance) & (np.abs(days[a] - days[b]) <= max_days)
    a, b, distance = a[linked], b[linked], distance[linked]

    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    sizes = np.bincount(component)
    # Chains are numbered largest first, then by their first event's date and row: the same data, the same numbers.
    first_event = np.full(len(sizes), n, dtype=np.int64)
    by_date = np.lexsort((np.arange(n), days))
    position = np.empty(n, dtype=np.int64)
    position[by_date] = np.arange(n)
    np.minimum.at(first_event, component, position)
    in_chain = sizes >= 2
    chain_components = np.flatnonzero(in_chain)
    chain_components = chain_components[np.lexsort((first_event[chain_components], -sizes[chain_components]))]
    number = np.zeros(len(sizes), dtype=np.int64)
    number[chain_components] = np.arange(1, len(chain_components) + 1)
    chain_of = number[component]
    link_chain = chain_of[a]
    link_count = np.bincount(link_chain, minlength=len(chain_components) + 1)
    same_place = np.bincount(link_chain[distance == 0], minlength=len(chain_components) + 1)

    members_by_chain: dict[int, list[int]] = {}
    for event in by_date:
        if chain_of[event]:
            members_by_chain.setdefault(int(chain_of[event]), []).append(int(event))
    chains = []
    for c in range(1, len(chain_components) + 1):
        members = members_by_chain[c]
        first, last = int(days[members[0]]), int(days[members[-1]])
        chains.append(
            Chain(
                chain=c,
                size=len(members),
                events=tuple(members),
                originator=members[0],
                first_day=str(np.datetime64(first, "D")),
                last_day=str(np.datetime64(last, "D")),
                span_days=last - first,
                links=int(link_count[c]),
                same_place_links=int(same_place[c]),
            )
        )
    by_size: dict[int, int] = {}
    for chain in chains:
        by_size[chain.size] = by_size.get(chain.size, 0) + 1
    chain_of.setflags(write=False)
    in_chains = int((chain_of > 0).sum())
    pairs = _linked_pairs_kept(xs, ys, days, a, b, distance, link_chain, position, id_tuple)
    label = _label(event_label)
    return ChainsResult(
        n_events=n,
        metric=metric,
        max_distance=float(max_distance),
        max_days=int(max_days),
        links=len(a),
        same_place_links=int((distance == 0).sum()),
        events_in_chains=in_chains,
        isolated_events=n - in_chains,
        chains=tuple(chains),
        chains_by_size=dict(sorted(by_size.items())),
        chain_of=chain_of,
        summary=_chains_summary(n, in_chains, chains, float(max_distance), int(max_days), label),
        ids=id_tuple,
        event_label=label,
        pairs=pairs,
        _x=xs,
        _y=ys,
        _days=days,
    )


def _linked_pairs_kept(xs, ys, days, a, b, distance, link_chain, position, ids) -> tuple[dict[str, Any], ...]:
    """The first MAX_PAIRS_KEPT linked pairs, by chain (largest first) and then by date order of the pair's events
    (the earlier first), with their events' coordinates for the map."""
    swap = position[a] > position[b]
    first, second = np.where(swap, b, a), np.where(swap, a, b)
    keep = np.lexsort((position[second], position[first], link_chain))[:MAX_PAIRS_KEPT]
    return tuple(
        {
            "chain": int(link_chain[k]),
            "row_a": int(first[k]) + 1,
            "row_b": int(second[k]) + 1,
            "id_a": ids[first[k]] if ids is not None else None,
            "id_b": ids[second[k]] if ids is not None else None,
            "x_a": float(xs[first[k]]),
            "y_a": float(ys[first[k]]),
            "x_b": float(xs[second[k]]),
            "y_b": float(ys[second[k]]),
            "distance": round(float(distance[k]), 3),
            "days": int(abs(days[first[k]] - days[second[k]])),
        }
        for k in keep.tolist()
    )


def _chains_summary(n: int, in_chains: int, chains: list[Chain], distance: float, max_days: int, label: str) -> str:
    within = f"within {distance:g} m and {max_days} day{'s' if max_days != 1 else ''} of another"
    if not chains:
        return f"None of the {n} {_events(label)} is {within}: there are no near-repeat chains at these settings."
    largest = chains[0]
    return (
        f"{in_chains} of {n} {_events(label)} ({in_chains / n:.0%}) are {within}, forming {len(chains)} chain{'s' if len(chains) != 1 else ''}; "
        f"the largest has {largest.size} events over {largest.span_days} day{'s' if largest.span_days != 1 else ''} from {largest.first_day}."
    )


# --- shared checks ------------------------------------------------------------------------------------------


def _validated_events(x: Any, y: Any, dates: Any, *, test: str, two_days: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    if len({len(coordinates[0]), len(coordinates[1]), len(days)}) != 1:
        raise AnalysisInputError(f"x, y and dates must have one value per event; found {len(coordinates[0])}, {len(coordinates[1])} and {len(days)}")
    if len(days) < 2:
        raise AnalysisInputError(f"{test} needs at least two events, found {len(days)}")
    if two_days and days.min() == days.max():
        raise AnalysisInputError(f"all {len(days)} events fall on one day; {test} needs events on at least two different days", column="date")
    return coordinates[0], coordinates[1], days


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise AnalysisInputError(f"unknown metric {metric!r}; use one of: {', '.join(METRICS)}")


def _check_whole(value: Any, name: str, *, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise AnalysisInputError(f"{name} must be a whole number of at least {low}, not {value!r}")


def _distance(dx: np.ndarray, dy: np.ndarray, p: int) -> np.ndarray:
    return np.abs(dx) + np.abs(dy) if p == 1 else np.sqrt(dx * dx + dy * dy)


def _ratio(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, observed / np.where(expected > 0, expected, 1.0), np.nan)


def _label(event_label: str) -> str:
    return (event_label or "event").strip() or "event"


def _events(label: str) -> str:
    return "events" if label == "event" else f"{label} events"


def _article(label: str) -> str:
    return "an" if label[:1].lower() in "aeiou" else "a"
