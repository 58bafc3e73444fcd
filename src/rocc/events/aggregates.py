"""Aggregates of the event store computed in the engine, scoped and filtered exactly as :func:`events_frame` selects
(the same permission checks, the same ``_filtered``): an analysis pulls the counts it needs, not the events.

Each is an Ibis expression, so it runs on every engine the store reads through (DuckDB, PostgreSQL, Spark).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from collections.abc import Iterable
from types import ModuleType

import numpy as np
import pandas as pd
from django.core.exceptions import PermissionDenied

from rocc.events import store
from rocc.events.importer import NZTM_X, NZTM_Y
from rocc.events.selectors import PERSON_ORDER, _filtered, _unit_in_scope, persons_table


def _ibis() -> ModuleType:
    """Ibis, imported when an aggregate is first built: the store's engine opens it anyway, and a process that never
    counts events (a page, a command) does not wait half a second for it at start."""
    return importlib.import_module("ibis")


def _selected(*, user, unit_code, date_from, date_to, offence_codes):
    if not user.has_perm("events.view_events"):
        raise PermissionDenied("Your role cannot read events.")
    unit = _unit_in_scope(user, unit_code, "events.view_events_in_unit")
    con = store.backend()
    return _filtered(con.table(store.EVENTS_TABLE), user=user, unit=unit, date_from=date_from, date_to=date_to, offence_codes=offence_codes)


def _has_point(table):
    return table.x.notnull() & table.y.notnull() & ~table.x.isnan() & ~table.y.isnan()


@dataclasses.dataclass(frozen=True)
class PointsExtent:
    """The selected events, how many have both coordinates, their bounds, and how many of those lie outside New
    Zealand in NZTM2000 (by the importer's bounds)."""

    events: int
    located: int
    x_range: tuple[float, float] | None
    y_range: tuple[float, float] | None
    outside_new_zealand: int


def points_extent(*, user, unit_code=None, date_from=None, date_to=None, offence_codes: Iterable[str] | None = None) -> PointsExtent:
    """One engine query: the selection's size, its located events and their bounds."""
    table = _selected(user=user, unit_code=unit_code, date_from=date_from, date_to=date_to, offence_codes=offence_codes)
    located = _has_point(table)
    inside = (table.x >= NZTM_X[0]) & (table.x <= NZTM_X[1]) & (table.y >= NZTM_Y[0]) & (table.y <= NZTM_Y[1])
    row = (
        table.aggregate(
            events=table.count(),
            located=table.count(where=located),
            outside=table.count(where=located & ~inside),
            x_min=table.x.min(where=located),
            x_max=table.x.max(where=located),
            y_min=table.y.min(where=located),
            y_max=table.y.max(where=located),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    found = int(row["located"] or 0)
    return PointsExtent(
        events=int(row["events"] or 0),
        located=found,
        x_range=(float(row["x_min"]), float(row["x_max"])) if found else None,
        y_range=(float(row["y_min"]), float(row["y_max"])) if found else None,
        outside_new_zealand=int(row["outside"] or 0),
    )


@dataclasses.dataclass(frozen=True)
class GridCounts:
    """The located events on a square grid, counted in the engine: ``cells`` (col, row, count) for every occupied
    cell; ``places`` (col, row, unit_code, events, first) when asked, ``first`` being the position (from 0) of the
    unit's first event in the cell among the located events ordered by date then event id; the events' coordinates
    in that order (``x``, ``y``, the only per-event values pulled, for the kernel density)."""

    cells: pd.DataFrame
    places: pd.DataFrame | None
    x: np.ndarray
    y: np.ndarray


def hotspot_grid(
    *,
    user,
    west: float,
    south: float,
    cell: float,
    rows: int,
    cols: int,
    unit_code=None,
    date_from=None,
    date_to=None,
    offence_codes: Iterable[str] | None = None,
    by_unit: bool = False,
) -> GridCounts:
    """Grid counts of the located events selected: cell column floor((x - west) / cell) and row
    floor((y - south) / cell), each clipped to the grid as the hot-spot analysis clips them, grouped in the engine.
    ``by_unit`` also counts each cell's events by unit with the position of the first."""
    table = _selected(user=user, unit_code=unit_code, date_from=date_from, date_to=date_to, offence_codes=offence_codes)
    table = table.filter(_has_point(table))

    def index(values, origin: float, size: int):
        offset = (values - _ibis().literal(origin, type="float64")) / _ibis().literal(cell, type="float64")
        return offset.floor().cast("int64").clip(lower=0, upper=size - 1)

    placed = table.mutate(col=index(table.x, west, cols), row=index(table.y, south, rows))
    cells = placed.group_by(["col", "row"]).agg(count=placed.count()).to_pandas()
    places = None
    if by_unit:
        ordered = placed.mutate(position=_ibis().row_number().over(order_by=[placed.date_from, placed.event_id]))
        places = ordered.group_by(["col", "row", "unit_code"]).agg(events=ordered.count(), first=ordered.position.min()).to_pandas()
    points = table.order_by(["date_from", "event_id"]).select("x", "y").to_pyarrow()
    return GridCounts(
        cells=cells,
        places=places,
        x=points.column("x").to_numpy().astype(np.float64),
        y=points.column("y").to_numpy().astype(np.float64),
    )


@dataclasses.dataclass(frozen=True)
class HourCounts:
    """The selected events by day of week × hour, counted in the engine where each adds exactly one event to one
    hour: ``counts`` (168, Monday 00:00 first) of the events with a time whose window (to the minute) ends within
    the hour it starts in, ``single_time`` how many of them have one time, ``events`` how many are selected; and every
    other event's start, end and row (from 1, in date then event id order), pulled to be spread over its hours."""

    counts: np.ndarray
    single_time: int
    events: int
    starts: np.ndarray
    ends: np.ndarray
    rows: np.ndarray
    ends_before_starts: int


def hour_counts(
    *,
    user,
    midnight_is_date_only: bool,
    unit_code=None,
    date_from=None,
    date_to=None,
    offence_codes: Iterable[str] | None = None,
) -> HourCounts:
    """The hot-time counts the engine can make exactly (see :class:`HourCounts`); the rule for which events add one
    to one hour is the hot-times analysis's (its ``_in_one_hour``): not known only to the day (a start and end both
    at exactly midnight, under ``midnight_is_date_only``), and an end, taken to the minute, no later than the end of
    the start's hour."""
    table = _selected(user=user, unit_code=unit_code, date_from=date_from, date_to=date_to, offence_codes=offence_codes)
    start, end = table.date_from, table.date_to.coalesce(table.date_from)
    start_minute, end_minute = start.truncate("m"), end.truncate("m")
    if midnight_is_date_only:
        day_only = (start == start.truncate("D")) & (end == end.truncate("D"))
    else:
        day_only = _ibis().literal(False)
    one_hour = ~day_only & (end_minute >= start_minute) & (end_minute <= start.truncate("h") + _ibis().interval(hours=1))
    ordered = table.mutate(
        one_hour=one_hour,
        single=~day_only & (end_minute == start_minute),
        before=end_minute < start_minute,
        day=start.day_of_week.index(),
        hour=start.hour(),
        end=end,
    )
    totals = (
        ordered.aggregate(events=ordered.count(), single=ordered.count(where=ordered.single), before=ordered.count(where=ordered.before))
        .to_pyarrow()
        .to_pylist()[0]
    )
    in_one_hour = ordered.filter(ordered.one_hour)
    counted = in_one_hour.group_by(["day", "hour"]).agg(n=in_one_hour.count()).to_pyarrow().to_pydict()
    counts = np.zeros(7 * 24, dtype=np.float64)
    for day, hour, n in zip(counted["day"], counted["hour"], counted["n"], strict=True):
        counts[int(day) * 24 + int(hour)] = n
    # The rows are numbered over the whole selection (as the frame's), in the one query that needs them.
    numbered = ordered.mutate(row=_ibis().row_number().over(order_by=[ordered.date_from, ordered.event_id]) + 1)
    rest = numbered.filter(~numbered.one_hour).order_by("row").select("date_from", "end", "row").to_pyarrow()
    return HourCounts(
        counts=counts,
        single_time=int(totals["single"] or 0),
        events=int(totals["events"] or 0),
        starts=rest.column("date_from").to_numpy(),
        ends=rest.column("end").to_numpy(),
        rows=rest.column("row").to_numpy().astype(np.int64),
        ends_before_starts=int(totals["before"] or 0),
    )


@dataclasses.dataclass(frozen=True)
class VictimCounts:
    """The selected victims' events counted in the engine for a repeat-victims run: ``groups`` one row per victim and
    offence code in the window ``(as_of − window_days, as_of]`` (person_key, offence_code, count, first and last day
    as dates, and ``first_seen``, the victim's first row among all the selected rows in the order the person-level
    rows are read); ``events`` every selected victim row, and those before the window and after ``as_of``."""

    groups: pd.DataFrame
    events: int
    events_before_window: int
    events_after_as_of: int
    as_of: dt.date | None  # None when no row is selected


def victim_counts(
    *,
    user,
    purpose: str,
    window_days: int,
    as_of: dt.date | None = None,
    unit_code=None,
    date_from=None,
    date_to=None,
    offence_codes: Iterable[str] | None = None,
) -> VictimCounts:
    """Repeat-victim counts made in the engine over the victims' rows :func:`persons_frame` would read (the same
    check and the same record of the read), so a run pulls one row per victim and offence instead of every event.
    ``as_of`` None: the day of the latest selected row."""
    table = persons_table(
        user=user,
        purpose=purpose,
        unit_code=unit_code,
        date_from=date_from,
        date_to=date_to,
        role="victim",
        offence_codes=offence_codes,
        what="victims' event counts",
    )
    dated = table.mutate(day=table.date_from.date())
    totals = dated.aggregate(events=dated.count(), latest=dated.day.max()).to_pyarrow().to_pylist()[0]
    events = int(totals["events"] or 0)
    if not events:
        return VictimCounts(pd.DataFrame(columns=["person_key", "offence_code", "count", "first", "last", "first_seen"]), 0, 0, 0, None)
    end = as_of if as_of is not None else totals["latest"]
    start = end - dt.timedelta(days=int(window_days))
    outside = dated.aggregate(before=dated.count(where=dated.day <= start), after=dated.count(where=dated.day > end)).to_pyarrow().to_pylist()[0]
    numbered = dated.mutate(row=_ibis().row_number().over(order_by=[dated[c] for c in PERSON_ORDER]))
    first_seen = numbered.group_by("person_key").agg(first_seen=numbered.row.min())
    window = numbered.filter((numbered.day > start) & (numbered.day <= end))
    counted = window.group_by(["person_key", "offence_code"]).agg(count=window.count(), first=window.day.min(), last=window.day.max())
    groups = counted.join(first_seen, "person_key").select("person_key", "offence_code", "count", "first", "last", "first_seen").to_pandas()
    return VictimCounts(groups, events, int(outside["before"] or 0), int(outside["after"] or 0), end)
