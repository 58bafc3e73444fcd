"""Aggregates of the event store computed in the engine, scoped and filtered exactly as :func:`events_frame` selects
(the same permission checks, the same ``_filtered``): an analysis pulls the counts it needs, not the events.

Each is an Ibis expression, so it runs on every engine the store reads through (DuckDB, PostgreSQL, Spark).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import ibis
import numpy as np
import pandas as pd
from django.core.exceptions import PermissionDenied

from rocc.events import store
from rocc.events.importer import NZTM_X, NZTM_Y
from rocc.events.selectors import _filtered, _unit_in_scope


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
        offset = (values - ibis.literal(origin, type="float64")) / ibis.literal(cell, type="float64")
        return offset.floor().cast("int64").clip(lower=0, upper=size - 1)

    placed = table.mutate(col=index(table.x, west, cols), row=index(table.y, south, rows))
    cells = placed.group_by(["col", "row"]).agg(count=placed.count()).to_pandas()
    places = None
    if by_unit:
        ordered = placed.mutate(position=ibis.row_number().over(order_by=[placed.date_from, placed.event_id]))
        places = ordered.group_by(["col", "row", "unit_code"]).agg(events=ordered.count(), first=ordered.position.min()).to_pandas()
    points = table.order_by(["date_from", "event_id"]).select("x", "y").to_pyarrow()
    return GridCounts(
        cells=cells,
        places=places,
        x=points.column("x").to_numpy().astype(np.float64),
        y=points.column("y").to_numpy().astype(np.float64),
    )
