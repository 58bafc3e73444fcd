"""The Power Few: how concentrated events are over units (places, victims, offenders) — the Lorenz
curve, the Gini coefficient, the generalised Gini for sparse events, and the share held by the top units."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from rocc.analysis import inputs
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import column_name, event_weights, factorized
from rocc.analysis.results import jsonable

TOP_FRACTIONS = (0.01, 0.05, 0.1, 0.2)
# A Lorenz curve with more vertices than this is resampled at evenly spaced unit shares.
MAX_LORENZ_POINTS = 1001
#: More bootstrap replicates than this add digits, not knowledge.
MAX_BOOTSTRAP = 9999


def gini_of_sorted(ascending: np.ndarray, *, units: int) -> float:
    """The Gini coefficient of ``units`` values: ``ascending`` (sorted, ≥ 0, positive sum) plus zeros for
    the rest. G = Σᵢ Σⱼ |yᵢ − yⱼ| / (2 N² ȳ), whose maximum is (N − 1)/N."""
    n_observed = len(ascending)
    # The i-th smallest value has rank i among all N units; the unobserved zeros take the lowest ranks
    # and add nothing. G = Σ (2i − N − 1) y₍ᵢ₎ / (N Σ y), one division so round numbers come out exact.
    ranks = np.arange(units - n_observed + 1, units + 1, dtype=np.float64)
    total = float(ascending.sum())
    gini = float(np.dot(2.0 * ranks - units - 1.0, ascending) / (units * total))
    return min(max(gini, 0.0), 1.0)


def generalised_gini(gini: float, *, events: int, units: int) -> float:
    """Bernasco & Steenbeek (2017): with E events over N units, G′ = max(1, N/E) · (G − 1) + 1.

    When E < N perfect equality is impossible; the most equal spread puts one event in each of E
    units. G′ measures the Lorenz curve against that line of maximal equality, so that spread scores
    0, and G′ equals G whenever E ≥ N."""
    value = max(1.0, units / events) * (gini - 1.0) + 1.0
    # Rounding can push the most equal spread a hair below 0; it is 0 by construction.
    return min(max(value, 0.0), 1.0)


def _lorenz(ascending: np.ndarray, *, units: int, total: float) -> tuple[list[list[float]], bool]:
    """Vertices of the Lorenz curve (share of units, share of events), from [0, 0] to [1, 1]; a run of
    equal values is a straight segment, so one vertex per run is exact."""
    n_zero = units - len(ascending)
    run_ends = np.flatnonzero(np.diff(ascending) != 0)
    last_of_run = np.append(run_ends, len(ascending) - 1)
    cumulative = np.cumsum(ascending)
    unit_share = (n_zero + last_of_run + 1) / units
    event_share = cumulative[last_of_run] / total
    if n_zero:
        unit_share = np.concatenate([[n_zero / units], unit_share])
        event_share = np.concatenate([[0.0], event_share])
    unit_share = np.concatenate([[0.0], unit_share])
    event_share = np.concatenate([[0.0], event_share])
    resampled = len(unit_share) > MAX_LORENZ_POINTS
    if resampled:
        grid = np.linspace(0.0, 1.0, MAX_LORENZ_POINTS)
        event_share = np.interp(grid, unit_share, event_share)
        unit_share = grid
    points = np.column_stack([unit_share, event_share])
    points[-1] = (1.0, 1.0)
    return points.tolist(), resampled


def _share_of_top(descending_cumulative: np.ndarray, *, units: int, fraction: float, total: float) -> float:
    """Share of the total held by the top ``fraction`` of units, counting a fraction of the next unit when
    fraction · N is not whole (the Lorenz curve read at 1 − fraction)."""
    k = fraction * units
    whole = int(np.floor(k))
    held = descending_cumulative[min(whole, len(descending_cumulative)) - 1] if whole > 0 else 0.0
    if whole < len(descending_cumulative) and k > whole:
        next_value = descending_cumulative[whole] - (descending_cumulative[whole - 1] if whole > 0 else 0.0)
        held += (k - whole) * next_value
    return float(held / total)


def _units_for_share(descending_cumulative: np.ndarray, *, units: int, share: float, total: float) -> float:
    """The smallest share of units (fractions of a unit allowed) that holds ``share`` of the total."""
    target = share * total
    k = int(np.searchsorted(descending_cumulative, target, side="left"))
    before = descending_cumulative[k - 1] if k > 0 else 0.0
    value = descending_cumulative[k] - before
    return float((k + (target - before) / value) / units)


@dataclasses.dataclass(frozen=True, eq=False)
class ConcentrationResult:
    """How concentrated events are over units. ``units`` counts units with no events when a total was given."""

    units: int
    units_observed: int
    events: int
    total: float
    gini: float
    generalised_gini: float | None
    top_shares: dict[str, float]
    units_for_half: float
    lorenz: list[list[float]]
    top_units: list[dict[str, Any]]
    notes: tuple[str, ...]
    parameters: dict[str, Any]
    #: Bootstrap interval of the Gini (and of the generalised Gini when it is computed): the events resampled with
    #: replacement ``bootstrap`` times, each replicate's Gini over the same N units; the bias-corrected and accelerated
    #: (BCa) interval of the replicates (see :func:`bca_interval`), or the basic interval when the BCa cannot be formed
    #: (``gini_interval_method`` says which). ``gini_bootstrap_bias`` is the replicates' mean less the Gini;
    #: ``gini_bca_z0`` and ``gini_bca_acceleration`` the BCa's bias correction and acceleration.
    gini_interval: tuple[float, float] | None = None
    generalised_gini_interval: tuple[float, float] | None = None
    bootstrap: int = 0
    confidence: float | None = None
    seed: int | None = None
    gini_bootstrap_bias: float | None = None
    gini_interval_method: str | None = None
    gini_bca_z0: float | None = None
    gini_bca_acceleration: float | None = None
    #: The chance baseline: the Lorenz curve and Gini of the Poisson distribution with the same mean events per unit
    #: (E/N), what the counts would look like if every unit were equally likely to have each event.
    chance_lorenz: list[list[float]] | None = None
    chance_gini: float | None = None
    chance_mean: float | None = None

    def to_frame(self) -> pd.DataFrame:
        """The Lorenz curve as a frame (share of units, share of events)."""
        return pd.DataFrame(self.lorenz, columns=["unit_share", "event_share"])

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "units": self.units,
                "units_observed": self.units_observed,
                "events": self.events,
                "total": self.total,
                "gini": self.gini,
                "generalised_gini": self.generalised_gini,
                "top_shares": self.top_shares,
                "units_for_half": self.units_for_half,
                "lorenz": self.lorenz,
                "top_units": self.top_units,
                "notes": list(self.notes),
                "parameters": self.parameters,
                "gini_interval": self.gini_interval,
                "generalised_gini_interval": self.generalised_gini_interval,
                "bootstrap": self.bootstrap,
                "confidence": self.confidence,
                "seed": self.seed,
                "gini_bootstrap_bias": self.gini_bootstrap_bias,
                "gini_interval_method": self.gini_interval_method,
                "gini_bca_z0": self.gini_bca_z0,
                "gini_bca_acceleration": self.gini_bca_acceleration,
                "chance_lorenz": self.chance_lorenz,
                "chance_gini": self.chance_gini,
                "chance_mean": self.chance_mean,
            }
        )


def concentration(
    *,
    units: Sequence[Any] | np.ndarray | pd.Series,
    weights: Sequence[float] | np.ndarray | None = None,
    units_total: int | None = None,
    top: int = 20,
    bootstrap: int = 0,
    confidence: float = 0.95,
    seed: int | np.random.Generator | None = None,
    chance_baseline: bool = False,
) -> ConcentrationResult:
    """Concentration of events over the units they happened at (or to, or by).

    Parameters
    ----------
    units : the unit of each event (place, victim, offender identifier).
    weights : a weight per event (≥ 0), e.g. harm; the measures then describe the weight, not the count.
    units_total : the number of units including those with no events (e.g. all street segments); must
        be at least the number of distinct units among the events. Without it only units with events
        are counted, and the generalised Gini is not computed.
    top : how many of the highest units to list.
    bootstrap, confidence, seed : with ``bootstrap`` > 0, a bootstrap interval at ``confidence`` for the Gini (and the
        generalised Gini): replicate b draws the events with replacement (``rng.integers(0, E, E)``, the b-th draw), each
        bringing its unit and weight, and computes the Gini over the same N units; the interval is the BCa interval
        (Efron 1987) of those replicates, its acceleration from the jackknife over the events. The seed is recorded.
    chance_baseline : add the Lorenz curve and Gini of the Poisson distribution with mean E/N, the concentration that
        chance alone would give if every unit were equally likely to have each event (counts only; needs N).

    Gini is G = Σᵢ Σⱼ |yᵢ − yⱼ| / (2 N² ȳ) over N units (the population form: 0.75 for [0, 0, 0, 10]).
    ``top_shares`` maps "0.01", "0.05", "0.1", "0.2" to the share of the total held by that share of
    the N units; ``units_for_half`` is the share of units that holds half of the total.
    """
    position, labels = factorized(units, name=column_name(units, "unit"))
    n_events = len(position)
    if n_events == 0:
        raise AnalysisInputError("there are no events")
    weights = event_weights(weights, events=n_events)
    values = np.bincount(position, weights=weights, minlength=len(labels)).astype(np.float64)
    n_observed = len(labels)
    if units_total is None:
        n_units = n_observed
    else:
        if isinstance(units_total, bool) or not isinstance(units_total, (int, np.integer)):
            raise AnalysisInputError(f"units total must be a whole number, found {units_total!r}")
        if units_total < n_observed:
            raise AnalysisInputError(f"units total {units_total} is less than the {n_observed} distinct units that have events")
        n_units = int(units_total)
    total = float(values.sum())
    if total <= 0:
        raise AnalysisInputError("every event has weight 0, so there is nothing to measure the concentration of")

    ascending = np.sort(values)
    gini = gini_of_sorted(ascending, units=n_units)
    notes = []
    if units_total is None:
        generalised = None
        notes.append("generalised_gini needs the number of units including those without events (units_total); without it only units with events are counted")
    elif weights is not None:
        generalised = None
        notes.append("generalised_gini is defined for counts of events, not weighted totals")
    else:
        generalised = generalised_gini(gini, events=n_events, units=n_units)
    lorenz, resampled = _lorenz(ascending, units=n_units, total=total)
    if resampled:
        notes.append(f"the Lorenz curve is resampled at {MAX_LORENZ_POINTS} evenly spaced unit shares")

    interval = generalised_interval = None
    seed_used = bootstrap_bias = interval_method = z0 = acceleration = None
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or not 0 <= bootstrap <= MAX_BOOTSTRAP:
        raise AnalysisInputError(f"bootstrap replicates must be a whole number from 0 to {MAX_BOOTSTRAP}, not {bootstrap!r}")
    if not (isinstance(confidence, (int, float)) and 0.5 <= confidence < 1):
        raise AnalysisInputError(f"confidence must be at least 0.5 and below 1, not {confidence!r}")
    if bootstrap:
        rng, seed_used = inputs.rng(seed)
        replicates = _bootstrap_ginis(position, weights, n_labels=n_observed, n_units=n_units, replicates=int(bootstrap), rng=rng)
        jackknife = jackknife_ginis(position, weights, n_labels=n_observed, n_units=n_units)
        interval, interval_method, z0, acceleration = bca_interval(replicates, estimate=gini, jackknife=jackknife, confidence=confidence)
        bootstrap_bias = float(np.mean(replicates)) - gini
        if interval_method == "basic":
            notes.append(
                "the BCa interval cannot be formed (every replicate's Gini is on one side of the Gini), so the interval is the basic "
                "bootstrap interval (twice the Gini less the replicates' percentiles)"
            )
        if generalised is not None:
            bounds = [generalised_gini(g, events=n_events, units=n_units) for g in interval]
            generalised_interval = (bounds[0], bounds[1])
    chance_lorenz = chance_gini = chance_mean = None
    if chance_baseline:
        if weights is not None:
            notes.append("the chance baseline is for counts of events, not weighted totals: not computed")
        else:
            if units_total is None:
                notes.append("the chance baseline spreads the events over the units with events only; give units_total for all units")
            chance_mean = n_events / n_units
            chance_lorenz, chance_gini = poisson_lorenz(chance_mean)

    descending_cumulative = np.cumsum(ascending[::-1])
    top_shares = {str(fraction): _share_of_top(descending_cumulative, units=n_units, fraction=fraction, total=total) for fraction in TOP_FRACTIONS}
    # Highest first; among equals, the unit seen first in the data.
    order = np.lexsort((np.arange(n_observed), -values))[:top]
    top_units = [{"unit": labels[i], "value": values[i], "share": values[i] / total} for i in order.tolist()]
    return ConcentrationResult(
        units=n_units,
        units_observed=n_observed,
        events=n_events,
        total=total,
        gini=gini,
        generalised_gini=generalised,
        top_shares=top_shares,
        units_for_half=_units_for_share(descending_cumulative, units=n_units, share=0.5, total=total),
        lorenz=lorenz,
        top_units=top_units,
        notes=tuple(notes),
        gini_interval=interval,
        generalised_gini_interval=generalised_interval,
        bootstrap=int(bootstrap),
        confidence=float(confidence) if bootstrap else None,
        seed=seed_used,
        gini_bootstrap_bias=bootstrap_bias,
        gini_interval_method=interval_method,
        gini_bca_z0=z0,
        gini_bca_acceleration=acceleration,
        chance_lorenz=chance_lorenz,
        chance_gini=chance_gini,
        chance_mean=chance_mean,
        parameters={
            "units_total": units_total,
            "weighted": weights is not None,
            "gini_form": "population: sum of |yi - yj| / (2 N^2 mean); maximum (N - 1) / N",
            "generalised_gini": "Bernasco & Steenbeek (2017): max(1, N/E) * (G - 1) + 1",
            "gini_interval": (
                "bias-corrected and accelerated (BCa, Efron 1987) bootstrap interval: events resampled with replacement; z0 from the share of "
                "replicates below the Gini (ties half), acceleration from the jackknife over the events"
                if interval_method == "BCa"
                else "basic bootstrap interval (2 × Gini less the replicates' upper and lower percentiles): the BCa could not be formed"
            )
            if bootstrap
            else None,
        },
    )


def bca_interval(
    replicates: np.ndarray, *, estimate: float, jackknife: np.ndarray, confidence: float
) -> tuple[tuple[float, float], str, float | None, float | None]:
    """The bias-corrected and accelerated (BCa) bootstrap interval (Efron 1987; Efron and Tibshirani 1993, 14.3):
    the bias correction z0 = Φ⁻¹(share of replicates below the estimate, a tie counting half), the acceleration
    a = Σ dᵢ³ / (6 (Σ dᵢ²)^{3/2}) with dᵢ the jackknife values' mean less each jackknife value, and the interval the
    replicates' quantiles at Φ(z0 + (z0 + z_α) / (1 − a (z0 + z_α))) for α = (1 − confidence)/2 and 1 − α (linear
    interpolation), as scipy.stats.bootstrap(method="BCa") gives. Resampling events leaves units that had one or two
    with none more often than it adds to them, so the replicates run above the Gini; the BCa corrects for that bias
    (and for the spread changing with the Gini) by moving along the replicates' own distribution.

    When every replicate lies on one side of the estimate z0 is infinite and no BCa interval exists: the basic
    interval (2 · estimate less the upper and lower quantiles) is given instead. Gives the interval kept within
    [0, 1], the method ("BCa" or "basic"), z0 and a (None for the basic interval)."""
    replicates = np.asarray(replicates, dtype=np.float64)
    tail = (1 - confidence) / 2
    share = (np.count_nonzero(replicates < estimate) + np.count_nonzero(replicates <= estimate)) / (2 * len(replicates))
    z0 = float(special.ndtri(share))
    if not math.isfinite(z0):
        low, high = 2 * estimate - float(np.quantile(replicates, 1 - tail)), 2 * estimate - float(np.quantile(replicates, tail))
        return (min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0)), "basic", None, None
    jackknife = np.asarray(jackknife, dtype=np.float64)
    jackknife = jackknife[np.isfinite(jackknife)]
    d = np.mean(jackknife) - jackknife if len(jackknife) else np.zeros(1)
    spread = float(np.sum(d * d))
    acceleration = float(np.sum(d**3)) / (6 * spread**1.5) if spread > 0 else 0.0
    levels = []
    for z_alpha in (float(special.ndtri(tail)), float(special.ndtri(1 - tail))):
        shifted = z0 + z_alpha
        levels.append(float(special.ndtr(z0 + shifted / (1 - acceleration * shifted))))
    low, high = (float(v) for v in np.quantile(replicates, levels))
    return (min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0)), "BCa", z0, acceleration


def jackknife_ginis(position: np.ndarray, weights: np.ndarray | None, *, n_labels: int, n_units: int) -> np.ndarray:
    """The Gini with each event left out in turn (over the same N units), for the BCa's acceleration. Leaving out
    event i of unit u takes its weight w from u's total y_u, so the sum of absolute differences D = Σᵢ Σⱼ |yᵢ − yⱼ|
    changes by 2 (Σ_{j≠u} |y_u − w − y_j| − Σ_{j≠u} |y_u − y_j|): each sum is read from the sorted totals' running
    sums, so the E jackknife values take O(E log N), not E Ginis. G = D / (2 N T) with T the total."""
    w = np.ones(len(position)) if weights is None else np.asarray(weights, dtype=np.float64)
    values = np.bincount(position, weights=w, minlength=n_labels).astype(np.float64)
    totals = np.sort(np.concatenate([values, np.zeros(n_units - n_labels)]))
    running = np.concatenate([[0.0], np.cumsum(totals)])
    total = running[-1]

    def absolute_sum(v: np.ndarray) -> np.ndarray:
        # Σⱼ |v − yⱼ| over all N totals.
        k = np.searchsorted(totals, v, side="right")
        return v * k - running[k] + (total - running[k]) - v * (n_units - k)

    ranks = np.arange(1, n_units + 1)
    pairs = 2.0 * float(np.sum((2 * ranks - n_units - 1) * totals))
    before = values[position]
    after = before - w
    # |after − before| = w is the one term of the new sum that compares u with its own old total.
    changed = pairs - 2 * absolute_sum(before) + 2 * (absolute_sum(after) - w)
    remaining = total - w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(remaining > 0, changed / (2 * n_units * remaining), np.nan)


def _bootstrap_ginis(position: np.ndarray, weights: np.ndarray | None, *, n_labels: int, n_units: int, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """The Gini of each bootstrap replicate: the events drawn with replacement, over the same N units."""
    n_events = len(position)
    ginis = np.empty(replicates)
    for b in range(replicates):
        drawn = rng.integers(0, n_events, n_events)
        values = np.bincount(position[drawn], weights=None if weights is None else weights[drawn], minlength=n_labels)
        ascending = np.sort(values[values > 0].astype(np.float64))
        ginis[b] = gini_of_sorted(ascending, units=n_units) if ascending.sum() > 0 else np.nan
    return ginis[np.isfinite(ginis)]


def poisson_lorenz(mean: float) -> tuple[list[list[float]], float]:
    """The Lorenz curve (vertices from [0, 0] to [1, 1]) and Gini of the Poisson distribution with this mean: units
    sorted by count, the share of units with at most k events against the share of events they hold. The support is
    cut where the remaining probability is below 1e-15 (the last vertex is then put at [1, 1])."""
    from scipy.stats import poisson

    top = int(poisson.isf(1e-15, mean)) + 1
    k = np.arange(top + 1)
    p = poisson.pmf(k, mean)
    unit_share = np.concatenate([[0.0], np.cumsum(p)])
    event_share = np.concatenate([[0.0], np.cumsum(k * p) / mean])
    unit_share[-1] = event_share[-1] = 1.0
    area = float(np.sum((unit_share[1:] - unit_share[:-1]) * (event_share[1:] + event_share[:-1]) / 2))
    points = np.column_stack([unit_share, event_share])
    if len(points) > MAX_LORENZ_POINTS:
        grid = np.linspace(0.0, 1.0, MAX_LORENZ_POINTS)
        points = np.column_stack([grid, np.interp(grid, unit_share, event_share)])
    return points.tolist(), min(max(1.0 - 2.0 * area, 0.0), 1.0)
