"""Every read of the event store, scoped to the user: events in their units, person-level data only for those
allowed it (each read recorded with its purpose), the Victim Focus lookup, sources and import batches."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from rocc.events import store
from rocc.events.models import EventSource, ImportBatch
from rocc.events.offences import anzsoc, victim_focus_settings
from rocc.org.models import OrgUnit
from rocc.org.scope import scope_of

EVENT_COLUMNS = ["event_id", "date_from", "date_to", "offence_code", "offence_division", "x", "y", "unit_code"]
PERSON_COLUMNS = ["event_id", "person_key", "role", "date_from", "offence_code", "unit_code"]


def _day(value: Any, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        raise ValueError(f"{name}: cannot read {value!r} as a date (expected e.g. 2019-04-03)") from None


def _unit_in_scope(user, unit_code: str | None, permission: str) -> OrgUnit | None:
    if not unit_code:
        return None
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None or not scope_of(user).covers(unit.path):
        raise Http404(f"No unit '{unit_code}' in your scope.")
    if not user.has_perm(permission, unit):
        raise PermissionDenied("Your role cannot read these events.")
    return unit


def _filtered(table, *, user, unit: OrgUnit | None, date_from, date_to, offence_codes):
    paths = [unit.path] if unit is not None else list(scope_of(user).unit_paths)
    condition = None
    for path in paths:
        clause = table.unit_path.startswith(path)
        condition = clause if condition is None else condition | clause
    table = table.filter(condition)
    start, end = _day(date_from, "date_from"), _day(date_to, "date_to")
    if start is not None:
        table = table.filter(table.date_from >= dt.datetime.combine(start, dt.time()))
    if end is not None:
        table = table.filter(table.date_from < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    codes = [str(c).strip() for c in (offence_codes or []) if str(c).strip()]
    if codes:
        # Codes are hierarchical: "02" takes the whole division, "021" a subdivision, "0211" a group.
        clause = None
        for code in codes:
            one = table.offence_code.startswith(code)
            clause = one if clause is None else clause | one
        table = table.filter(clause)
    return table


def events_frame(
    *, user, unit_code: str | None = None, date_from=None, date_to=None, offence_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """The events in the user's units (or one unit of their scope), without persons, as a data frame with
    columns event_id, date_from, date_to (datetime64; equal when the date is exact), offence_code,
    offence_division, x, y (NZTM2000 metres; NaN when unknown), unit_code; sorted by date then event id.

    Dates are inclusive days and select on the event's date_from; offence codes match by prefix.
    Raises PermissionDenied for roles that do not read events, Http404 for a unit outside the scope.
    """
    if not user.has_perm("events.view_events"):
        raise PermissionDenied("Your role cannot read events.")
    unit = _unit_in_scope(user, unit_code, "events.view_events_in_unit")
    con = store.duckdb_backend()
    table = _filtered(con.table(store.EVENTS_TABLE), user=user, unit=unit, date_from=date_from, date_to=date_to, offence_codes=offence_codes)
    frame = table.select(*EVENT_COLUMNS).order_by(["date_from", "event_id"]).to_pandas()
    return _typed(frame, EVENT_COLUMNS)


def events_summary(*, user) -> pd.DataFrame:
    """Events in the user's units counted by unit, with the first and last date: unit_code, events, first, last."""
    if not user.has_perm("events.view_events"):
        raise PermissionDenied("Your role cannot read events.")
    con = store.duckdb_backend()
    table = _filtered(con.table(store.EVENTS_TABLE), user=user, unit=None, date_from=None, date_to=None, offence_codes=None)
    summary = table.group_by("unit_code").agg(events=table.count(), first=table.date_from.min(), last=table.date_from.max())
    return summary.order_by("unit_code").to_pandas()


def _typed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame[columns].reset_index(drop=True)
    for name in ("date_from", "date_to"):
        if name in frame:
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[us]")
    for name in ("x", "y"):
        if name in frame:
            frame[name] = frame[name].astype(np.float64)
    return frame


def persons_frame(
    *, user, purpose: str, unit_code: str | None = None, date_from=None, date_to=None, role: str | None = None
) -> pd.DataFrame:
    """Person-level rows (one per person in an event: event_id, person_key, role, date_from, offence_code,
    unit_code) in the user's units. Needs ``org.view_person_level`` for the unit (or every unit of the
    scope) and records the read in the audit trail with its purpose."""
    from rocc.audit.services import person_access_record

    scope = scope_of(user)
    units = [_unit_in_scope(user, unit_code, "org.view_person_level")] if unit_code else list(OrgUnit.objects.filter(path__in=scope.unit_paths))
    if not units or not all(user.has_perm("org.view_person_level", u) for u in units):
        raise PermissionDenied("Person-level data is for analysts within their own units.")
    if role is not None and role not in {"victim", "offender"}:
        raise ValueError(f"role: expected victim or offender, found {role!r}")
    filters = ", ".join(f for f in [
        f"unit {unit_code}" if unit_code else "all units in scope",
        f"from {date_from}" if date_from else "", f"to {date_to}" if date_to else "", f"role {role}" if role else "",
    ] if f)
    person_access_record(
        user=user, subject_type="events.persons", subject_id=unit_code or ",".join(u.code for u in units),
        purpose=purpose, what=f"person-level event rows ({filters})",
    )
    con = store.duckdb_backend()
    table = _filtered(con.table(store.PERSONS_TABLE), user=user, unit=units[0] if unit_code else None,
                      date_from=date_from, date_to=date_to, offence_codes=None)
    if role is not None:
        table = table.filter(table.role == role)
    frame = table.select(*PERSON_COLUMNS).order_by(["date_from", "event_id", "role", "person_key"]).to_pandas()
    return _typed(frame, PERSON_COLUMNS)


