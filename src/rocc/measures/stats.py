"""The statistics behind honest status: exact Poisson intervals for counts and rates, glide paths, on-track status,
trend with its significance (Poisson log-linear regression) and forecasts with intervals. No Django imports."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

STATUS_ON_TRACK, STATUS_AT_RISK, STATUS_OFF_TRACK, STATUS_NOT_ENOUGH_DATA = "on_track", "at_risk", "off_track", "not_enough_data"
# Without a count behind a published figure there is no sampling interval; a shortfall within this share of the
# planned change is "at risk" rather than "off track".
UNCOUNTED_TOLERANCE = 0.10


def poisson_interval(count: float, *, confidence: float = 0.95) -> tuple[float, float]:
    """Garwood's exact (central) interval for the mean of a Poisson count, from the chi-square distribution."""
    from scipy import special  # loaded on first use: a command that computes no interval does not wait for it

    if count < 0 or not math.isfinite(count):
        raise ValueError(f"A count must be a non-negative number; got {count}.")
    alpha = 1 - confidence
    # chi2.ppf(q, 2k) / 2 is the inverse regularised gamma function at (k, q); the ufunc is much quicker to call.
    low = 0.0 if count == 0 else special.gammaincinv(count, alpha / 2)
    high = special.gammaincinv(count + 1, 1 - alpha / 2)
    return float(low), float(high)


def rate_interval(count: float, denominator: float | None, factor: float, *, confidence: float = 0.95) -> tuple[float, float] | None:
    """The exact interval of a rate count / denominator × factor, treating the denominator as known. None when there
    is no rate (no denominator, or a denominator of zero). With no denominator (a plain count) pass factor=1 and
    denominator=1."""
    if denominator is None or denominator <= 0:
        return None
    low, high = poisson_interval(count, confidence=confidence)
    return low / denominator * factor, high / denominator * factor


@dataclass(frozen=True)
class GlidePath:
    baseline_date: dt.date
    baseline_value: float
    target_date: dt.date
    target_value: float

    def at(self, day: dt.date) -> float:
        """The value the glide path expects on ``day``: linear from baseline to target, flat after the target date."""
        if day <= self.baseline_date:
            return self.baseline_value
        if day >= self.target_date:
            return self.target_value
        share = (day - self.baseline_date).days / (self.target_date - self.baseline_date).days
        return self.baseline_value + share * (self.target_value - self.baseline_value)

    def to_dict(self) -> dict:
        return {
            "baseline_date": self.baseline_date.isoformat(),
            "baseline_value": self.baseline_value,
            "target_date": self.target_date.isoformat(),
            "target_value": self.target_value,
        }


@dataclass(frozen=True)
class StatusResult:
    status: str
    value: float | None
    expected: float | None
    interval: tuple[float, float] | None
    explanation: str

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "value": self.value,
            "expected": self.expected,
            "interval": list(self.interval) if self.interval else None,
            "explanation": self.explanation,
        }


