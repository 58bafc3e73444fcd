"""Where an analysis's table comes from when it is not an uploaded file: the event store, read through the
events capability's scoped selectors (persons only with a stated purpose, which they record); and the
GeoJSON of a stored hot-spot result."""

from __future__ import annotations

import datetime as dt
import importlib.util
from typing import Any

import numpy as np
import pandas as pd

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.library import analysis_module
from rocc.analysis_pages.forms import FORMS
from rocc.analysis_pages.runners import NO_STORE_EVENTS
from rocc.events.aggregates import GridCounts, HourCounts, PointsExtent, VictimCounts, hotspot_grid, hour_counts, points_extent, victim_counts
from rocc.events.selectors import EVENT_COLUMNS, events_frame, persons_frame
from rocc.events.selectors import events_count as store_events_count
from rocc.org.models import OrgUnit

#: Analyses that run on the event store's events, and those among them that read persons.
EVENT_KINDS = (
    "repeat_victims",
    "hot_times",
    "hotspots",
    "concentration",
    "harm",
    "near_repeat",
    "network",
    "space_time",
    "autocorrelation",
    "forecast_accuracy",
    "point_pattern",
    "emerging_hotspots",
    "spatial_description",
)
PERSON_KINDS = ("repeat_victims", "network")
#: Analyses that read persons only when the analyst groups by them (the Power Few by victim or offender).
PERSON_OPTIONAL_KINDS = ("concentration",)
PERSON_ROLES = ("victim", "offender")


def person_role(kind: str, parameters: dict[str, Any]) -> str | None:
    """Whose person-level records a run on the store reads ("victim", "offender"), or None: the one place
    that decides whether a purpose must be stated."""
    if kind == "repeat_victims":
        return "victim"
    if kind == "network":
        return "offender"
    if kind in PERSON_OPTIONAL_KINDS and parameters.get("group_by") in PERSON_ROLES:
        return parameters["group_by"]
    return None


def events_available() -> bool:
    return importlib.util.find_spec("rocc.events.selectors") is not None


def filters_from(cleaned: dict[str, Any], *, grouped_by_persons: str | None = None) -> dict[str, Any]:
    """The event-store filters as JSON (kept with the run and the saved analysis); ``grouped_by_persons``
    when the Power Few is run over victims or offenders."""
    filters = {
        "date_from": cleaned["date_from"].isoformat() if cleaned.get("date_from") else None,
        "date_to": cleaned["date_to"].isoformat() if cleaned.get("date_to") else None,
        "offence_codes": cleaned.get("offence_codes") or None,
    }
    if grouped_by_persons:
        filters["grouped_by_persons"] = grouped_by_persons
    return filters


def describe(filters: dict[str, Any], *, unit) -> str:
    parts = [f"events in the store, {unit.name}"]
    if filters.get("date_from") or filters.get("date_to"):
        parts.append(f"{filters.get('date_from') or 'the first'} to {filters.get('date_to') or 'the latest'}")
    if filters.get("offence_codes"):
        parts.append("offences " + ", ".join(filters["offence_codes"]))
    return "; ".join(parts)


def _dates(filters: dict[str, Any]) -> dict[str, dt.date | None]:
    return {key: dt.date.fromisoformat(filters[key]) if filters.get(key) else None for key in ("date_from", "date_to")}


def store_columns(kind: str) -> list[str] | None:
    """The event columns a run of ``kind`` on the store reads (those its form maps its inputs to, with the date
    and offence always, and each event's id, which names the row), so the engine pulls only those; None for all of them."""
    form = FORMS.get(kind)
    if form is None or not form.events_columns:
        return None
    wanted = set(form.events_columns.values()) | {"event_id", "date_from", "offence_code"}
    if kind == "concentration":
        wanted |= {"x", "y", "unit_code"}  # grid-cell places read x and y whatever the form maps
    if kind == "spatial_description":
        wanted |= {"offence_division", "unit_code"}  # the store's events may be grouped by either
    if "unit_name" in wanted:
        wanted.add("unit_code")  # named from the unit code
    return [c for c in EVENT_COLUMNS if c in wanted]


def _events(*, user, unit_code, date_from, date_to, offence_codes, columns: list[str] | None = None) -> pd.DataFrame:

    return events_frame(
        user=user,
        unit_code=unit_code,
        date_from=_dates({"date_from": date_from})["date_from"],
        date_to=_dates({"date_to": date_to})["date_to"],
        offence_codes=offence_codes or None,
        columns=columns,
    )


def _persons(*, user, unit_code, date_from, date_to, offence_codes, purpose, role) -> pd.DataFrame:

    # The events selector's own offence matcher: "07" is the whole division, an unknown code an error.
    return persons_frame(
        user=user,
        purpose=purpose,
        unit_code=unit_code,
        date_from=_dates({"date_from": date_from})["date_from"],
        date_to=_dates({"date_to": date_to})["date_to"],
        role=role,
        offence_codes=offence_codes or None,
    )


def _unit_names(codes: pd.Series) -> dict[str, str]:

    return dict(OrgUnit.objects.filter(code__in=set(codes.dropna())).values_list("code", "name"))


