"""Spatial autocorrelation: whether like values sit beside like over a set of areas (global Moran's I, Getis–Ord
General G) and where (local Moran's I, LISA: high–high and low–low clusters, high–low and low–high outliers),
with permutation inference; over the hot-spot grid's cells or any areas given as a neighbour list."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numba import njit
from scipy import sparse, stats

from rocc.analysis import inputs
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.grid import Grid, grid_over
from rocc.analysis.hotspots import false_discovery_rate
from rocc.analysis.inputs import column
from rocc.analysis.results import jsonable, p_phrase

CONTIGUITIES = ("queen", "rook")
TRANSFORMS = ("r", "b")
CORRECTIONS = ("none", "fdr")
#: The level at which a statistic or an area is called significant (p ≤ this).
SIGNIFICANCE = 0.05
#: Areas × permutations beyond this would keep an analyst waiting minutes for the local statistics.
MAX_PERMUTATION_WORK = 400_000_000
#: The local Moran's I cluster and outlier labels, by quadrant of the Moran scatter plot.
CLUSTER_LABELS = {
    "HH": "High–high cluster",
    "LL": "Low–low cluster",
    "HL": "High–low outlier",
    "LH": "Low–high outlier",
}
NOT_SIGNIFICANT = "Not significant"
NO_NEIGHBOURS = "No neighbours"
_BLOCK = 64


# --- neighbours -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SpatialWeights:
    """Who neighbours whom: a sparse n × n matrix of weights (w[i, j] > 0 when j is a neighbour of i, never i
    itself), with the areas' ids in row order and how the neighbours were defined."""

    ids: tuple[Any, ...]
    matrix: sparse.csr_matrix
    definition: str

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def neighbour_counts(self) -> np.ndarray:
        return np.diff(self.matrix.indptr)

    def transformed(self, transform: str) -> sparse.csr_matrix:
        """The weights binary ("b": 1 for every neighbour) or row-standardised ("r": each row sums to 1; an area
        without neighbours keeps a row of zeros)."""
        if transform not in TRANSFORMS:
            raise AnalysisInputError(f"unknown weights transform {transform!r}; use r (row-standardised) or b (binary)")
        matrix = self.matrix.copy().astype(np.float64)
        if transform == "b":
            matrix.data[:] = 1.0
            return matrix
        sums = np.asarray(matrix.sum(axis=1)).ravel()
        scale = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
        return sparse.csr_matrix(sparse.diags(scale) @ matrix)


