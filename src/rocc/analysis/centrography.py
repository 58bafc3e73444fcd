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
    group_codes, group_names = (np.zeros(n, dtype=np.int64), [ALL]) if groups is None else _group_codes(groups, n)
    if period is not None:
        if period not in PERIODS:
            raise AnalysisInputError(f"unknown period {period!r}; use one of: {', '.join(PERIODS)}")
        if dates is None:
            raise AnalysisInputError("splitting by period needs each event's date", column="date")
        period_codes, period_names = _periods(dates, period, n)
    else:
        period_codes, period_names = np.zeros(n, dtype=np.int64), [ALL]

    # Each level (all; each group; each period; each group in each period) is one set of codes, and every sum of a
    # level is one bincount over the events: no copy of the events per group.
    levels: list[tuple[np.ndarray, list[tuple[str, str]]]] = [(np.zeros(n, dtype=np.int64), [(ALL, ALL)])]
    if groups is not None:
        levels.append((group_codes, [(g, ALL) for g in group_names]))
    if period is not None:
        levels.append((period_codes, [(ALL, p) for p in period_names]))
    if groups is not None and period is not None:
        combined = group_codes * len(period_names) + period_codes
        levels.append((combined, [(g, p) for g in group_names for p in period_names]))
    found: list[CentreAndSpread] = []
    for codes, names in levels:
        found += _describe_level(xs, ys, w, codes, names)
    rows = tuple(sorted(found, key=lambda r: (r.group != ALL, r.group, r.period != ALL, r.period)))
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


def _describe_level(xs: np.ndarray, ys: np.ndarray, w: np.ndarray, codes: np.ndarray, names: list[tuple[str, str]]) -> list[CentreAndSpread]:
    """The rows of one level: ``codes[i]`` is event i's place in ``names``; names with no events give no row."""
    size = len(names)

    def total_of(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=values, minlength=size)

    events = np.bincount(codes, minlength=size)
    weight = total_of(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_x, mean_y = total_of(w * xs) / weight, total_of(w * ys) / weight
        # Two passes: sums of squares about each group's own centre, exact however far the events are from the origin.
        dx, dy = xs - mean_x[codes], ys - mean_y[codes]
        sxx, syy, sxy = total_of(w * dx * dx), total_of(w * dy * dy), total_of(w * dx * dy)
        spread = (events >= MIN_EVENTS_FOR_SPREAD) & (weight > 2)
        standard_distance = np.where(spread, np.sqrt((sxx + syy) / (weight - 2)), np.nan)
        within = total_of(w * (np.hypot(dx, dy) <= standard_distance[codes])) / weight
        theta = np.array([_crimestat_theta(a, b, c) for a, b, c in zip(sxx, syy, sxy)])
        cos, sin = np.cos(theta)[codes], np.sin(theta)[codes]
        sx = np.sqrt(2 * total_of(w * (dx * cos - dy * sin) ** 2) / (weight - 2))
        sy = np.sqrt(2 * total_of(w * (dx * sin + dy * cos) ** 2) / (weight - 2))
        sd_x, sd_y = np.sqrt(sxx / (weight - 1)), np.sqrt(syy / (weight - 1))
    rows = []
    for k, (group, period) in enumerate(names):
        if events[k] == 0:
            continue
        if weight[k] <= 0:
            rows.append(_centre_only(group, period, int(events[k]), float(weight[k]), math.nan, math.nan, note="weights add up to 0"))
            continue
        if not spread[k]:
            note = f"fewer than {MIN_EVENTS_FOR_SPREAD} events: no spread"
            rows.append(_centre_only(group, period, int(events[k]), float(weight[k]), float(mean_x[k]), float(mean_y[k]), note=note))
            continue
        theta_degrees = math.degrees(theta[k]) % 180.0
        # The ellipse's Y axis points θ clockwise from north, so the long axis is there when sy is the larger.
        bearing = theta_degrees if sy[k] >= sx[k] else (theta_degrees + 90.0) % 180.0
        rows.append(
            CentreAndSpread(
                group=group,
                period=period,
                events=int(events[k]),
                weight=float(weight[k]),
                mean_x=float(mean_x[k]),
                mean_y=float(mean_y[k]),
                sd_x=float(sd_x[k]),
                sd_y=float(sd_y[k]),
                standard_distance=float(standard_distance[k]),
                within_standard_distance=float(within[k]),
                ellipse_theta=theta_degrees,
                ellipse_sx=float(sx[k]),
                ellipse_sy=float(sy[k]),
                ellipse_major=float(max(sx[k], sy[k])),
                ellipse_minor=float(min(sx[k], sy[k])),
                ellipse_bearing=bearing,
                ellipse_area=float(math.pi * sx[k] * sy[k]),
            )
        )
    return rows


def _group_codes(groups: Any, n: int) -> tuple[np.ndarray, list[str]]:
    """Each event's group as a code into the sorted group names (surrounding spaces ignored); a blank is an error."""
    values = groups if isinstance(groups, (pd.Series, pd.Index, np.ndarray)) else np.asarray(list(groups), dtype=object)
    if len(values) != n:
        raise AnalysisInputError(f"give one group per event: found {len(values)} for {n} events", column="group")
    codes, uniques = pd.factorize(values)
    names = np.array([str(u).strip() for u in uniques], dtype=object)
    blank = codes < 0
    if len(names):
        blank |= names[np.maximum(codes, 0)] == ""
    if blank.any():
        raise AnalysisInputError("expected a group, found a blank", column="group", row=int(np.flatnonzero(blank)[0]) + 1)
    ordered, remap = np.unique(names.astype(str), return_inverse=True)
    return remap[codes].astype(np.int64), [str(v) for v in ordered]


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


def _periods(dates: Any, period: str, n: int) -> tuple[np.ndarray, list[str]]:
    """Each event's period as a code into the sorted period names ("2024-03", "2024-Q1", "2024")."""
    values = np.asarray(dates)
    if values.dtype.kind != "M":
        stamps = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce", format="ISO8601")
        missing = stamps.isna().to_numpy()
        if missing.any():
            raise AnalysisInputError("expected a date", column="date", row=int(np.flatnonzero(missing)[0]) + 1)
        values = stamps.to_numpy()
    if len(values) != n:
        raise AnalysisInputError(f"give one date per event: found {len(values)} for {n} events", column="date")
    if np.isnat(values).any():
        raise AnalysisInputError("expected a date", column="date", row=int(np.flatnonzero(np.isnat(values))[0]) + 1)
    months = values.astype("datetime64[M]").astype(np.int64)  # months since January 1970
    number = months if period == "month" else months // 3 if period == "quarter" else months // 12
    present, codes = np.unique(number, return_inverse=True)
    if period == "month":
        names = [str(np.datetime64(int(m), "M")) for m in present]
    elif period == "quarter":
        names = [f"{1970 + int(q) // 4}-Q{int(q) % 4 + 1}" for q in present]
    else:
        names = [str(1970 + int(y)) for y in present]
    return codes.astype(np.int64), names