def status_assess(
    *,
    value: float | None,
    day: dt.date | None,
    glide: GlidePath | None,
    lower_is_better: bool,
    count: float | None = None,
    denominator: float | None = None,
    factor: float = 1,
    confidence: float = 0.95,
) -> StatusResult:
    """Compare the latest value with the glide path.

    On track: the value is on the glide path or better. At risk: worse than the glide path, but the glide path is
    inside the value's exact Poisson interval, so the shortfall could be chance. Off track: the whole interval is
    on the wrong side of the glide path. With no count behind the value (a published figure), a shortfall within
    10% of the planned change is at risk, more is off track."""
    if value is None or day is None or glide is None:
        return StatusResult(STATUS_NOT_ENOUGH_DATA, value, None, None, "No baseline or target." if glide is None else "No value yet.")
    expected = glide.at(day)
    worse = value > expected if lower_is_better else value < expected
    interval = None
    if count is not None:
        interval = rate_interval(count, denominator if denominator is not None else 1.0, factor if denominator is not None else 1.0, confidence=confidence)
    if not worse:
        return StatusResult(STATUS_ON_TRACK, value, expected, interval, f"{_fmt(value)} is on or better than the glide path ({_fmt(expected)}).")
    if interval is not None:
        low, high = interval
        chance = low <= expected if lower_is_better else high >= expected
        if chance:
            return StatusResult(
                STATUS_AT_RISK,
                value,
                expected,
                interval,
                f"{_fmt(value)} is worse than the glide path ({_fmt(expected)}), but within the {confidence:.0%} "
                f"interval ({_fmt(low)} to {_fmt(high)}): the gap could be chance.",
            )
        return StatusResult(
            STATUS_OFF_TRACK,
            value,
            expected,
            interval,
            f"{_fmt(value)} is worse than the glide path ({_fmt(expected)}) beyond the {confidence:.0%} interval ({_fmt(low)} to {_fmt(high)}).",
        )
    planned = abs(glide.target_value - glide.baseline_value) or abs(glide.baseline_value) or 1.0
    if abs(value - expected) <= UNCOUNTED_TOLERANCE * planned:
        return StatusResult(
            STATUS_AT_RISK,
            value,
            expected,
            None,
            f"{_fmt(value)} is a little worse than the glide path ({_fmt(expected)}); no count is on file to judge chance.",
        )
    return StatusResult(STATUS_OFF_TRACK, value, expected, None, f"{_fmt(value)} is worse than the glide path ({_fmt(expected)}).")


def status_naive(*, value: float | None, expected: float | None, lower_is_better: bool) -> str:
    """The comparison spreadsheets make: any shortfall against the glide path is off track."""
    if value is None or expected is None:
        return STATUS_NOT_ENOUGH_DATA
    worse = value > expected if lower_is_better else value < expected
    return STATUS_OFF_TRACK if worse else STATUS_ON_TRACK


@dataclass(frozen=True)
class TrendResult:
    """A log-linear trend: ``percent_per_year`` change with a Wald ``p_value`` (quasi-Poisson when the counts vary more
    than Poisson allows), estimated over ``n`` periods. ``method`` says which model was fitted."""

    percent_per_year: float
    p_value: float
    n: int
    method: str
    intercept: float
    slope_per_year: float
    covariance: tuple[tuple[float, float], tuple[float, float]]
    dispersion: float
    origin: dt.date
    factor: float

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05

    def describe(self, *, lower_is_better: bool) -> str:
        if abs(self.percent_per_year) < 0.05:
            return f"flat over the last {self.n} periods (p = {self.p_value:.3f})"
        direction = "falling" if self.percent_per_year < 0 else "rising"
        good = (self.percent_per_year < 0) == lower_is_better
        sig = "statistically significant" if self.significant else "not statistically significant"
        return (
            f"{direction} {abs(self.percent_per_year):.1f}% a year over the last {self.n} periods "
            f"({'improving' if good else 'worsening'}; {sig}, p = {self.p_value:.3f})"
        )

    def to_dict(self) -> dict:
        return {
            "percent_per_year": self.percent_per_year,
            "p_value": self.p_value,
            "n": self.n,
            "method": self.method,
            "significant": self.significant,
            "dispersion": self.dispersion,
        }


def _years(days: list[dt.date], origin: dt.date) -> np.ndarray:
    return np.array([(d - origin).days / 365.25 for d in days], dtype=float)


