"""Descriptive spatial statistics as CrimeStat gives them: the mean centre, the standard distance and the standard
deviational ellipse of a set of events, overall or by group and period."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.results import jsonable

PERIODS = ("month", "quarter", "year")
#: The standard distance and the ellipse divide by N − 2 (CrimeStat's degrees of freedom): below 3 events they
#: are undefined, and are reported as such rather than as a number.
MIN_EVENTS_FOR_SPREAD = 3
ALL = "all"


@dataclass(frozen=True, eq=False)
class CentreAndSpread:
    """The centre and spread of one group of events (``group``, ``period``; "all" when not split).

    With N events (or total weight W in place of N when weighted) and x′ = x − mean x, y′ = y − mean y:

    - ``mean_x``, ``mean_y``: the (weighted) mean centre;
    - ``sd_x``, ``sd_y``: √(Σx′² / (N − 1)), √(Σy′² / (N − 1));
    - ``standard_distance``: √(Σ(x′² + y′²) / (N − 2)), CrimeStat's standard distance deviation;
      ``within_standard_distance`` is the share of events (of weight) no farther than it from the mean centre;
    - the standard deviational ellipse, as CrimeStat: its Y axis turned θ clockwise from north with
      tan θ = ((Σx′² − Σy′²) + √((Σx′² − Σy′²)² + 4(Σx′y′)²)) / (2Σx′y′), and standard deviations along its axes
      ``ellipse_sx`` = √(2Σ(x′cos θ − y′sin θ)² / (N − 2)), ``ellipse_sy`` = √(2Σ(x′sin θ + y′cos θ)² / (N − 2));
      ``ellipse_theta`` is θ in degrees in [0, 180). Read plainly: ``ellipse_major`` and ``ellipse_minor`` are the
      longer and shorter of the two, ``ellipse_bearing`` the direction of the long axis in degrees clockwise from
      north in [0, 180), ``ellipse_area`` = π · sx · sy (square metres, one standard deviation).

    The spread figures are None (with ``note``) for fewer than ``MIN_EVENTS_FOR_SPREAD`` events.
    """

    group: str
    period: str
    events: int
    weight: float
    mean_x: float
    mean_y: float
    sd_x: float | None
    sd_y: float | None
    standard_distance: float | None
    within_standard_distance: float | None
    ellipse_theta: float | None
    ellipse_sx: float | None
    ellipse_sy: float | None
    ellipse_major: float | None
    ellipse_minor: float | None
    ellipse_bearing: float | None
    ellipse_area: float | None
    note: str = ""


@dataclass(frozen=True, eq=False)
class CentrographyResult:
    """One row per group and period (and one "all" row), in the order group, then period."""

    rows: tuple[CentreAndSpread, ...]
    events: int
    weighted: bool
    group_label: str | None
    period: str | None
    crs: str | None
    summary: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([jsonable(row) for row in self.rows])

    def row(self, group: str = ALL, period: str = ALL) -> CentreAndSpread:
        for row in self.rows:
            if row.group == group and row.period == period:
                return row
        raise KeyError((group, period))


def centre_and_spread(
    *,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
    groups: Sequence[Any] | np.ndarray | None = None,
    dates: Sequence[Any] | np.ndarray | None = None,
    period: str | None = None,
    group_label: str | None = None,
    crs: str | None = None,
) -> CentrographyResult:
    """Mean centre, standard distance and standard deviational ellipse of events, overall and by group and period.

    Parameters
    ----------
    x, y
        Event coordinates in a projected system (metres).
    weights
        Optional weight per event (≥ 0, e.g. harm); the sums then weigh each event and W replaces N.
    groups
        Optional group per event (offence, unit); blank groups are an error.
    dates, period
        With ``period`` ("month", "quarter" or "year") each event's date puts it in a period, so that the centre's
        movement can be followed; ``dates`` are then required.
    group_label
        What the groups are ("offence"), for the summary.
    crs
        The coordinates' system, recorded with the result.
    """
    xs, ys = _coordinates(x, "x"), _coordinates(y, "y")
    n = len(xs)
    if len(ys) != n:
        raise AnalysisInputError(f"x and y must have one value per event; found {n} and {len(ys)}")
    if n == 0:
        raise AnalysisInputError("there are no events")
    w = np.ones(n) if weights is None else _weights(weights, n)
    if w.sum() <= 0:
        raise AnalysisInputError("the weights add up to 0, so there is no centre", column="weight")
    keys = pd.DataFrame({"group": ALL, "period": ALL}, index=range(n))
    if groups is not None:
        group_values = pd.Series(list(groups) if not isinstance(groups, pd.Series) else groups.to_list(), dtype=object)
        if len(group_values) != n:
            raise AnalysisInputError(f"give one group per event: found {len(group_values)} for {n} events", column="group")
        blank = group_values.isna() | group_values.astype(str).str.strip().eq("")
        if blank.any():
            raise AnalysisInputError("expected a group, found a blank", column="group", row=int(np.flatnonzero(blank.to_numpy())[0]) + 1)
        keys["group"] = group_values.astype(str).str.strip().to_numpy()
    if period is not None:
        if period not in PERIODS:
            raise AnalysisInputError(f"unknown period {period!r}; use one of: {', '.join(PERIODS)}")
        if dates is None:
            raise AnalysisInputError("splitting by period needs each event's date", column="date")
        keys["period"] = _periods(dates, period, n)

    frame = pd.DataFrame({"x": xs, "y": ys, "w": w, "group": keys["group"], "period": keys["period"]})
    parts: list[tuple[str, str, pd.DataFrame]] = [(ALL, ALL, frame)]
    if groups is not None:
        parts += [(str(g), ALL, part) for g, part in frame.groupby("group", sort=True)]
    if period is not None:
        parts += [(ALL, str(p), part) for p, part in frame.groupby("period", sort=True)]
    if groups is not None and period is not None:
        parts += [(str(g), str(p), part) for (g, p), part in frame.groupby(["group", "period"], sort=True)]
    rows = tuple(_describe(part, group=g, period=p) for g, p, part in parts)
    rows = tuple(sorted(rows, key=lambda r: (r.group != ALL, r.group, r.period != ALL, r.period)))
    notes: tuple[str, ...] = ()
    thin = [r for r in rows if r.standard_distance is None]
    if thin:
        notes = (f"{len(thin)} group{'s have' if len(thin) != 1 else ' has'} fewer than {MIN_EVENTS_FOR_SPREAD} events: a centre but no spread",)
    return CentrographyResult(
        rows=rows,
        events=n,
        weighted=weights is not None,
        group_label=group_label,
        period=period,
        crs=crs,
        summary=_summary(rows[0], weighted=weights is not None),
        notes=notes,
    )


def _describe(part: pd.DataFrame, *, group: str, period: str) -> CentreAndSpread:
    xs, ys, w = part["x"].to_numpy(), part["y"].to_numpy(), part["w"].to_numpy()
    total = float(w.sum())
    if total <= 0:
        return _centre_only(group, period, len(xs), total, math.nan, math.nan, note="weights add up to 0")
    mean_x, mean_y = float(np.dot(w, xs) / total), float(np.dot(w, ys) / total)
    if len(xs) < MIN_EVENTS_FOR_SPREAD or total <= 2:
        return _centre_only(group, period, len(xs), total, mean_x, mean_y, note=f"fewer than {MIN_EVENTS_FOR_SPREAD} events: no spread")
    dx, dy = xs - mean_x, ys - mean_y
    sxx, syy, sxy = float(np.dot(w, dx * dx)), float(np.dot(w, dy * dy)), float(np.dot(w, dx * dy))
    standard_distance = math.sqrt((sxx + syy) / (total - 2))
    within = float(w[np.hypot(dx, dy) <= standard_distance].sum() / total)
    theta = _crimestat_theta(sxx, syy, sxy)
    c, s = math.cos(theta), math.sin(theta)
    sx = math.sqrt(2 * float(np.dot(w, (dx * c - dy * s) ** 2)) / (total - 2))
    sy = math.sqrt(2 * float(np.dot(w, (dx * s + dy * c) ** 2)) / (total - 2))
    theta_degrees = math.degrees(theta) % 180.0
    # The ellipse's Y axis points θ clockwise from north, so the long axis is there when sy is the larger.
    bearing = theta_degrees if sy >= sx else (theta_degrees + 90.0) % 180.0
    return CentreAndSpread(
        group=group,
        period=period,
        events=len(xs),
        weight=total,
        mean_x=mean_x,
        mean_y=mean_y,
        sd_x=math.sqrt(sxx / (total - 1)),
        sd_y=math.sqrt(syy / (total - 1)),
        standard_distance=standard_distance,
        within_standard_distance=within,
        ellipse_theta=theta_degrees,
        ellipse_sx=sx,
        ellipse_sy=sy,
        ellipse_major=max(sx, sy),
        ellipse_minor=min(sx, sy),
        ellipse_bearing=bearing,
        ellipse_area=math.pi * sx * sy,
    )


def _centre_only(group: str, period: str, events: int, weight: float, mean_x: float, mean_y: float, *, note: str) -> CentreAndSpread:
    """A row with a centre and no spread: every spread figure None, with the reason."""
    spread: dict[str, Any] = {name: None for name in _SPREAD_FIELDS}
    return CentreAndSpread(group=group, period=period, events=events, weight=weight, mean_x=mean_x, mean_y=mean_y, note=note, **spread)


_SPREAD_FIELDS = (
    "sd_x",
    "sd_y",
    "standard_distance",
    "within_standard_distance",
    "ellipse_theta",
    "ellipse_sx",
    "ellipse_sy",
    "ellipse_major",
    "ellipse_minor",
    "ellipse_bearing",
    "ellipse_area",
)


def _crimestat_theta(sxx: float, syy: float, sxy: float) -> float:
    """CrimeStat's angle of rotation (radians): tan θ = ((Σx′² − Σy′²) + √((Σx′² − Σy′²)² + 4(Σx′y′)²)) / (2Σx′y′).
    With Σx′y′ = 0 the formula is 0/0 or ∞: the axes are then the grid's, θ = 90° when x spreads more (the ellipse's Y
    axis turned onto east), else 0."""
    if sxy == 0:
        return math.pi / 2 if sxx > syy else 0.0
    a = sxx - syy
    return math.atan((a + math.sqrt(a * a + 4 * sxy * sxy)) / (2 * sxy))


def _summary(overall: CentreAndSpread, *, weighted: bool) -> str:
    what = "the weight of the events" if weighted else f"the {overall.events} events"
    if overall.standard_distance is None or overall.ellipse_major is None or overall.ellipse_minor is None or overall.ellipse_bearing is None:
        return f"The mean centre of {what} is at x = {overall.mean_x:,.0f}, y = {overall.mean_y:,.0f}; too few events for a spread."
    shape = overall.ellipse_minor / overall.ellipse_major if overall.ellipse_major else 1.0
    along = f"a bearing of {overall.ellipse_bearing:.0f}° ({_compass(overall.ellipse_bearing)})"
    if shape > 0.8:
        direction = "with no marked direction"
    elif shape == 0:
        direction = f"on one straight line, along {along}"
    else:
        direction = f"stretched along {along}, {1 / shape:.1f} times as long as wide"
    return (
        f"The mean centre of {what} is at x = {overall.mean_x:,.0f}, y = {overall.mean_y:,.0f}; their standard distance is "
        f"{overall.standard_distance:,.0f} m ({overall.within_standard_distance:.0%} lie within it), and they spread {direction}."
    )


def _compass(bearing: float) -> str:
    names = ("north–south", "north-east–south-west", "east–west", "north-west–south-east")
    return names[int(((bearing + 22.5) % 180) // 45)]


def _coordinates(values: Any, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise AnalysisInputError("expected numeric coordinates", column=name) from None
    if array.ndim != 1:
        raise AnalysisInputError("expected a one-dimensional list of coordinates", column=name)
    bad = ~np.isfinite(array)
    if bad.any():
        raise AnalysisInputError("expected a finite number, found a missing or infinite value", column=name, row=int(np.flatnonzero(bad)[0]) + 1)
    return array


def _weights(values: Any, n: int) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise AnalysisInputError("expected numeric weights", column="weight") from None
    if array.shape != (n,):
        raise AnalysisInputError(f"give one weight per event: found {array.size} for {n} events", column="weight")
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        raise AnalysisInputError("expected a weight of 0 or more", column="weight", row=int(np.flatnonzero(bad)[0]) + 1)
    return array


def _periods(dates: Any, period: str, n: int) -> np.ndarray:
    try:
        stamps = pd.to_datetime(pd.Series(np.asarray(dates)), errors="coerce", format="ISO8601")
    except (TypeError, ValueError):
        stamps = pd.to_datetime(pd.Series(np.asarray(dates)), errors="coerce")
    if len(stamps) != n:
        raise AnalysisInputError(f"give one date per event: found {len(stamps)} for {n} events", column="date")
    if stamps.isna().any():
        raise AnalysisInputError("expected a date", column="date", row=int(np.flatnonzero(stamps.isna().to_numpy())[0]) + 1)
    if period == "month":
        return stamps.dt.strftime("%Y-%m").to_numpy()
    if period == "quarter":
        return (stamps.dt.year.astype(str) + "-Q" + stamps.dt.quarter.astype(str)).to_numpy()
    return stamps.dt.year.astype(str).to_numpy()
