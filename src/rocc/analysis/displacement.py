"""Displacement and evaluation of place-based interventions: the Weighted Displacement Quotient, the
Weighted Displacement Difference test and a before/after comparison of an indicator with a control."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.inputs import column, date_column, numeric_column, read_table
from rocc.analysis.results import jsonable

AREAS = ("target", "buffer", "control", "buffer_control")
PERIODS = ("before", "after")
AREA_NAMES = {
    "target": "target area",
    "buffer": "buffer area",
    "control": "control area",
    "buffer_control": "buffer's control area",
}


def _check_count(value: Any, *, area: str, period: str, what: str = "count") -> float:
    name = f"{AREA_NAMES[area]}, {period} period"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise AnalysisInputError(f"{name}: expected a number for the {what}, found {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise AnalysisInputError(f"{name}: the {what} must be a finite number, not {value}")
    if value < 0:
        raise AnalysisInputError(f"{name}: a negative {what} ({value:g}); counts and harm totals cannot be below 0")
    return value


def _normal_quantile(confidence: float) -> float:
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise AnalysisInputError(f"confidence must be between 0 and 1 (e.g. 0.95), not {confidence!r}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


# --------------------------------------------------------------------------------------------------
# Weighted Displacement Quotient (Bowers and Johnson 2003)


@dataclass(frozen=True)
class WDQResult:
    """The Weighted Displacement Quotient and the figures it is made of.

    ``success_measure`` = A_a/C_a − A_b/C_b is negative when crime fell in the target area relative
    to the control. ``buffer_displacement_measure`` = B_a/C_a − B_b/C_b is positive when crime rose
    in the buffer relative to the control (displacement), negative when it fell (diffusion of
    benefits). WDQ = buffer displacement measure / success measure, given only when the success
    measure is negative; otherwise ``wdq`` is None and ``interpretation`` says why.
    """

    measure: str
    target_before: float
    target_after: float
    buffer_before: float
    buffer_after: float
    control_before: float
    control_after: float
    success_measure: float
    buffer_displacement_measure: float
    wdq: float | None
    interpretation: str
    expected_target_after: float
    expected_buffer_after: float
    net_effect_target: float
    net_effect_buffer: float
    total_net_effect: float
    formulas: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


def _wdq_band(wdq: float) -> str:
    if wdq > 1:
        return "diffusion of benefits greater than the direct effect (WDQ > 1)"
    if wdq > 0:
        return "diffusion of benefits, no greater than the direct effect (0 < WDQ ≤ 1)"
    if wdq == 0:
        return "no displacement and no diffusion of benefits (WDQ = 0)"
    if wdq >= -1:
        return "displacement, smaller than the direct effect: a net benefit remains (−1 ≤ WDQ < 0)"
    return "displacement greater than the direct effect: the intervention made things worse overall (WDQ < −1)"


def weighted_displacement_quotient(
    *,
    target_before: float,
    target_after: float,
    buffer_before: float,
    buffer_after: float,
    control_before: float,
    control_after: float,
    measure: str = "count",
) -> WDQResult:
    """Bowers and Johnson's (2003) Weighted Displacement Quotient for a target area (A), the buffer
    around it (B) and a control area (C), before (b) and after (a) an intervention.

    The counts may be crimes or harm totals (``measure`` says which, for the record). Period lengths
    need no adjustment: every ratio is between two areas in the same period. Area sizes are not
    applied: the quotient compares the number of crimes displaced with the number prevented.

    Reading (the published table, with Bowers and Johnson's signs): WDQ > 1 diffusion of benefits
    greater than the direct effect; 0 < WDQ ≤ 1 diffusion of benefits; WDQ = 0 neither;
    −1 ≤ WDQ < 0 displacement smaller than the direct effect; WDQ < −1 displacement greater than the
    direct effect. The quotient is refused (``wdq`` None) when the success measure is zero or positive:
    crime did not fall in the target area relative to the control, so there is no treatment effect
    for displacement to be measured against.

    Also given: the counts expected after in A and B had they followed the control's trend
    (A_b·C_a/C_b, B_b·C_a/C_b), the net effect in each (expected − observed; positive = crimes
    prevented) and their sum, the total net effect.
    """
    values = {
        ("target", "before"): target_before,
        ("target", "after"): target_after,
        ("buffer", "before"): buffer_before,
        ("buffer", "after"): buffer_after,
        ("control", "before"): control_before,
        ("control", "after"): control_after,
    }
    checked = {key: _check_count(v, area=key[0], period=key[1], what=measure) for key, v in values.items()}
    for period in PERIODS:
        if checked[("control", period)] == 0:
            raise AnalysisInputError(
                f"control area, {period} period: 0 {'crimes' if measure == 'count' else measure}; the WDQ "
                "divides by the control's figure in each period, so it cannot be computed (choose a larger "
                "control area or a longer period)"
            )
    a_b, a_a = checked[("target", "before")], checked[("target", "after")]
    b_b, b_a = checked[("buffer", "before")], checked[("buffer", "after")]
    c_b, c_a = checked[("control", "before")], checked[("control", "after")]
    success = a_a / c_a - a_b / c_b
    buffer_measure = b_a / c_a - b_b / c_b
    # Exact arithmetic noise should not turn "no change" into a tiny signed change.
    if abs(success) < 1e-12:
        success = 0.0
    if abs(buffer_measure) < 1e-12:
        buffer_measure = 0.0
    wdq: float | None = None
    if success < 0:
        wdq = buffer_measure / success
        interpretation = _wdq_band(wdq)
    else:
        interpretation = (
            f"no WDQ: the success measure is {success:+.4g} (≥ 0), so crime did not fall in the target area "
            "relative to the control; with no treatment effect there is nothing to weigh displacement against"
        )
    trend = c_a / c_b
    expected_a, expected_b = a_b * trend, b_b * trend
    return WDQResult(
        measure=measure,
        target_before=a_b,
        target_after=a_a,
        buffer_before=b_b,
        buffer_after=b_a,
        control_before=c_b,
        control_after=c_a,
        success_measure=success,
        buffer_displacement_measure=buffer_measure,
        wdq=wdq,
        interpretation=interpretation,
        expected_target_after=expected_a,
        expected_buffer_after=expected_b,
        net_effect_target=expected_a - a_a,
        net_effect_buffer=expected_b - b_a,
        total_net_effect=(expected_a - a_a) + (expected_b - b_a),
        formulas={
            "success_measure": "A_a/C_a − A_b/C_b",
            "buffer_displacement_measure": "B_a/C_a − B_b/C_b",
            "wdq": "(B_a/C_a − B_b/C_b) / (A_a/C_a − A_b/C_b), only when the success measure < 0",
            "expected_after": "before × C_a/C_b",
            "net_effect": "expected_after − observed_after (positive = prevented)",
            "total_net_effect": "net_effect_target + net_effect_buffer",
        },
    )


# --------------------------------------------------------------------------------------------------
# Weighted Displacement Difference (Wheeler and Ratcliffe 2018)


@dataclass(frozen=True)
class WDDCell:
    """One area-period's contribution: its figure, the divisor that puts it on the common scale
    (period length relative to the after period × area in km²) and its Poisson variance."""

    area: str
    period: str
    count: float
    harm: float | None
    divisor: float
    value: float
    variance: float


@dataclass(frozen=True)
class WDDResult:
    """The Weighted Displacement Difference: the change in the target area net of its control, plus the
    change in the buffer net of its control, with a Poisson standard error. Negative = fewer crimes."""

    measure: str
    form: str
    cells: tuple[WDDCell, ...]
    local_estimate: float
    local_se: float
    displacement_estimate: float | None
    displacement_se: float | None
    estimate: float
    variance: float
    se: float
    confidence: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    units: str
    interpretation: str
    formula: str

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([jsonable(c) for c in self.cells])


def _divisors(
    areas: list[str], *, before_days: float | None, after_days: float | None, area_km2: Mapping[str, float] | None
) -> tuple[dict[tuple[str, str], float], str]:
    if (before_days is None) != (after_days is None):
        raise AnalysisInputError("give both period lengths (before_days and after_days) or neither")
    time_weight = {"before": 1.0, "after": 1.0}
    units = "crimes"
    if before_days is not None and after_days is not None:  # both or neither, checked just above
        for name, days in (("before_days", before_days), ("after_days", after_days)):
            if isinstance(days, bool) or not isinstance(days, (int, float)) or not math.isfinite(days) or days <= 0:
                raise AnalysisInputError(f"{name} must be a positive number of days, not {days!r}")
        time_weight["before"] = before_days / after_days
        units += f" per {after_days:g} days (the after period)"
    sizes = {area: 1.0 for area in areas}
    if area_km2 is not None:
        unknown = sorted(set(area_km2) - set(AREAS))
        if unknown:
            raise AnalysisInputError(f"unknown area '{unknown[0]}' in the area sizes; expected {', '.join(AREAS)}")
        spare = [area for area in AREAS if area in area_km2 and area not in areas]
        if spare:
            raise AnalysisInputError(f"{AREA_NAMES[spare[0]]}: a size was given, but no counts")
        for area in areas:
            if area not in area_km2:
                raise AnalysisInputError(f"{AREA_NAMES[area]}: no size given; give a size in km² for every area or for none")
            size = area_km2[area]
            if isinstance(size, bool) or not isinstance(size, (int, float)) or not math.isfinite(size) or size <= 0:
                raise AnalysisInputError(f"{AREA_NAMES[area]}: the size must be a positive number of km², not {size!r}")
            sizes[area] = float(size)
        units += " per km²"
    return {(a, p): time_weight[p] * sizes[a] for a in areas for p in PERIODS}, units


def weighted_displacement_difference(
    *,
    target_before: float,
    target_after: float,
    control_before: float,
    control_after: float,
    buffer_before: float | None = None,
    buffer_after: float | None = None,
    buffer_control_before: float | None = None,
    buffer_control_after: float | None = None,
    harm: Mapping[tuple[str, str], float] | None = None,
    before_days: float | None = None,
    after_days: float | None = None,
    area_km2: Mapping[str, float] | None = None,
    confidence: float = 0.95,
) -> WDDResult:
    """Wheeler and Ratcliffe's (2018) Weighted Displacement Difference test.

    Three forms, by which areas are given:

    * four areas: WDD = ΔA − ΔC + ΔB − ΔD, with C the control for the target A and D
      (``buffer_control``) the control for the buffer B; Δ = after − before;
    * shared control (a buffer but no separate control for it): C serves both, WDD = ΔA + ΔB − 2ΔC;
    * target and control only: WDD = ΔA − ΔC (no displacement area).

    Under the Poisson assumption each count's variance is the count itself, so the variance of WDD is
    the sum of the counts (the shared control's counts four times, as 2ΔC doubles them); SE = √variance,
    z = WDD / SE, two-sided p from the normal distribution, and the ``confidence`` interval
    WDD ± z_crit·SE. Beware very small counts (the normal approximation) and over-dispersed counts
    (the interval is then too narrow).

    ``before_days``/``after_days``: period lengths; counts are divided by their period's length
    relative to the after period, so WDD is in crimes per after period. ``area_km2``: area → size; counts
    are divided by their area's size, so WDD is per km². A divisor d scales a count's variance by 1/d².

    ``harm``: (area, period) → harm total for every area-period used; WDD is then computed on harm.
    Its variance treats every crime in an area-period as carrying that area-period's mean harm
    m = harm/count, so var(harm) = m²·count = harm²/count.
    """
    z_crit = _normal_quantile(confidence)
    given: dict[tuple[str, str], float | None] = {
        ("target", "before"): target_before,
        ("target", "after"): target_after,
        ("control", "before"): control_before,
        ("control", "after"): control_after,
    }
    has_buffer = buffer_before is not None or buffer_after is not None
    has_buffer_control = buffer_control_before is not None or buffer_control_after is not None
    if has_buffer_control and not has_buffer:
        raise AnalysisInputError("a control for the buffer was given, but no buffer area")
    for area, before, after, present in (
        ("buffer", buffer_before, buffer_after, has_buffer),
        ("buffer_control", buffer_control_before, buffer_control_after, has_buffer_control),
    ):
        if present:
            for period, value in (("before", before), ("after", after)):
                if value is None:
                    raise AnalysisInputError(f"{AREA_NAMES[area]}: no count for the {period} period")
            given[(area, "before")], given[(area, "after")] = before, after
    counts = {key: _check_count(v, area=key[0], period=key[1]) for key, v in given.items()}
    areas = [a for a in AREAS if (a, "before") in counts]
    divisor, units = _divisors(areas, before_days=before_days, after_days=after_days, area_km2=area_km2)

    measure = "count"
    values = dict(counts)
    variances = {}
    harms: dict[tuple[str, str], float | None] = {key: None for key in counts}
    if harm is not None:
        measure = "harm"
        for key in counts:
            if key not in harm:
                raise AnalysisInputError(f"{AREA_NAMES[key[0]]}, {key[1]} period: no harm total given")
            h = _check_count(harm[key], area=key[0], period=key[1], what="harm total")
            if counts[key] == 0 and h > 0:
                raise AnalysisInputError(f"{AREA_NAMES[key[0]]}, {key[1]} period: a harm total of {h:g} with 0 crimes")
            harms[key] = h
            values[key] = h
        units = units.replace("crimes", "harm", 1)
    for key, count in counts.items():
        value = values[key]
        raw_variance = value if measure == "count" else (value * value / count if count > 0 else 0.0)
        variances[key] = raw_variance / divisor[key] ** 2
    scaled = {key: values[key] / divisor[key] for key in counts}

    def delta(area: str) -> float:
        return scaled[(area, "after")] - scaled[(area, "before")]

    def var(area: str) -> float:
        return variances[(area, "after")] + variances[(area, "before")]

    local = delta("target") - delta("control")
    local_var = var("target") + var("control")
    if has_buffer_control:
        form = "four areas"
        displacement = delta("buffer") - delta("buffer_control")
        displacement_var = var("buffer") + var("buffer_control")
        total_var = local_var + displacement_var
        formula = "WDD = ΔA − ΔC + ΔB − ΔD; variance = sum of the eight counts"
    elif has_buffer:
        form = "shared control"
        displacement = delta("buffer") - delta("control")
        displacement_var = var("buffer") + var("control")
        # The control enters twice, so its variance counts four times, not twice.
        total_var = var("target") + var("buffer") + 4 * var("control")
        formula = "WDD = ΔA + ΔB − 2ΔC; variance = counts of A and B + 4 × counts of C"
    else:
        form = "target and control only"
        displacement = None
        displacement_var = None
        total_var = local_var
        formula = "WDD = ΔA − ΔC; variance = sum of the four counts"
    if measure == "harm":
        formula += " (harm: each count's variance is harm²/count)"
    if divisor and any(d != 1 for d in divisor.values()):
        formula += "; each figure divided by its period-length and area weight, its variance by the weight squared"
    estimate = local + (displacement or 0.0)
    if total_var <= 0:
        raise AnalysisInputError("every count is zero, so the WDD has no variance and cannot be tested; check the counts")
    se = math.sqrt(total_var)
    z = estimate / se
    p_value = float(2 * stats.norm.sf(abs(z)))
    low, high = estimate - z_crit * se, estimate + z_crit * se
    if high < 0:
        verdict = "a reduction net of the control and of any displacement; the interval excludes 0"
    elif low > 0:
        verdict = "an increase net of the control and of any displacement; the interval excludes 0"
    else:
        verdict = "no change distinguishable from chance; the interval includes 0"
    interpretation = f"WDD {estimate:+.4g} {units} ({confidence:.0%} CI {low:+.4g} to {high:+.4g}, z = {z:.2f}, p = {p_value:.3g}): {verdict}"
    cells = tuple(
        WDDCell(area=a, period=p, count=counts[(a, p)], harm=harms[(a, p)], divisor=divisor[(a, p)], value=scaled[(a, p)], variance=variances[(a, p)])
        for a in areas
        for p in PERIODS
    )
    return WDDResult(
        measure=measure,
        form=form,
        cells=cells,
        local_estimate=local,
        local_se=math.sqrt(local_var),
        displacement_estimate=displacement,
        displacement_se=math.sqrt(displacement_var) if displacement_var is not None else None,
        estimate=estimate,
        variance=total_var,
        se=se,
        confidence=confidence,
        ci_low=low,
        ci_high=high,
        z=z,
        p_value=p_value,
        units=units,
        interpretation=interpretation,
        formula=formula,
    )


# --------------------------------------------------------------------------------------------------
# Both measures from one table of counts


@dataclass(frozen=True)
class DisplacementMeasures:
    """The WDQ (or why there is none) and the WDD for one measure: crime counts or harm totals."""

    measure: str
    wdq: WDQResult | None
    wdq_not_given: str | None
    wdd: WDDResult


@dataclass(frozen=True)
class AreaPeriodCount:
    area: str
    period: str
    count: float
    harm: float | None


@dataclass(frozen=True)
class DisplacementAnalysis:
    """Displacement and diffusion of benefits around a place-based intervention, by count and (when
    harm totals are given) by harm."""

    inputs: tuple[AreaPeriodCount, ...]
    count: DisplacementMeasures
    harm: DisplacementMeasures | None
    parameters: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per statistic: measure, statistic, estimate, standard error, interval and p-value."""
        rows: list[tuple[str, str, float | None, float | None, float | None, float | None, float | None]] = []
        for measures in (self.count, self.harm):
            if measures is None:
                continue
            wdd = measures.wdd
            rows.append((measures.measure, "wdd_local", wdd.local_estimate, wdd.local_se, None, None, None))
            if wdd.displacement_estimate is not None:
                rows.append((measures.measure, "wdd_displacement", wdd.displacement_estimate, wdd.displacement_se, None, None, None))
            rows.append((measures.measure, "wdd", wdd.estimate, wdd.se, wdd.ci_low, wdd.ci_high, wdd.p_value))
            if measures.wdq is not None:
                rows.append((measures.measure, "success_measure", measures.wdq.success_measure, None, None, None, None))
                rows.append((measures.measure, "buffer_displacement_measure", measures.wdq.buffer_displacement_measure, None, None, None, None))
                rows.append((measures.measure, "wdq", measures.wdq.wdq, None, None, None, None))
        return pd.DataFrame(rows, columns=["measure", "statistic", "estimate", "se", "ci_low", "ci_high", "p_value"])


def displacement_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a table of ``area, period, count[, harm]`` (area one of target, buffer, control,
    buffer_control; period before or after) and return it with one row per area-period.

    Target and control are required, both periods each; an area-period given twice is refused.
    """
    areas = column(frame, "area").astype(str).str.strip().str.lower().str.replace(" ", "_").str.replace("-", "_")
    periods = column(frame, "period").astype(str).str.strip().str.lower()
    for name, values, allowed in (("area", areas, AREAS), ("period", periods, PERIODS)):
        bad = ~values.isin(allowed)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise AnalysisInputError(f"expected one of {', '.join(allowed)}, found {frame[name].iloc[row]!r}", column=name, row=row + 1)
    counts = numeric_column(frame, "count")
    negative = np.flatnonzero(counts < 0)
    if negative.size:
        row = int(negative[0])
        raise AnalysisInputError(f"a negative count ({counts[row]:g})", column="count", row=row + 1)
    harm = None
    if "harm" in frame.columns:
        harm = numeric_column(frame, "harm")
        negative = np.flatnonzero(harm < 0)
        if negative.size:
            row = int(negative[0])
            raise AnalysisInputError(f"a negative harm total ({harm[row]:g})", column="harm", row=row + 1)
    table = pd.DataFrame({"area": areas.to_numpy(), "period": periods.to_numpy(), "count": counts})
    if harm is not None:
        table["harm"] = harm
    repeated = table.duplicated(["area", "period"]).to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        first = int(np.flatnonzero((table["area"] == table["area"].iloc[row]) & (table["period"] == table["period"].iloc[row]))[0])
        raise AnalysisInputError(
            f"{AREA_NAMES[table['area'].iloc[row]]}, {table['period'].iloc[row]} period is given again "
            f"(first on row {first + 1}); give one total per area and period",
            row=row + 1,
        )
    present = set(zip(table["area"], table["period"]))
    for area in AREAS:
        have = [p for p in PERIODS if (area, p) in present]
        if area in ("target", "control") and not have:
            raise AnalysisInputError(f"no counts for the {AREA_NAMES[area]} ('{area}'); it is required")
        if have and len(have) < 2:
            missing = next(p for p in PERIODS if p not in have)
            raise AnalysisInputError(f"{AREA_NAMES[area]}: no count for the {missing} period")
    if ("buffer_control", "before") in present and ("buffer", "before") not in present:
        raise AnalysisInputError("a control for the buffer ('buffer_control') was given, but no buffer area")
    return table.reset_index(drop=True)


def read_displacement_counts(path: str | Path) -> pd.DataFrame:
    """A checked ``area, period, count[, harm]`` table from a CSV, Excel or Parquet file."""
    return displacement_counts(read_table(path))


def displacement_analysis(
    table: pd.DataFrame,
    *,
    before_days: float | None = None,
    after_days: float | None = None,
    area_km2: Mapping[str, float] | None = None,
    confidence: float = 0.95,
) -> DisplacementAnalysis:
    """The WDQ and WDD of a table of ``area, period, count[, harm]`` (see :func:`displacement_counts`),
    on counts and, when a harm column is present, on harm too.

    A WDQ needs a buffer and a control with crimes in both periods, and a fall in the target relative
    to the control; when any is missing the result says why in ``wdq_not_given`` and still gives the
    WDD.
    """
    table = displacement_counts(table)
    cell = {(a, p): float(c) for a, p, c in zip(table["area"], table["period"], table["count"])}
    harm_cell = {(a, p): float(h) for a, p, h in zip(table["area"], table["period"], table["harm"])} if "harm" in table.columns else None

    def measures(kind: str, figures: dict[tuple[str, str], float]) -> DisplacementMeasures:
        wdd = weighted_displacement_difference(
            target_before=cell[("target", "before")],
            target_after=cell[("target", "after")],
            control_before=cell[("control", "before")],
            control_after=cell[("control", "after")],
            buffer_before=cell.get(("buffer", "before")),
            buffer_after=cell.get(("buffer", "after")),
            buffer_control_before=cell.get(("buffer_control", "before")),
            buffer_control_after=cell.get(("buffer_control", "after")),
            harm=figures if kind == "harm" else None,
            before_days=before_days,
            after_days=after_days,
            area_km2=area_km2,
            confidence=confidence,
        )
        wdq, reason = None, None
        if ("buffer", "before") not in figures:
            reason = "no WDQ: it needs a buffer area"
        else:
            try:
                wdq = weighted_displacement_quotient(
                    target_before=figures[("target", "before")],
                    target_after=figures[("target", "after")],
                    buffer_before=figures[("buffer", "before")],
                    buffer_after=figures[("buffer", "after")],
                    control_before=figures[("control", "before")],
                    control_after=figures[("control", "after")],
                    measure=kind,
                )
            except AnalysisInputError as error:
                reason = f"no WDQ: {error}"
            else:
                if wdq.wdq is None:
                    reason = wdq.interpretation
        return DisplacementMeasures(measure=kind, wdq=wdq, wdq_not_given=reason, wdd=wdd)

    return DisplacementAnalysis(
        inputs=tuple(
            AreaPeriodCount(area=a, period=p, count=cell[(a, p)], harm=harm_cell[(a, p)] if harm_cell else None)
            for a in AREAS
            for p in PERIODS
            if (a, p) in cell
        ),
        count=measures("count", cell),
        harm=measures("harm", harm_cell) if harm_cell is not None else None,
        parameters={
            "before_days": before_days,
            "after_days": after_days,
            "area_km2": dict(area_km2) if area_km2 else None,
            "confidence": confidence,
        },
    )


# --------------------------------------------------------------------------------------------------
# Areas drawn around a hot spot's cells: the target cells, a buffer ring and a control ring

#: How the target cells are chosen from a hot-spot result: its hot cells (as the result judged them, after its
#: correction for testing every cell), only those hot at 99%, or the ``top`` cells by Gi* z.
TARGET_CHOICES = ("hot", "hot_99", "top")
#: Points are placed against this many target cells at a time (points × cells distances held at once).
_PLACING_BLOCK = 2_000_000


def target_cells_choose(cells: list[Mapping[str, Any]], *, choose: str, top: int | None = None) -> list[tuple[float, float]]:
    """The centres (x, y) of the target cells chosen from a hot-spot result's ``cells`` (each with ``x``, ``y``,
    ``gi_z`` and ``hot``, as ``rocc.analysis.hotspots`` gives them).

    ``choose``: "hot" every cell labelled hot ("95" or "99"); "hot_99" the cells hot at 99%; "top" the ``top``
    cells with the highest Gi* z (ties broken by the higher count, then west to east and south to north); a cell
    with no z (an empty field) is never chosen. Raises AnalysisInputError when the choice finds no cell."""
    if choose not in TARGET_CHOICES:
        raise AnalysisInputError(f"target cells: choose one of {', '.join(TARGET_CHOICES)}, not {choose!r}")
    for index, cell in enumerate(cells):
        for name in ("x", "y"):
            value = cell.get(name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise AnalysisInputError(f"hot-spot cell {index + 1}: {name} must be a finite number (metres), found {value!r}")
    if choose == "top":
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise AnalysisInputError(f"target cells: give how many of the top cells to take (a whole number of at least 1), not {top!r}")
        scored = [c for c in cells if isinstance(c.get("gi_z"), (int, float)) and math.isfinite(c["gi_z"])]
        scored.sort(key=lambda c: (-c["gi_z"], -float(c.get("count") or 0), c["y"], c["x"]))
        chosen = scored[:top]
    else:
        labels = ("99",) if choose == "hot_99" else ("95", "99")
        chosen = [c for c in cells if str(c.get("hot")) in labels]
    if not chosen:
        what = "hot at 99%" if choose == "hot_99" else "hot" if choose == "hot" else "with a Gi* z"
        raise AnalysisInputError(f"target cells: no cell of this hot-spot result is {what}; choose the top cells by Gi* z instead")
    return [(float(c["x"]), float(c["y"])) for c in chosen]


@dataclass(frozen=True)
class CellRings:
    """Where each point lies against a set of square target cells: ``area`` is "target" (inside a cell or on its
    edge), "buffer" (outside every cell, at most ``buffer_m`` from the nearest), "control" (beyond the buffer, at
    most ``control_m``; only when a control ring is drawn) or None (farther, or no coordinates); ``distance_m`` is the
    distance to the nearest target cell (0 inside, NaN without coordinates)."""

    area: np.ndarray
    distance_m: np.ndarray
    cell: float
    buffer_m: float
    control_m: float | None
    target_cells: int

    def counts(self) -> dict[str, int]:
        """Points in each area (those with no area are not counted)."""
        areas = ("target", "buffer", "control") if self.control_m is not None else ("target", "buffer")
        return {area: int((self.area == area).sum()) for area in areas}


def cell_rings(
    *,
    x: Any,
    y: Any,
    centres: list[tuple[float, float]],
    cell: float,
    buffer_m: float,
    control_m: float | None = None,
) -> CellRings:
    """Place points (``x``, ``y``, projected metres, NaN when unknown) against square target cells of side ``cell``
    metres centred on ``centres``: in a target cell, in the buffer ring within ``buffer_m`` metres of the nearest
    target cell (Euclidean distance to the square, so the ring has rounded corners), or in a control ring from
    ``buffer_m`` out to ``control_m`` metres. The areas do not overlap: a point is in the nearest ring it reaches."""
    for name, value in (("cell", cell), ("buffer_m", buffer_m)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise AnalysisInputError(f"{name} must be a positive distance in metres, not {value!r}")
    if control_m is not None:
        if isinstance(control_m, bool) or not isinstance(control_m, (int, float)) or not math.isfinite(control_m) or control_m <= buffer_m:
            raise AnalysisInputError(f"control_m: the control ring's outer edge must be farther than the buffer's {buffer_m:g} m, not {control_m!r}")
    if not centres:
        raise AnalysisInputError("centres: give at least one target cell")
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise AnalysisInputError(f"x and y must be two columns of the same length (found {xs.shape} and {ys.shape})")
    cx = np.array([c[0] for c in centres], dtype=float)
    cy = np.array([c[1] for c in centres], dtype=float)
    half = float(cell) / 2.0
    distance = np.full(len(xs), np.inf)
    step = max(1, _PLACING_BLOCK // max(1, len(xs)))
    with np.errstate(invalid="ignore"):
        for start in range(0, len(cx), step):
            dx = np.maximum(np.abs(xs[:, None] - cx[None, start : start + step]) - half, 0.0)
            dy = np.maximum(np.abs(ys[:, None] - cy[None, start : start + step]) - half, 0.0)
            distance = np.minimum(distance, np.hypot(dx, dy).min(axis=1))
    located = np.isfinite(xs) & np.isfinite(ys)
    distance[~located] = np.nan
    area = np.full(len(xs), None, dtype=object)
    area[located & (distance <= 0)] = "target"
    area[located & (distance > 0) & (distance <= buffer_m)] = "buffer"
    if control_m is not None:
        area[located & (distance > buffer_m) & (distance <= control_m)] = "control"
    return CellRings(
        area=area,
        distance_m=distance,
        cell=float(cell),
        buffer_m=float(buffer_m),
        control_m=None if control_m is None else float(control_m),
        target_cells=len(centres),
    )


# --------------------------------------------------------------------------------------------------
# Before/after against a control series


@dataclass(frozen=True)
class BeforeAfterComparison:
    """An indicator series in a target and a control, before and after an intervention date.

    Difference in differences of means: (T̄_after − T̄_before) − (C̄_after − C̄_before), with a
    standard error from the four period variances (Welch–Satterthwaite degrees of freedom, t interval).
    For counts, also the ratio of ratios (ΣT_after/ΣT_before) / (ΣC_after/ΣC_before) with a Poisson
    interval on the log scale, and the same interval widened by the estimated over-dispersion.
    Observations are treated as independent: serial correlation in a monthly series makes both
    intervals too narrow.
    """

    intervention_date: str
    n_before: int
    n_after: int
    target_mean_before: float
    target_mean_after: float
    control_mean_before: float
    control_mean_after: float
    difference_in_differences: float
    did_se: float
    did_df: float
    confidence: float
    did_ci_low: float
    did_ci_high: float
    did_t: float | None
    did_p_value: float | None
    target_total_before: float
    target_total_after: float
    control_total_before: float
    control_total_after: float
    ratio_of_ratios: float | None
    ratio_ci_low: float | None
    ratio_ci_high: float | None
    dispersion: float | None
    ratio_ci_low_overdispersed: float | None
    ratio_ci_high_overdispersed: float | None
    percent_change: float | None
    ratio_not_given: str | None
    interpretation: str
    formulas: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "series": ["target", "target", "control", "control"],
                "period": ["before", "after", "before", "after"],
                "mean": [self.target_mean_before, self.target_mean_after, self.control_mean_before, self.control_mean_after],
                "total": [self.target_total_before, self.target_total_after, self.control_total_before, self.control_total_after],
            }
        )


def before_after_with_control(
    dates: np.ndarray,
    target: np.ndarray,
    control: np.ndarray,
    *,
    intervention_date: str | np.datetime64,
    confidence: float = 0.95,
) -> BeforeAfterComparison:
    """Compare an indicator before and after ``intervention_date`` in a target and a control series
    observed on the same dates (observations on the intervention date count as after).

    Each period needs at least two observations. See :class:`BeforeAfterComparison` for the figures.
    """
    _normal_quantile(confidence)
    dates = np.asarray(dates).astype("datetime64[D]")
    target = np.asarray(target, dtype=np.float64)
    control = np.asarray(control, dtype=np.float64)
    if not (dates.size == target.size == control.size):
        raise AnalysisInputError("dates, target and control must have the same length")
    for name, values in (("target", target), ("control", control)):
        if not np.isfinite(values).all():
            row = int(np.flatnonzero(~np.isfinite(values))[0]) + 1
            raise AnalysisInputError("expected a finite number", column=name, row=row)
    try:
        # numpy accepts a datetime64 with a unit to convert it to; its stubs only list that for text.
        cut = np.datetime64(intervention_date, "D")  # type: ignore[call-overload]
    except ValueError:
        raise AnalysisInputError(f"the intervention date {intervention_date!r} is not a date (YYYY-MM-DD)") from None
    after = dates >= cut
    n_after, n_before = int(after.sum()), int((~after).sum())
    if n_before < 2 or n_after < 2:
        raise AnalysisInputError(f"each period needs at least two observations; there are {n_before} before and {n_after} on or after {cut}")
    groups = {
        ("target", "before"): target[~after],
        ("target", "after"): target[after],
        ("control", "before"): control[~after],
        ("control", "after"): control[after],
    }
    means = {key: float(v.mean()) for key, v in groups.items()}
    variances = {key: float(v.var(ddof=1)) / v.size for key, v in groups.items()}
    did = (means[("target", "after")] - means[("target", "before")]) - (means[("control", "after")] - means[("control", "before")])
    total_var = sum(variances.values())
    se = math.sqrt(total_var)
    t_value: float | None = None
    p_value: float | None = None
    if total_var > 0:
        denominator = sum(v * v / (groups[key].size - 1) for key, v in variances.items())
        df = total_var**2 / denominator
        t_crit = float(stats.t.ppf(0.5 + confidence / 2, df))
        t_value = did / se
        p_value = float(2 * stats.t.sf(abs(t_value), df))
    else:
        df, t_crit = float("inf"), 0.0

    totals = {key: float(v.sum()) for key, v in groups.items()}
    ratio = ratio_low = ratio_high = dispersion = over_low = over_high = percent = None
    reason = None
    all_values = np.concatenate([target, control])
    if (all_values < 0).any() or not np.array_equal(all_values, np.round(all_values)):
        reason = "no ratio of ratios: the values are not counts (whole numbers ≥ 0)"
    else:
        empty = [key for key, total in totals.items() if total == 0]
        if empty:
            area, period = empty[0]
            reason = (
                f"no ratio of ratios: the {area} series has no events in the {period} period, and the ratio divides by (or takes the logarithm of) each total"
            )
        else:
            z_crit = _normal_quantile(confidence)
            ratio = (totals[("target", "after")] / totals[("target", "before")]) / (totals[("control", "after")] / totals[("control", "before")])
            log_se = math.sqrt(sum(1 / t for t in totals.values()))
            ratio_low, ratio_high = ratio * math.exp(-z_crit * log_se), ratio * math.exp(z_crit * log_se)
            # Pearson dispersion with one mean per series and period (four parameters).
            residual_df = all_values.size - 4
            if residual_df > 0:
                chi2 = sum(float(((v - v.mean()) ** 2).sum() / v.mean()) for v in groups.values() if v.mean() > 0)
                dispersion = chi2 / residual_df
                widen = math.sqrt(max(dispersion, 1.0))
                over_low = ratio * math.exp(-z_crit * log_se * widen)
                over_high = ratio * math.exp(z_crit * log_se * widen)
            percent = (ratio - 1) * 100
    low, high = did - t_crit * se, did + t_crit * se
    text = f"difference in differences {did:+.4g} per observation ({confidence:.0%} CI {low:+.4g} to {high:+.4g})"
    if ratio is not None:
        text += f"; ratio of ratios {ratio:.3g} ({ratio_low:.3g} to {ratio_high:.3g}), a {percent:+.1f}% change in the target relative to the control"
    return BeforeAfterComparison(
        intervention_date=str(cut),
        n_before=n_before,
        n_after=n_after,
        target_mean_before=means[("target", "before")],
        target_mean_after=means[("target", "after")],
        control_mean_before=means[("control", "before")],
        control_mean_after=means[("control", "after")],
        difference_in_differences=did,
        did_se=se,
        did_df=df,
        confidence=confidence,
        did_ci_low=low,
        did_ci_high=high,
        did_t=t_value,
        did_p_value=p_value,
        target_total_before=totals[("target", "before")],
        target_total_after=totals[("target", "after")],
        control_total_before=totals[("control", "before")],
        control_total_after=totals[("control", "after")],
        ratio_of_ratios=ratio,
        ratio_ci_low=ratio_low,
        ratio_ci_high=ratio_high,
        dispersion=dispersion,
        ratio_ci_low_overdispersed=over_low,
        ratio_ci_high_overdispersed=over_high,
        percent_change=percent,
        ratio_not_given=reason,
        interpretation=text,
        formulas={
            "difference_in_differences": "(mean T_after − mean T_before) − (mean C_after − mean C_before)",
            "did_se": "sqrt(Σ s²/n over the four series-periods); Welch–Satterthwaite df; t interval",
            "ratio_of_ratios": "(ΣT_after/ΣT_before) / (ΣC_after/ΣC_before)",
            "ratio_ci": "exp(log ratio ± z·sqrt(1/ΣT_after + 1/ΣT_before + 1/ΣC_after + 1/ΣC_before))",
            "dispersion": "Pearson χ² / (N − 4), one mean per series and period; the widened interval multiplies the log-scale SE by sqrt(max(dispersion, 1))",
        },
    )


def read_indicator_series(
    path: str | Path, *, date: str = "date", target: str = "target", control: str = "control"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dates, target values and control values from a file with one row per date; a date given twice is
    refused."""
    frame = read_table(path)
    dates = date_column(frame, date)
    repeated = pd.Series(dates).duplicated().to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise AnalysisInputError(f"the date {dates[row]} is given a second time", column=date, row=row + 1)
    return dates, numeric_column(frame, target), numeric_column(frame, control)