@dataclasses.dataclass(frozen=True)
class VictimFocus:
    """What a Victim Focus lookup tells the officer: victimisations in the past 12 months (in the looker's
    units), the type and number of crimes, and the graduated response that applies."""

    person_key: str
    as_of: dt.date
    window_days: int
    count: int
    first: dt.date | None
    last: dt.date | None
    offences: list[dict]  # code, title, division, division_title, count
    serious: bool
    tier: str | None
    response: str | None
    units: list[str]

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        for name in ("as_of", "first", "last"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


def victim_focus_lookup(*, user, identifier: str, purpose: str, as_of=None) -> VictimFocus:
    """Look up one person by their identifier (pseudonymised as the import does): how often they were a
    victim in the past 12 months within the user's units, of what, and the Victim Focus tier.

    Only analysts within their units may look; every lookup is recorded with its purpose."""
    from rocc.audit.services import person_access_record
    from rocc.events.pseudonym import person_key

    if not user.has_perm("events.victim_focus_lookup"):
        raise PermissionDenied("The Victim Focus lookup is for analysts within their own units.")
    if not str(identifier or "").strip():
        raise ValueError("person: give the person's identifier")
    key = person_key(identifier)
    person_access_record(user=user, subject_type="events.person", subject_id=key, purpose=purpose, what="Victim Focus lookup")
    return victim_focus_for(key, scope_paths=scope_of(user).unit_paths, as_of=_day(as_of, "as_of") or dt.date.today())


def victim_focus_for(key: str, *, scope_paths: tuple[str, ...], as_of: dt.date) -> VictimFocus:
    """The lookup itself, from the per-person index (no permission check, no audit: callers do both)."""
    from rocc.analysis.repeat_victims import VICTIM_FOCUS_TIERS
    from rocc.events.person_index import person_events

    settings = victim_focus_settings()
    window = settings["window_days"]
    end = np.datetime64(as_of, "D")
    found = person_events(key, role="victim", scope_paths=scope_paths, since=end - np.timedelta64(window - 1, "D"), until=end)
    count = len(found.days)
    classification = anzsoc()
    if not count:
        return VictimFocus(key, end.astype(dt.date), window, 0, None, None, [], False, None, None, [])
    # The analysis library's rule, for one person: the last tier whose conditions (events in the window, a
    # serious one among them) the person meets. repeat_victims applies the same rule over whole populations.
    serious = any(code[:2] in settings["serious_divisions"] for code in found.offence_codes)
    tier = None
    for step in VICTIM_FOCUS_TIERS:
        if count >= step.min_events and (serious or not step.serious):
            tier = step
    offences = [
        {
            "code": code,
            "title": classification.subdivisions.get(code[:3], "") if len(code) > 2 else classification.divisions.get(code, ""),
            "division": code[:2],
            "division_title": classification.divisions.get(code[:2], ""),
            "count": number,
        }
        for code, number in sorted(Counter(found.offence_codes).items(), key=lambda item: (-item[1], item[0]))
    ]
    return VictimFocus(
        person_key=key, as_of=end.astype(dt.date), window_days=window, count=count,
        first=found.days.min().astype(dt.date), last=found.days.max().astype(dt.date), offences=offences, serious=serious,
        tier=tier.name if tier else None, response=tier.response if tier else None, units=sorted(set(found.unit_codes)),
    )


def sources_list(*, user) -> QuerySet[EventSource]:
    if not user.has_perm("events.view_sources"):
        raise PermissionDenied("Your role cannot see event sources.")
    return EventSource.objects.all()


def batches_list(*, user) -> QuerySet[ImportBatch]:
    """Import batches the user may see: their own; administrators see every batch."""
    if not user.has_perm("events.import_events"):
        raise PermissionDenied("Your role cannot import events.")
    batches = ImportBatch.objects.select_related("source", "created_by")
    if scope_of(user).role == "administrator":
        return batches
    return batches.filter(Q(created_by=user))


def batch_get(*, user, batch_id: int) -> ImportBatch:
    batch = batches_list(user=user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404("No such import batch.")
    return batch
