"""Progress of a series against its baseline and target: the baseline value, the glide path, status, trend and forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rocc.measures.models import BaselineKind, PeriodType, Polarity, Target, TargetKind
from rocc.measures.periods import TREND_PERIODS, add_months, month_end, months_between
from rocc.measures.series import Point, Series
from rocc.measures.stats import (
    STATUS_NOT_ENOUGH_DATA,
    ForecastPoint,
    GlidePath,
    StatusResult,
    TrendResult,
    forecast,
    status_assess,
    trend_fit,
)

# How many periods the trend looks back over, by period type.
FORECAST_PERIODS = {PeriodType.MONTH: 12, PeriodType.QUARTER: 4, PeriodType.CALENDAR_YEAR: 3, PeriodType.JULY_JUNE: 3, PeriodType.YEAR_ENDED: 3}


@dataclass(frozen=True)
class Progress:
    series: Series
    target: Target | None
    glide: GlidePath | None
    baseline_label: str
    status: StatusResult
    trend: TrendResult | None
    forecast: list[ForecastPoint]
    # Disclosure control suppressed a count the trend would need: no trend (and no forecast) is shown.
    trend_withheld: bool = False

    @property
    def lower_is_better(self) -> bool:
        return self.series.version.polarity == Polarity.LOWER_IS_BETTER

    def trend_text(self) -> str:
        if self.trend_withheld:
            return "No trend is shown: some counts in its periods are suppressed to protect small numbers."
        if self.trend is None:
            return "Not enough periods with counts for a trend."
        return self.trend.describe(lower_is_better=self.lower_is_better).capitalize() + f" ({self.trend.method})."

    def glide_at(self, day: dt.date) -> float | None:
        return self.glide.at(day) if self.glide else None

    def target_at(self, day: dt.date) -> float | None:
        return self.glide.target_value if self.glide else None

    def points_with_status(self) -> list[dict]:
        """Each point with the baseline, the target and the status it had against the glide path at its date."""
        out = []
        factor = self.series.version.factor if self.series.version.is_rate else 1
        for point in self.series.points:
            row = point.to_dict()
            row["baseline"] = self.glide.baseline_value if self.glide else None
            row["target"] = self.glide.target_value if self.glide else None
            row["glide"] = self.glide_at(point.period.end)
            assessed = _assess(point, self.glide, self.lower_is_better, factor)
            row["status"] = assessed.status
            out.append(row)
        return out


def _assess(point: Point | None, glide: GlidePath | None, lower_is_better: bool, factor: float) -> StatusResult:
    if point is None:
        return status_assess(value=None, day=None, glide=glide, lower_is_better=lower_is_better)
    if point.suppressed:
        # Any status of a suppressed figure would tell which side of the glide path the small count lies.
        return StatusResult(
            STATUS_NOT_ENOUGH_DATA, None, None, None, f"The figure for {point.period.label} is suppressed to protect small numbers; no status is shown."
        )
    has_count = point.numerator is not None and (point.denominator is not None or factor == 1)
    return status_assess(
        value=point.value,
        day=point.period.end,
        glide=glide,
        lower_is_better=lower_is_better,
        count=point.numerator if has_count else None,
        denominator=point.denominator if point.denominator is not None else None,
        factor=factor,
    )


def glide_path_for(series: Series, target: Target | None) -> tuple[GlidePath | None, str]:
    """The glide path from the target's baseline to its target value, or None when the baseline has no value."""
    if target is None:
        return None, ""
    if target.baseline_kind == BaselineKind.ENTERED:
        baseline_value = target.baseline_value
        baseline_date = target.baseline_period_end or target.created_at.date()
    elif target.baseline_kind == BaselineKind.FIXED_PERIOD:
        point = series.at(target.baseline_period_end)
        baseline_value = point.value if point else None
        baseline_date = target.baseline_period_end
    else:
        with_values = [p for p in series.points if p.value is not None or p.suppressed]
        point = with_values[-2] if len(with_values) >= 2 else None
        baseline_value = point.value if point else None
        baseline_date = point.period.end if point else None
    label = target.baseline_label or (target.get_baseline_kind_display().lower())
    if target.baseline_kind != BaselineKind.ENTERED and point is not None and point.suppressed:
        label = f"{label}, whose figure is suppressed to protect small numbers"
    if baseline_value is None or baseline_date is None:
        return None, label
    if target.target_kind == TargetKind.CHANGE:
        target_value = baseline_value * (1 + target.target_change_percent / 100)
    else:
        target_value = target.target_value
    target_date = target.target_date if target.target_date > baseline_date else baseline_date + dt.timedelta(days=1)
    return GlidePath(baseline_date, baseline_value, target_date, target_value), label


def scorecard_target(targets: dict, *, unit, current) -> Target | None:
    """The target a scorecard cell is judged against, from ``targets`` keyed (unit id, period type): the unit's
    target on the indicator's own series, else its first target on any series."""
    return (
        targets.get((unit.pk, ""))
        or targets.get((unit.pk, current.period_type))
        or next((t for (unit_id, _), t in sorted(targets.items(), key=lambda kv: kv[0][1]) if unit_id == unit.pk), None)
    )


def _trend_points(series: Series) -> list[Point]:
    """The points the trend is fitted on; suppressed ones stay in, so the caller can withhold the trend rather than
    fit it on the larger counts alone (which would bias it)."""
    points = [p for p in series.points if p.value is not None or p.suppressed]
    if series.period_type == PeriodType.YEAR_ENDED and points:
        # Rolling years overlap; a trend on them would count each month twelve times. Use every twelfth.
        last = points[-1].period.end
        points = [p for p in points if months_between(p.period.end, last) % 12 == 1]
    return points[-TREND_PERIODS.get(series.period_type, 6) :]


def progress_compute(series: Series, target: Target | None, *, with_forecast: bool = True) -> Progress:
    glide, baseline_label = glide_path_for(series, target)
    lower = series.version.polarity == Polarity.LOWER_IS_BETTER
    factor = series.version.factor if series.version.is_rate else 1
    latest = series.latest
    if glide is None:
        status = StatusResult(
            STATUS_NOT_ENOUGH_DATA,
            latest.value if latest else None,
            None,
            None,
            "No target is set." if target is None else f"No value for the baseline ({baseline_label}).",
        )
    else:
        status = _assess(latest, glide, lower, factor)
    points = _trend_points(series)
    trend = None
    withheld = any(p.suppressed for p in points)
    if withheld:
        points = []
    if len(points) >= 3:
        counted = all(p.numerator is not None and (p.denominator or not series.version.is_rate) for p in points)
        if counted:
            trend = trend_fit(
                days=[p.period.end for p in points],
                counts=[p.numerator for p in points],
                denominators=[p.denominator for p in points] if series.version.is_rate else None,
                factor=factor,
            )
        else:
            trend = trend_fit(days=[p.period.end for p in points], values=[p.value for p in points])
    future: list[ForecastPoint] = []
    if with_forecast and trend is not None and latest is not None:
        step = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3}.get(series.period_type, 12)
        days = [month_end(add_months(latest.period.end.replace(day=1), step * i)) for i in range(1, FORECAST_PERIODS.get(series.period_type, 3) + 1)]
        future = forecast(trend, days=days, denominator=latest.denominator if series.version.is_rate else None)
    return Progress(
        series=series, target=target, glide=glide, baseline_label=baseline_label, status=status, trend=trend, forecast=future, trend_withheld=withheld
    )
