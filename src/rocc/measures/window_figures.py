"""An indicator's count over a chosen window (before, after) for chosen units, as a problem-solving case's Assess
stage needs it: for an indicator counted from the event store, the event store's numerators under the indicator's
own definition (the same ``event_numerators`` call and filters that compute its series); for any other indicator,
its recorded series when the series' periods tile the window exactly. Every figure passes the user's disclosure gate;
a figure that cannot be given says why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rocc.events.numerators import event_numerators
from rocc.measures.disclosure import cell_identity
from rocc.measures.models import Indicator, IndicatorVersion, NumeratorSource, Observation
from rocc.measures.selectors import disclosure_for, indicators_for
from rocc.org.models import OrgUnit, UnitLevel

SERIES = "series"
EVENTS = "events"


@dataclass(frozen=True)
class WindowFigure:
    """One count: ``value`` None when there is none, with ``note`` saying why; ``source`` is series or events."""

    value: float | None
    source: str
    note: str = ""
    protected: bool = False


def event_filters(version: IndicatorVersion) -> dict:
    """The event-store selection of an indicator version: what to count and which offence codes, as its series uses."""
    filters = version.numerator_event_filters or {}
    return {
        "count": version.numerator_event_measure or "events",
        "offence_divisions": filters.get("divisions") or filters.get("offence_divisions") or None,
        "offence_codes": filters.get("offence_codes") or None,
    }


def is_event_based(indicator: Indicator) -> bool:
    version = indicator.current
    return version is not None and version.numerator_source == NumeratorSource.EVENTS


def _level(unit: OrgUnit) -> str | None:
    levels: dict[str, str] = {UnitLevel.DISTRICT: "district", UnitLevel.AREA: "area"}
    return levels.get(unit.level)


def _raw_event_count(indicator: Indicator, unit: OrgUnit, start: dt.date, end: dt.date, *, backend=None) -> tuple[float | None, str]:
    version = indicator.version_at(start)
    assert version is not None
    level = _level(unit)
    if level is None:
        return None, f"The event store counts by district and area, not for {unit.name}."
    selection = event_filters(version)
    frame = event_numerators(period_type="month", level=level, date_from=start, date_to=end, backend=backend, **selection)
    rows = frame[frame["unit_code"] == unit.code]
    note = ""
    if selection["count"] != "events" and rows["period_start"].nunique() > 1:
        note = f"Distinct {selection['count']} are counted in each month and the months added."
    return float(rows["numerator"].sum()) if len(frame) else 0.0, note


def _raw_series_count(indicator: Indicator, unit: OrgUnit, start: dt.date, end: dt.date) -> tuple[float | None, str]:
    """The sum of the series' totals whose periods tile start–end exactly (one figure per period, newest recorded)."""
    rows = list(
        Observation.objects.filter(indicator=indicator, unit=unit, disaggregation_key="", period_start__gte=start, period_end__lte=end)
        .order_by("period_start", "-period_end", "-pk")
        .values("period_start", "period_end", "numerator", "value")
    )
    by_start: dict = {}
    for row in rows:
        by_start.setdefault(row["period_start"], row)
    cursor, total = start, 0.0
    while cursor <= end:
        found = by_start.get(cursor)
        if found is None:
            return (
                None,
                f"The series of {indicator.code} for {unit.name} has no figure starting {cursor:%d %b %Y}: its periods do not cover {start:%d %b %Y}–{end:%d %b %Y}.",
            )
        figure = found["numerator"] if found["numerator"] is not None else found["value"]
        if figure is None:
            return None, f"The series of {indicator.code} for {unit.name} has no count for the period from {cursor:%d %b %Y}."
        total += float(figure)
        cursor = found["period_end"] + dt.timedelta(days=1)
    if cursor != end + dt.timedelta(days=1):
        return None, f"The series' periods run past {end:%d %b %Y}."
    return total, ""


def _raw(indicator: Indicator, unit: OrgUnit, start: dt.date, end: dt.date, *, backend=None) -> tuple[float | None, str, str]:
    if is_event_based(indicator):
        return (*_raw_event_count(indicator, unit, start, end, backend=backend), EVENTS)
    return (*_raw_series_count(indicator, unit, start, end), SERIES)


def _gated(user, indicator: Indicator, unit: OrgUnit, label: str, start: dt.date, end: dt.date, value: float | None, source: str, note: str) -> WindowFigure:
    if value is None:
        return WindowFigure(value=None, source=source, note=note)
    gate = disclosure_for(user=user, unit=unit)
    if not gate.protect:
        return WindowFigure(value=value, source=source, note=note)
    identity = cell_identity(indicator=indicator.code, unit=label, period=f"{start:%Y-%m-%d}/{end:%Y-%m-%d}", series="window")
    protected = gate.count(value, identity)
    if protected is None:
        return WindowFigure(
            value=None, source=source, note="Too small a count to show you (disclosure control): enter the figure if you hold it.", protected=True
        )
    return WindowFigure(value=protected, source=source, note=(note + " Randomly rounded (disclosure control).").strip(), protected=True)


def window_count(*, user, indicator: Indicator, unit: OrgUnit, start: dt.date, end: dt.date, backend=None) -> WindowFigure:
    """The indicator's count in ``unit`` from ``start`` to ``end`` (inclusive), as ``user`` may see it."""
    if not indicators_for(user=user).filter(pk=indicator.pk).exists():
        return WindowFigure(value=None, source="", note="You may not see this indicator.")
    value, note, source = _raw(indicator, unit, start, end, backend=backend)
    return _gated(user, indicator, unit, unit.code, start, end, value, source, note)


def surrounding_count(
    *, user, indicator: Indicator, unit: OrgUnit, start: dt.date, end: dt.date, leave_out: OrgUnit | None = None, backend=None
) -> WindowFigure:
    """The count in the area around ``unit``: the unit above it less the unit itself (and less ``leave_out``, the
    comparison unit, when it lies in the same parent), so the surrounding area holds neither the case's area nor its
    comparison area."""
    parent = unit.parent
    if parent is None:
        return WindowFigure(value=None, source="", note=f"{unit.name} has no unit above it, so no surrounding area.")
    whole, note, source = _raw(indicator, parent, start, end, backend=backend)
    inner, inner_note, _ = _raw(indicator, unit, start, end, backend=backend)
    if whole is None or inner is None:
        return WindowFigure(value=None, source=source, note=note or inner_note)
    value = whole - inner
    if leave_out is not None and leave_out.parent_id == parent.pk and leave_out.pk != unit.pk:
        other, other_note, _ = _raw(indicator, leave_out, start, end, backend=backend)
        if other is None:
            return WindowFigure(value=None, source=source, note=other_note)
        value -= other
    return _gated(user, indicator, parent, f"{parent.code}-less-{unit.code}", start, end, max(value, 0.0), source, note)