def trend_fit(
    *, days: list[dt.date], counts: list[float] | None = None, denominators: list[float] | None = None, values: list[float] | None = None, factor: float = 1.0
) -> TrendResult | None:
    """Fit log(rate) = a + b·t. With counts: a Poisson regression with log(denominator) as offset (IRLS), its
    standard error scaled by the Pearson dispersion when that exceeds one (quasi-Poisson). Without counts: least
    squares on log(value) with a t-test. t is in years from the first period; needs at least 3 periods."""
    from scipy import special

    n = len(days)
    if n < 3:
        return None
    origin = days[0]
    t = _years(days, origin)
    X = np.column_stack([np.ones(n), t])
    if counts is not None:
        y = np.asarray(counts, dtype=float)
        offset = np.log(np.asarray(denominators, dtype=float) / factor) if denominators is not None else np.zeros(n)
        if np.any(~np.isfinite(offset)) or y.sum() == 0:
            return None
        beta = np.array([math.log(max(y.sum(), 0.5) / np.exp(offset).sum()), 0.0])
        for _ in range(50):
            eta = X @ beta + offset
            mu = np.exp(eta)
            z = eta - offset + (y - mu) / mu
            W = mu
            XtW = X.T * W
            new = np.linalg.solve(XtW @ X, XtW @ z)
            if np.max(np.abs(new - beta)) < 1e-10:
                beta = new
                break
            beta = new
        mu = np.exp(X @ beta + offset)
        cov = np.linalg.inv((X.T * mu) @ X)
        dispersion = float(np.sum((y - mu) ** 2 / mu) / (n - 2)) if n > 2 else 1.0
        scale = max(dispersion, 1.0)
        cov = cov * scale
        se = math.sqrt(cov[1, 1])
        if scale > 1.0:
            p = float(2 * special.stdtr(n - 2, -abs(beta[1]) / se))
            method = "quasi-Poisson log-linear regression"
        else:
            p = float(2 * special.ndtr(-abs(beta[1]) / se))
            method = "Poisson log-linear regression"
    else:
        v = np.asarray(values, dtype=float)
        if np.any(v <= 0):
            return None
        ly = np.log(v)
        beta, residuals, *_ = np.linalg.lstsq(X, ly, rcond=None)
        resid = ly - X @ beta
        dispersion = float(resid @ resid / (n - 2)) if n > 2 else 0.0
        cov = np.linalg.inv(X.T @ X) * dispersion
        se = math.sqrt(cov[1, 1]) if cov[1, 1] > 0 else 0.0
        p = float(2 * special.stdtr(n - 2, -abs(beta[1]) / se)) if se > 0 else 0.0
        method = "log-linear least squares"
    return TrendResult(
        percent_per_year=float((math.exp(beta[1]) - 1) * 100),
        p_value=p,
        n=n,
        method=method,
        intercept=float(beta[0]),
        slope_per_year=float(beta[1]),
        covariance=((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
        dispersion=dispersion,
        origin=origin,
        factor=factor,
    )


@dataclass(frozen=True)
class ForecastPoint:
    day: dt.date
    value: float
    low: float
    high: float

    def to_dict(self) -> dict:
        return {"date": self.day.isoformat(), "value": self.value, "low": self.low, "high": self.high}


def forecast(trend: TrendResult, *, days: list[dt.date], denominator: float | None = None, confidence: float = 0.95) -> list[ForecastPoint]:
    """Extend the trend to future period ends. The interval combines the uncertainty of the fitted line with the
    Poisson variation of a future count (when the trend was fitted on counts and a denominator is known)."""
    from scipy import special

    zq = float(special.ndtri(0.5 + confidence / 2))
    out = []
    cov = np.array(trend.covariance)
    for day in days:
        t = (day - trend.origin).days / 365.25
        x = np.array([1.0, t])
        eta = trend.intercept + trend.slope_per_year * t
        var = float(x @ cov @ x)
        if trend.method != "log-linear least squares" and denominator:
            expected_count = math.exp(eta) * denominator / trend.factor
            if expected_count > 0:
                var += max(trend.dispersion, 1.0) / expected_count
        elif trend.method == "log-linear least squares":
            var += trend.dispersion
        se = math.sqrt(max(var, 0.0))
        out.append(ForecastPoint(day, math.exp(eta), math.exp(eta - zq * se), math.exp(eta + zq * se)))
    return out


def _fmt(value: float) -> str:
    return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