def grid_weights(*, rows: int, cols: int, contiguity: str = "queen") -> SpatialWeights:
    """The hot-spot grid's neighbours: each cell's 8 surrounding cells (queen) or the 4 sharing a side (rook),
    cut at the grid's edge. Cells are row-major, numbered 0 … rows·cols − 1."""
    for value, name in ((rows, "rows"), (cols, "cols")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise AnalysisInputError(f"the grid's {name} must be a whole number of at least 1, not {value!r}")
    if contiguity not in CONTIGUITIES:
        raise AnalysisInputError(f"unknown contiguity {contiguity!r}; use one of: {', '.join(CONTIGUITIES)}")
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if contiguity == "queen":
        steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    r, c = np.divmod(np.arange(rows * cols), cols)
    sources, targets = [], []
    for dr, dc in steps:
        rr, cc = r + dr, c + dc
        inside = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
        sources.append((r * cols + c)[inside])
        targets.append((rr * cols + cc)[inside])
    i, j = np.concatenate(sources), np.concatenate(targets)
    matrix = sparse.csr_matrix((np.ones(len(i)), (i, j)), shape=(rows * cols, rows * cols))
    matrix.sort_indices()
    neighbours = "8 surrounding cells (queen)" if contiguity == "queen" else "4 cells sharing a side (rook)"
    return SpatialWeights(ids=tuple(range(rows * cols)), matrix=matrix, definition=f"grid cells: the {neighbours}, cut at the grid's edge")


def weights_from_neighbours(
    *, neighbours: Mapping[Any, Iterable[Any] | Mapping[Any, float]], ids: Sequence[Any] | None = None, definition: str = "neighbour list"
) -> SpatialWeights:
    """Areas' neighbours given explicitly (from polygon boundaries, a GAL file, or an analyst's list): for each
    area id, its neighbours' ids, or a mapping of neighbour id to weight (> 0). ``ids`` fixes the row order
    (default: the mapping's); every area must appear, and every neighbour must be a known area other than itself."""
    order = list(neighbours) if ids is None else list(ids)
    position = {}
    for k, area in enumerate(order):
        if area in position:
            raise AnalysisInputError(f"area {area!r} is listed twice")
        position[area] = k
    missing = [area for area in order if area not in neighbours]
    if missing:
        raise AnalysisInputError(f"area {missing[0]!r} has no entry in the neighbour list (give an empty list for an area without neighbours)")
    rows, cols, values = [], [], []
    for area in order:
        given = neighbours[area]
        pairs = given.items() if isinstance(given, Mapping) else ((other, 1.0) for other in given)
        seen = set()
        for other, weight in pairs:
            if other not in position:
                raise AnalysisInputError(f"area {area!r} names a neighbour {other!r} that is not one of the areas")
            if other == area:
                raise AnalysisInputError(f"area {area!r} is given as its own neighbour")
            if other in seen:
                raise AnalysisInputError(f"area {area!r} names neighbour {other!r} twice")
            try:
                weight = float(weight)
            except (TypeError, ValueError):
                raise AnalysisInputError(f"area {area!r}: the weight of neighbour {other!r} must be a number, not {weight!r}") from None
            if not math.isfinite(weight) or weight <= 0:
                raise AnalysisInputError(f"area {area!r}: the weight of neighbour {other!r} must be a number > 0, not {weight!r}")
            seen.add(other)
            rows.append(position[area])
            cols.append(position[other])
            values.append(weight)
    n = len(order)
    matrix = sparse.csr_matrix((np.asarray(values, dtype=np.float64), (rows, cols)), shape=(n, n))
    matrix.sort_indices()
    return SpatialWeights(ids=tuple(order), matrix=matrix, definition=definition)


def neighbours_from_table(frame: pd.DataFrame, *, area: str, neighbours: str, separator: str = ";") -> dict[str, list[str]]:
    """A neighbour list from a table with one row per area: its id, and its neighbours' ids in one cell separated
    by ``separator`` (blank for none). Ids are compared as trimmed text."""

    ids = column(frame, area).astype(str).str.strip()
    lists = column(frame, neighbours)
    result: dict[str, list[str]] = {}
    for row, (key, cell) in enumerate(zip(ids, lists, strict=True), start=1):
        if not key or key.lower() == "nan":
            raise AnalysisInputError("expected an area id, found a blank", column=area, row=row)
        if key in result:
            raise AnalysisInputError(f"area {key!r} appears on an earlier row too", column=area, row=row)
        text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell)
        result[key] = [part.strip() for part in text.split(separator) if part.strip()]
    known = set(result)
    for row, (key, others) in enumerate(result.items(), start=1):
        for other in others:
            if other not in known:
                raise AnalysisInputError(f"area {key!r} names neighbour {other!r}, which has no row of its own", column=neighbours, row=row)
    return result


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MoranResult:
    """Global Moran's I: the statistic, its expected value −1/(n − 1) under no autocorrelation, its variance
    and z under normality and under randomisation (Cliff and Ord), two-sided normal p-values, and the
    permutation test: mean, standard deviation and z of the permuted I, and the pseudo p-value."""

    statistic: float
    expected: float
    variance_normal: float
    z_normal: float
    p_normal: float
    variance_randomisation: float
    z_randomisation: float
    p_randomisation: float
    permutations: int
    p_sim: float | None
    mean_sim: float | None
    sd_sim: float | None
    z_sim: float | None

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True, eq=False)
class GeneralGResult:
    """Getis–Ord General G with binary weights: the share of all cross-products of values that fall between
    neighbours; its expectation S0 / (n(n − 1)), variance, z and two-sided normal p-value, and the permutation
    test. G above its expectation means high values sit together (a hot-spot pattern), below it low ones do."""

    statistic: float
    expected: float
    variance: float
    z_normal: float
    p_normal: float
    permutations: int
    p_sim: float | None
    mean_sim: float | None
    sd_sim: float | None
    z_sim: float | None

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True, eq=False)
class AutocorrelationResult:
    """Global and local spatial autocorrelation of one value per area.

    Per area (in ``ids`` order): the value, its standardised value z (population standard deviation), the
    spatial lag (the weighted mean of its neighbours' z), local Moran's I_i = (n − 1)/n · z_i · lag_i, its
    quadrant (HH, LL, HL, LH: the area high or low, its neighbours high or low), the pseudo p-value by
    conditional permutation, the p it is judged by (FDR-adjusted when corrected) and its cluster label.
    """

    ids: tuple[Any, ...]
    values: np.ndarray
    z: np.ndarray
    lag: np.ndarray
    local_i: np.ndarray
    quadrant: np.ndarray
    local_p_sim: np.ndarray
    local_p: np.ndarray
    cluster: np.ndarray
    moran: MoranResult
    general_g: GeneralGResult | None
    n: int
    neighbours: str
    islands: int
    summary: str
    notes: tuple[str, ...]
    parameters: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    #: The hot-spot grid the areas are cells of (None for areas given as a neighbour list).
    grid: Grid | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per area (for grid cells, with the cell's centre x and y)."""
        centres = {}
        if self.grid is not None:
            x, y = self.grid.centres()
            centres = {"x": x, "y": y}
        return pd.DataFrame(
            {
                "area": pd.Series(self.ids, dtype=object),
                **centres,
                "value": self.values,
                "z": self.z,
                "lag": self.lag,
                "local_i": self.local_i,
                "quadrant": pd.Series(self.quadrant, dtype=object),
                "p_sim": self.local_p_sim,
                "p": self.local_p,
                "cluster": pd.Series(self.cluster, dtype=object),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        areas = self.to_frame().astype(object)
        areas = areas.where(areas.notna(), None)
        return jsonable(
            {
                "n": self.n,
                "neighbours": self.neighbours,
                "islands": self.islands,
                "moran": self.moran,
                "general_g": self.general_g,
                "counts": self.counts,
                "summary": self.summary,
                "notes": list(self.notes),
                "parameters": self.parameters,
                "grid": None if self.grid is None else self.grid.to_dict(),
                "areas": areas.to_dict(orient="records"),
            }
        )


# --- the statistics -------------------------------------------------------------------------------


def _checked_values(values: Any, n: int) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        series = pd.Series(list(values))
        numbers = pd.to_numeric(series, errors="coerce")
        row = int(np.flatnonzero(numbers.isna().to_numpy())[0])
        raise AnalysisInputError(f"expected a number, found {series.iloc[row]!r}", column="value", row=row + 1) from None
    if array.ndim != 1:
        raise AnalysisInputError("expected one value per area", column="value")
    bad = ~np.isfinite(array)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise AnalysisInputError("expected a finite number, found a missing or infinite value", column="value", row=row + 1)
    if len(array) != n:
        raise AnalysisInputError(f"there are {len(array)} values but {n} areas in the neighbour list")
    return array


def _checked_permutations(permutations: Any) -> int:
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 0:
        raise AnalysisInputError(f"permutations must be a whole number of at least 0, not {permutations!r}")
    return int(permutations)


def _weight_sums(w: sparse.csr_matrix) -> tuple[float, float, float]:
    """S0 (all weights), S1 (half the summed squares of w_ij + w_ji) and S2 (summed squares of each area's
    row plus column sums): the constants of the moments of Moran's I and General G."""
    s0 = float(w.sum())
    both = w + w.T
    s1 = 0.5 * float(both.multiply(both).sum())
    s2 = float(((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum())
    return s0, s1, s2


def _fold(at_least: np.ndarray | int, at_most: np.ndarray | int, permutations: int):
    """The pseudo p-value in the direction of the observed value: (min(U, D) + 1) / (permutations + 1), with U
    the permuted values at least the observed and D those at most it (a tie counts on both sides)."""
    return (np.minimum(at_least, at_most) + 1) / (permutations + 1)


def _tolerance(values: np.ndarray) -> float:
    return 1e-9 * max(float(np.abs(values).max(initial=0.0)), 1.0)


def _moran_i(z: np.ndarray, w: sparse.csr_matrix, s0: float) -> np.ndarray | float:
    """Moran's I of centred values (one column per assignment when z is n × k)."""
    return (len(z) / s0) * (z * (w @ z)).sum(axis=0) / (z * z).sum(axis=0)


def _permutation_summary(observed: float, simulated: np.ndarray, permutations: int) -> dict[str, float | None]:
    tolerance = _tolerance(simulated) * 1e-3 + 1e-12
    at_least = int((simulated >= observed - tolerance).sum())
    at_most = int((simulated <= observed + tolerance).sum())
    sd = float(simulated.std(ddof=1)) if permutations > 1 else math.nan
    return {
        "p_sim": float(_fold(at_least, at_most, permutations)),
        "mean_sim": float(simulated.mean()),
        "sd_sim": sd,
        "z_sim": (observed - float(simulated.mean())) / sd if sd and math.isfinite(sd) and sd > 0 else math.nan,
    }


@njit(cache=True)
def _permuted_cross_products(values, indptr, indices, data, orders):
    """Σᵢ Σⱼ wᵢⱼ v[π(i)] v[π(j)] for each permutation π (a row of ``orders``), without building the permuted values."""
    out = np.zeros(orders.shape[0])
    n = values.size
    for k in range(orders.shape[0]):
        order = orders[k]
        total = 0.0
        for i in range(n):
            lag = 0.0
            for m in range(indptr[i], indptr[i + 1]):
                lag += data[m] * values[order[indices[m]]]
            total += values[order[i]] * lag
        out[k] = total
    return out


def _permuted_sums(values: np.ndarray, w: sparse.csr_matrix, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """The weighted cross-product of the values under each permutation: permutation k gives area i the value of
    area ``rng.permutation(n)[i]``, drawn in turn."""
    n = len(values)
    indptr, indices, data = w.indptr.astype(np.int64), w.indices.astype(np.int64), w.data.astype(np.float64)
    sums = np.empty(permutations)
    for start in range(0, permutations, _BLOCK):
        size = min(_BLOCK, permutations - start)
        orders = np.empty((size, n), dtype=np.int64)
        for k in range(size):
            orders[k] = rng.permutation(n)
        sums[start : start + size] = _permuted_cross_products(values, indptr, indices, data, orders)
    return sums


def global_moran(
    *, values: Any, weights: SpatialWeights, transform: str = "r", permutations: int = 999, seed: int | np.random.Generator | None = None
) -> MoranResult:
    """Global Moran's I of one value per area under ``weights`` (row-standardised by default, as GeoDa and esda).

    I = (n / S0) · Σᵢ Σⱼ wᵢⱼ zᵢ zⱼ / Σᵢ zᵢ², z the values minus their mean. Permutation k shuffles the values
    among the areas with ``rng.permutation(n)``; the pseudo p-value is one-sided in the observed direction.
    """
    y = _checked_values(values, weights.n)
    permutations = _checked_permutations(permutations)
    rng, _ = inputs.rng(seed)
    return _global_moran(y, weights.transformed(transform), permutations, rng)


def _global_moran(y: np.ndarray, w: sparse.csr_matrix, permutations: int, rng: np.random.Generator) -> MoranResult:
    n = len(y)
    if n < 4:
        raise AnalysisInputError(f"Moran's I needs at least 4 areas, found {n}")
    z = y - y.mean()
    if float((z * z).sum()) <= 1e-24 * max(float((y * y).sum()), 1.0):
        raise AnalysisInputError(f"all {n} values are equal, so there is no pattern to measure")
    s0, s1, s2 = _weight_sums(w)
    if s0 <= 0:
        raise AnalysisInputError("no area has a neighbour, so there is no pattern to measure")
    statistic = float(_moran_i(z, w, s0))
    expected = -1.0 / (n - 1)
    variance_normal = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - expected**2
    kurtosis = n * float((z**4).sum()) / float((z * z).sum()) ** 2
    variance_randomisation = (n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0) - kurtosis * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)) / (
        (n - 1) * (n - 2) * (n - 3) * s0 * s0
    ) - expected**2
    z_normal = (statistic - expected) / math.sqrt(variance_normal) if variance_normal > 0 else math.nan
    z_rand = (statistic - expected) / math.sqrt(variance_randomisation) if variance_randomisation > 0 else math.nan
    simulated: dict[str, float | None] = {"p_sim": None, "mean_sim": None, "sd_sim": None, "z_sim": None}
    if permutations:
        draws = (n / s0) * _permuted_sums(z, w, permutations, rng) / float((z * z).sum())
        simulated = _permutation_summary(statistic, draws, permutations)
    return MoranResult(
        statistic=statistic,
        expected=expected,
        variance_normal=float(variance_normal),
        z_normal=float(z_normal),
        p_normal=float(2 * stats.norm.sf(abs(z_normal))) if math.isfinite(z_normal) else math.nan,
        variance_randomisation=float(variance_randomisation),
        z_randomisation=float(z_rand),
        p_randomisation=float(2 * stats.norm.sf(abs(z_rand))) if math.isfinite(z_rand) else math.nan,
        permutations=permutations,
        **simulated,
    )


def general_g(*, values: Any, weights: SpatialWeights, permutations: int = 999, seed: int | np.random.Generator | None = None) -> GeneralGResult:
    """Getis–Ord General G of non-negative values (counts, rates) with binary weights, as Getis and Ord (1992)
    define it: G = Σᵢ Σⱼ≠ᵢ wᵢⱼ xᵢ xⱼ / Σᵢ Σⱼ≠ᵢ xᵢ xⱼ."""
    y = _checked_values(values, weights.n)
    permutations = _checked_permutations(permutations)
    rng, _ = inputs.rng(seed)
    return _general_g(y, weights.transformed("b"), permutations, rng)


def _g_of(x: np.ndarray, w: sparse.csr_matrix) -> np.ndarray | float:
    total = x.sum(axis=0)
    return (x * (w @ x)).sum(axis=0) / (total * total - (x * x).sum(axis=0))


def _general_g(y: np.ndarray, w: sparse.csr_matrix, permutations: int, rng: np.random.Generator) -> GeneralGResult:
    n = len(y)
    if n < 4:
        raise AnalysisInputError(f"General G needs at least 4 areas, found {n}")
    if (y < 0).any():
        row = int(np.flatnonzero(y < 0)[0])
        raise AnalysisInputError(f"General G needs values of at least 0 (counts, rates), found {y[row]:g}", column="value", row=row + 1)
    total, squares = float(y.sum()), float((y * y).sum())
    if total * total - squares <= 0:
        raise AnalysisInputError("General G needs at least two areas with a value above 0")
    s0, s1, s2 = _weight_sums(w)
    if s0 <= 0:
        raise AnalysisInputError("no area has a neighbour, so there is no pattern to measure")
    statistic = float(_g_of(y, w))
    expected = s0 / (n * (n - 1))
    # The second moment of G under randomisation (Getis and Ord 1992), from the sums of the values' powers.
    b0 = (n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0
    b1 = -((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
    b2 = -(2 * n * s1 - (n + 3) * s2 + 6 * s0 * s0)
    b3 = 4 * (n - 1) * s1 - 2 * (n + 1) * s2 + 8 * s0 * s0
    b4 = s1 - s2 + s0 * s0
    m1, m2, m3, m4 = total, squares, float((y**3).sum()), float((y**4).sum())
    second = (b0 * m2 * m2 + b1 * m4 + b2 * m1 * m1 * m2 + b3 * m1 * m3 + b4 * m1**4) / ((m1 * m1 - m2) ** 2 * n * (n - 1) * (n - 2) * (n - 3))
    variance = second - expected**2
    z_normal = (statistic - expected) / math.sqrt(variance) if variance > 0 else math.nan
    simulated: dict[str, float | None] = {"p_sim": None, "mean_sim": None, "sd_sim": None, "z_sim": None}
    if permutations:
        draws = _permuted_sums(y, w, permutations, rng) / (total * total - squares)
        simulated = _permutation_summary(statistic, draws, permutations)
    return GeneralGResult(
        statistic=statistic,
        expected=expected,
        variance=float(variance),
        z_normal=float(z_normal),
        p_normal=float(2 * stats.norm.sf(abs(z_normal))) if math.isfinite(z_normal) else math.nan,
        permutations=permutations,
        **simulated,
    )


@njit(cache=True)
def _local_tallies(z, indptr, indices, data, draws, scale, tolerance):
    """For each area i: how many conditional permutations give a local I at least, and at most, the observed.
    Permutation k takes area i's neighbours' values from ``draws[k, :kᵢ]``, positions among the n − 1 other
    areas in row order (position p ≥ i stands for area p + 1), paired with i's weights in row order."""
    n = z.size
    at_least = np.zeros(n, dtype=np.int64)
    at_most = np.zeros(n, dtype=np.int64)
    for i in range(n):
        start, stop = indptr[i], indptr[i + 1]
        if stop == start:
            continue
        observed = 0.0
        for m in range(start, stop):
            observed += data[m] * z[indices[m]]
        observed *= scale * z[i]
        for k in range(draws.shape[0]):
            lag = 0.0
            for m in range(start, stop):
                j = draws[k, m - start]
                if j >= i:
                    j += 1
                lag += data[m] * z[j]
            value = scale * z[i] * lag
            if value >= observed - tolerance:
                at_least[i] += 1
            if value <= observed + tolerance:
                at_most[i] += 1
    return at_least, at_most


def local_moran_p(z: np.ndarray, w: sparse.csr_matrix, *, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """Pseudo p-values of local Moran's I by conditional permutation (each area keeps its value; its neighbours'
    are drawn without replacement from the other areas). Permutation k draws
    ``rng.choice(n - 1, size=max neighbours, replace=False)`` once and every area takes the first of them it
    needs. NaN for an area without neighbours."""
    n = len(z)
    width = int(np.diff(w.indptr).max(initial=0))
    if width > n - 1:
        raise AnalysisInputError(f"an area has {width} neighbours but there are only {n - 1} other areas")
    draws = np.empty((permutations, width), dtype=np.int64)
    for k in range(permutations):
        draws[k] = rng.choice(n - 1, size=width, replace=False)
    scale = (n - 1) / float((z * z).sum())
    local = scale * z * (w @ z)
    at_least, at_most = _local_tallies(
        np.ascontiguousarray(z), w.indptr.astype(np.int64), w.indices.astype(np.int64), w.data.astype(np.float64), draws, scale, _tolerance(local)
    )
    p = _fold(at_least, at_most, permutations).astype(np.float64)
    p[np.diff(w.indptr) == 0] = np.nan
    return p


def spatial_autocorrelation(
    *,
    values: Any,
    weights: SpatialWeights,
    permutations: int = 999,
    seed: int | np.random.Generator | None = None,
    significance: float = SIGNIFICANCE,
    correction: str = "none",
    value_label: str = "values",
) -> AutocorrelationResult:
    """Global Moran's I, General G (when every value is ≥ 0) and local Moran's I with its clusters and outliers.

    Parameters
    ----------
    values
        One number per area, in the order of ``weights.ids`` (events per cell, a rate per area).
    weights
        The areas' neighbours: :func:`grid_weights` for the hot-spot grid, :func:`weights_from_neighbours` for
        areas with boundaries. Moran's I and local Moran's I use them row-standardised; General G binary.
    permutations
        Random permutations behind the pseudo p-values (999 is usual; 0 gives the global statistics' normal
        p-values only, and no local clusters).
    seed
        An integer (recorded), a numpy Generator, or None for a fresh seed that is recorded.
    significance
        An area is a cluster or outlier when its judged p-value is at most this (and a global statistic is
        called significant in the summary).
    correction
        "none" judges each area by its pseudo p-value; "fdr" by its Benjamini–Hochberg adjusted p-value, so that
        among the areas called clusters or outliers at most that share are expected to be false discoveries.
    value_label
        What the values are ("burglaries per cell"), for the summary.
    """
    y = _checked_values(values, weights.n)
    permutations = _checked_permutations(permutations)
    if correction not in CORRECTIONS:
        raise AnalysisInputError(f"unknown correction {correction!r}; use one of: {', '.join(CORRECTIONS)}")
    try:
        significance = float(significance)
    except (TypeError, ValueError):
        raise AnalysisInputError(f"the significance level must be a number between 0 and 1, not {significance!r}") from None
    if not 0 < significance < 1:
        raise AnalysisInputError(f"the significance level must be between 0 and 1, not {significance!r}")
    n = weights.n
    if permutations and n * permutations > MAX_PERMUTATION_WORK:
        raise AnalysisInputError(
            f"{permutations} permutations over {n:,} areas is more than this machine does in reasonable time "
            f"(areas × permutations at most {MAX_PERMUTATION_WORK:,}); use fewer permutations or larger cells"
        )
    rng, seed_used = inputs.rng(seed)
    rows = weights.transformed("r")
    moran = _global_moran(y, rows, permutations, rng)
    notes: list[str] = []
    g = None
    if (y >= 0).all() and float(y.sum()) ** 2 - float((y * y).sum()) > 0:
        g = _general_g(y, weights.transformed("b"), permutations, rng)
    else:
        notes.append("General G is not given: it needs values of at least 0 with at least two above 0")

    z = (y - y.mean()) / y.std()
    lag = rows @ z
    local_i = (n - 1) / n * z * lag
    high, high_around = z > 0, lag > 0
    quadrant = np.where(high, np.where(high_around, "HH", "HL"), np.where(high_around, "LH", "LL")).astype(object)
    islands_mask = weights.neighbour_counts == 0
    quadrant[islands_mask] = None
    if permutations:
        p_sim = local_moran_p(z, rows, permutations=permutations, rng=rng)
    else:
        p_sim = np.full(n, np.nan)
        notes.append("no permutations were run, so no area is tested for a local cluster or outlier")
    judged = false_discovery_rate(p_sim) if correction == "fdr" else p_sim
    cluster = np.full(n, NOT_SIGNIFICANT, dtype=object)
    with np.errstate(invalid="ignore"):
        significant = judged <= significance
    for code, label in CLUSTER_LABELS.items():
        cluster[significant & (quadrant == code)] = label
    cluster[islands_mask] = NO_NEIGHBOURS
    if not permutations:
        cluster[~islands_mask] = None
    islands = int(islands_mask.sum())
    if islands:
        notes.append(
            f"{islands} area{'s have' if islands != 1 else ' has'} no neighbours: left out of the local statistics, and weigh nothing in the global ones"
        )
    if permutations and 1 / (permutations + 1) > significance:
        notes.append(f"with {permutations} permutations no pseudo p-value can reach {significance:g}; run 999")
    if correction == "fdr":
        notes.append(
            f"areas are judged by p-values corrected for testing {int(np.isfinite(p_sim).sum()):,} areas at once (Benjamini–Hochberg false discovery rate)"
        )
    elif permutations:
        notes.append(
            f"the local p-values are not corrected for testing {n:,} areas at once: about {significance:.0%} of areas would be called "
            "clusters or outliers in a pattern with none"
        )
    counts = {label: int((cluster == label).sum()) for label in (*CLUSTER_LABELS.values(), NOT_SIGNIFICANT, NO_NEIGHBOURS)}
    for array in (y, z, lag, local_i, p_sim, judged):
        array.setflags(write=False)
    return AutocorrelationResult(
        ids=weights.ids,
        values=y,
        z=z,
        lag=lag,
        local_i=local_i,
        quadrant=quadrant,
        local_p_sim=p_sim,
        local_p=judged,
        cluster=cluster,
        moran=moran,
        general_g=g,
        n=n,
        neighbours=weights.definition,
        islands=islands,
        summary=plain_summary(moran=moran, general_g=g, counts=counts, significance=significance, value_label=value_label),
        notes=tuple(notes),
        parameters={
            "permutations": permutations,
            "seed": seed_used,
            "significance": significance,
            "correction": correction,
            "moran_weights": "row-standardised",
            "general_g_weights": "binary",
            "neighbours": weights.definition,
            "p_sim": "one-sided in the observed direction, (min(at least, at most) + 1) / (permutations + 1)",
            "value_label": value_label,
        },
        counts=counts,
    )


def plain_summary(*, moran: MoranResult, general_g: GeneralGResult | None, counts: dict[str, int], significance: float, value_label: str) -> str:
    """Sentences an analyst can quote: the global pattern, the hot-spot or cold-spot tendency, and the local
    clusters and outliers. The CLI and the pages both print these; they are written only here."""
    p = moran.p_sim if moran.p_sim is not None else moran.p_randomisation
    how = "by permutation" if moran.p_sim is not None else "under randomisation"
    if p is not None and math.isfinite(p) and p <= significance:
        kind = "clustered: areas with like values sit beside each other" if moran.statistic > moran.expected else "dispersed: high values sit beside low ones"
        sentences = [
            f"The {value_label} are {kind} more than chance would give (Moran's I {moran.statistic:.3f}, expected {moran.expected:.3f}; {p_phrase(p)} {how})."
        ]
    else:
        sentences = [
            f"The {value_label} show no spatial pattern beyond what chance would give (Moran's I {moran.statistic:.3f}, expected {moran.expected:.3f}; {p_phrase(p)} {how})."
        ]
    if general_g is not None:
        gp = general_g.p_sim if general_g.p_sim is not None else general_g.p_normal
        if gp is not None and math.isfinite(gp) and gp <= significance:
            tendency = (
                "high values sit together (a hot-spot pattern)" if general_g.statistic > general_g.expected else "low values sit together (a cold-spot pattern)"
            )
            sentences.append(f"General G says {tendency} (G {general_g.statistic:.4g} against {general_g.expected:.4g} expected; {p_phrase(gp)}).")
    if moran.permutations:
        found = [f"{counts[label]} {label.lower()}{'s' if counts[label] != 1 else ''}" for label in CLUSTER_LABELS.values() if counts.get(label)]
        if found:
            sentences.append("Local Moran's I finds " + ", ".join(found) + f" at p ≤ {significance:g}.")
        else:
            sentences.append(f"Local Moran's I finds no cluster or outlier at p ≤ {significance:g}.")
    return " ".join(sentences)


def grid_autocorrelation(
    *,
    x: Any,
    y: Any,
    cell: float,
    contiguity: str = "queen",
    extent: Any = None,
    weights: np.ndarray | None = None,
    permutations: int = 999,
    seed: int | np.random.Generator | None = None,
    significance: float = SIGNIFICANCE,
    correction: str = "none",
    value_label: str = "events per cell",
) -> AutocorrelationResult:
    """Spatial autocorrelation of events counted on the hot-spot grid (``cell`` metres; the events' bounding box,
    or ``extent`` west, south, east, north, outside which events are left out and counted in the notes), with
    the grid's queen or rook neighbours. ``weights`` (harm per event) are summed instead of counting events."""
    grid = grid_over(x=x, y=y, cell=cell, extent=extent)
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    index = grid.cell_of(xs, ys)
    if extent is not None:
        # An event exactly on the study area's east or north edge joins the last cell, as on the hot-spot map.
        west, south, east, north = (float(v) for v in extent)
        on_edge = (index < 0) & (xs >= west) & (xs <= east) & (ys >= south) & (ys <= north)
        col = np.clip(np.floor((xs - grid.origin[0]) / grid.cell), 0, grid.cols - 1).astype(np.int64)
        row = np.clip(np.floor((ys - grid.origin[1]) / grid.cell), 0, grid.rows - 1).astype(np.int64)
        index = np.where(on_edge, row * grid.cols + col, index)
    kept = index >= 0
    if not kept.any():
        raise AnalysisInputError(f"none of the {len(xs)} events lies within the study area")
    counts = np.bincount(index[kept], weights=None if weights is None else np.asarray(weights, dtype=np.float64)[kept], minlength=grid.size).astype(np.float64)
    result = spatial_autocorrelation(
        values=counts,
        weights=grid_weights(rows=grid.rows, cols=grid.cols, contiguity=contiguity),
        permutations=permutations,
        seed=seed,
        significance=significance,
        correction=correction,
        value_label=value_label,
    )
    notes = list(result.notes)
    if (~kept).any():
        notes.append(f"{int((~kept).sum())} events outside the study area were left out")
    parameters = {
        **result.parameters,
        "cell": grid.cell,
        "contiguity": contiguity,
        "extent": None if extent is None else [float(v) for v in extent],
        "events": int(kept.sum()),
    }
    return replace(result, grid=grid, notes=tuple(notes), parameters=parameters)