def co_offending_edges(persons: pd.DataFrame) -> pd.DataFrame:
    """Offenders who share an event, one row per pair with the number of events they share."""
    offenders = persons[["event_id", "person_key"]].drop_duplicates()
    pairs = offenders.merge(offenders, on="event_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["person_key_a"] < pairs["person_key_b"]]
    edges = pairs.groupby(["person_key_a", "person_key_b"]).size().reset_index(name="events")
    return edges.rename(columns={"person_key_a": "source", "person_key_b": "target"})


def events_table(
    *,
    user,
    kind: str,
    unit_code: str,
    purpose: str = "",
    date_from=None,
    date_to=None,
    offence_codes=None,
    grouped_by_persons: str | None = None,
):
    """A frame loader over the event store for analysis ``kind``, with the columns its runner expects."""
    filters = dict(unit_code=unit_code, date_from=date_from, date_to=date_to, offence_codes=offence_codes)

    def frame_of(header: bool = True) -> pd.DataFrame:
        if kind == "concentration" and grouped_by_persons in PERSON_ROLES:
            frame = _persons(user=user, purpose=purpose, role=grouped_by_persons, **filters)
        elif kind == "repeat_victims":
            frame = _persons(user=user, purpose=purpose, role="victim", **filters)
        elif kind == "network":
            frame = co_offending_edges(_persons(user=user, purpose=purpose, role="offender", **filters))
            if frame.empty:
                raise AnalysisInputError("no two offenders share an event in these events, so there is no co-offending network")
            return frame
        else:
            frame = _events(user=user, columns=store_columns(kind), **filters)
            if kind == "hotspots":
                frame["unit_name"] = frame["unit_code"].map(_unit_names(frame["unit_code"]))
        if frame.empty:
            raise AnalysisInputError(NO_STORE_EVENTS)
        return frame

    return StoreEvents(user=user, filters=filters, frame_of=frame_of, purpose=purpose)


class StoreEvents:
    """The events a run on the store reads: called, the frame (as a frame loader is); and the aggregates the
    engine computes for it over the same selection (the same scope and filters), so that a run pulls counts
    rather than events where its analysis takes them."""

    def __init__(self, *, user, filters: dict[str, Any], frame_of, purpose: str = ""):
        self._user = user
        self._purpose = purpose
        self._filters = {
            "unit_code": filters["unit_code"],
            **_dates(filters),
            "offence_codes": filters.get("offence_codes") or None,
        }
        self._frame_of = frame_of

    def __call__(self, header: bool = True) -> pd.DataFrame:
        return self._frame_of(header)

    def points_extent(self) -> PointsExtent:
        """How many events are selected, how many have both coordinates, and their bounds."""
        return points_extent(user=self._user, **self._filters)

    def hour_counts(self, *, midnight_is_date_only: bool) -> HourCounts:
        """The events by day of week and hour where each adds one to one hour, and the others to spread."""
        return hour_counts(user=self._user, midnight_is_date_only=midnight_is_date_only, **self._filters)

    def victim_counts(self, *, as_of: dt.date | None, window_days: int) -> VictimCounts:
        """Each victim's events in the window by offence code, counted in the engine (a person-level read: it needs
        the purpose and is recorded, as the frame's is)."""
        return victim_counts(user=self._user, purpose=self._purpose, as_of=as_of, window_days=window_days, **self._filters)

    def hotspot_counts(self, *, west: float, south: float, cell: float, rows: int, cols: int, by_place: bool) -> GridCounts:
        """The located events' grid counts (and, ``by_place``, each cell's events by unit name with the position
        of the first, as the frame's unit_name column names them)."""
        counts = hotspot_grid(user=self._user, west=west, south=south, cell=cell, rows=rows, cols=cols, by_unit=by_place, **self._filters)
        if counts.places is not None:
            places = counts.places
            places["place"] = places["unit_code"].map(_unit_names(places["unit_code"]))
        return counts


def events_count(
    *,
    user,
    kind: str,
    unit_code: str,
    purpose: str = "",
    date_from=None,
    date_to=None,
    offence_codes=None,
    grouped_by_persons: str | None = None,
) -> int:
    """How many events the filters select: the size that decides whether a run belongs in the background.
    Counted in the engine: no row is loaded. (Person-level reads are not made here: counting events needs no
    persons.)"""
    return store_events_count(
        user=user,
        unit_code=unit_code,
        date_from=_dates({"date_from": date_from})["date_from"],
        date_to=_dates({"date_to": date_to})["date_to"],
        offence_codes=offence_codes or None,
    )


# --- GeoJSON of a stored hot-spot result ----------------------------------------------------------


def hotspots_geojson(result: dict[str, Any]) -> dict[str, Any]:
    """The library's GeoJSON of the cells, rebuilt from the stored result (the same document the CLI's
    --geojson prints)."""
    cells = result["cells"]

    def array(key: str, dtype=float) -> np.ndarray:
        return np.array([np.nan if c[key] is None else c[key] for c in cells], dtype=dtype)

    grid = result["grid"]
    stored = analysis_module("hotspots").HotspotsResult(
        x=array("x"),
        y=array("y"),
        count=array("count"),
        density=array("density"),
        gi_z=array("gi_z"),
        gi_p=array("gi_p"),
        hot=np.array([c["hot"] for c in cells], dtype=object),
        rows=grid["rows"],
        cols=grid["cols"],
        origin=tuple(grid["origin"]),
        events=result["events"],
        total=result["total"],
        notes=tuple(result.get("notes") or ()),
        parameters=result["parameters"],
        gi_p_sim=array("gi_p_sim") if cells and "gi_p_sim" in cells[0] else None,
        gi_p_fdr=array("gi_p_fdr") if cells and "gi_p_fdr" in cells[0] else None,
    )
    return stored.to_geojson()
