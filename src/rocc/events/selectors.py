"""Every read of the event store, scoped to the user: events in their units, person-level data only for those
allowed it (each read recorded with its purpose), the Victim Focus lookup, sources and import batches."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rocc.analysis.repeat_victims import response_tier
from rocc.audit.services import person_access_record
from rocc.events import store
from rocc.events.models import BatchStatus, EventSource, ImportBatch
from rocc.events.offences import anzsoc, offence_codes_selection, victim_focus_settings
from rocc.events.person_index import index_batches, person_events
from rocc.events.pseudonym import person_key
from rocc.org.models import OrgUnit
from rocc.org.scope import Scope, scope_of

EVENT_COLUMNS = ["event_id", "date_from", "date_to", "offence_code", "offence_division", "x", "y", "unit_code"]
PERSON_COLUMNS = ["event_id", "person_key", "role", "date_from", "offence_code", "unit_code"]
#: The order person-level rows are read in (the order a person's "first appearance" refers to).
PERSON_ORDER = ["date_from", "event_id", "role", "person_key"]


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
    scope = scope_of(user)
    table = table.filter((scope.narrowed(unit.path) if unit is not None else scope).column_condition(table.unit_path))
    start, end = _day(date_from, "date_from"), _day(date_to, "date_to")
    if start is not None:
        table = table.filter(table.date_from >= dt.datetime.combine(start, dt.time()))
    if end is not None:
        table = table.filter(table.date_from < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    condition = offence_codes_selection(offence_codes, name="offence_codes").predicate(table.offence_code)
    if condition is not None:
        table = table.filter(condition)
    return table


def events_frame(
    *,
    user,
    unit_code: str | None = None,
    date_from=None,
    date_to=None,
    offence_codes: Iterable[str] | None = None,
    columns: Iterable[str] | None = None,
    located: bool = False,
) -> pd.DataFrame:
    """The events in the user's units (or one unit of their scope), without persons, as a data frame with
    columns event_id, date_from, date_to (datetime64; equal when the date is exact), offence_code,
    offence_division, x, y (NZTM2000 metres; NaN when unknown), unit_code; sorted by date then event id.

    Dates are inclusive days and select on the event's date_from; an ANZSOC code at any level selects every
    code below it, and an unknown code raises AnalysisInputError (a ValueError) naming it.
    ``columns`` (some of those) pulls only what the caller needs; ``located`` only the events with both
    coordinates (the engine filters, so the rows left out are never read).
    Raises PermissionDenied for roles that do not read events, Http404 for a unit outside the scope.
    """
    if not user.has_perm("events.view_events"):
        raise PermissionDenied("Your role cannot read events.")
    wanted = list(columns) if columns is not None else EVENT_COLUMNS
    unknown = [c for c in wanted if c not in EVENT_COLUMNS]
    if unknown:
        raise ValueError(f"columns: {unknown[0]!r} is not one of {', '.join(EVENT_COLUMNS)}")
    unit = _unit_in_scope(user, unit_code, "events.view_events_in_unit")
    con = store.backend()
    table = _filtered(con.table(store.EVENTS_TABLE), user=user, unit=unit, date_from=date_from, date_to=date_to, offence_codes=offence_codes)
    if located:
        table = table.filter(table.x.notnull() & table.y.notnull() & ~table.x.isnan() & ~table.y.isnan())
    # Ordered as a whole frame is (date, then event id), whichever columns are pulled.
    frame = table.order_by(["date_from", "event_id"]).select(*wanted).to_pandas()
    return _typed(frame, wanted)


@dataclasses.dataclass(frozen=True)
class EventPoints:
    """Events with coordinates for a map, as columns (no persons): NZTM2000 metres, the day (days since 1970-01-01),
    the offence as a position in ``offences`` (sorted), the event id; with how many events were selected in all and by
    unit, and how many of them have coordinates."""

    x: np.ndarray
    y: np.ndarray
    day: np.ndarray
    offence: np.ndarray
    offences: list[str]
    event_id: list[str]
    events: int
    located: int
    by_unit: dict[str, int]


def events_map_points(
    *,
    user,
    unit_code: str | None = None,
    date_from=None,
    date_to=None,
    offence_codes: Iterable[str] | None = None,
    limit: int,
) -> EventPoints:
    """The events :func:`events_frame` selects (same scope, same filters, same refusals), for a map: only those with
    both coordinates, only the columns a map draws, in the engine's order (a map needs none, and sorting 100,000 rows
    is most of the read) unless more than ``limit`` have coordinates: then the first ``limit`` by date and event id,
    as a frame is ordered. The counts are the engine's, over every event selected."""
    if not user.has_perm("events.view_events"):
        raise PermissionDenied("Your role cannot read events.")
    unit = _unit_in_scope(user, unit_code, "events.view_events_in_unit")
    con = store.backend()
    table = _filtered(con.table(store.EVENTS_TABLE), user=user, unit=unit, date_from=date_from, date_to=date_to, offence_codes=offence_codes)
    has_point = table.x.notnull() & table.y.notnull() & ~table.x.isnan() & ~table.y.isnan()
    counts = table.group_by("unit_code").agg(events=table.count(), located=has_point.cast("int64").sum()).to_pyarrow().to_pydict()
    by_unit = {str(code): int(n) for code, n in zip(counts["unit_code"], counts["events"], strict=True)}
    located = int(sum(n or 0 for n in counts["located"]))
    points = table.filter(has_point)
    if located > limit:
        points = points.order_by(["date_from", "event_id"]).limit(limit)
    arrow = points.select("event_id", "date_from", "offence_code", "x", "y").to_pyarrow()
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = pc.dictionary_encode(pc.fill_null(arrow.column("offence_code").cast(pa.string()), "")).combine_chunks()
    dictionary = [str(c) for c in codes.dictionary.to_pylist()]
    order = np.argsort(np.array(dictionary, dtype=object), kind="stable") if dictionary else np.array([], dtype=np.int64)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    indices = codes.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    dates = arrow.column("date_from").to_numpy()
    return EventPoints(
        x=arrow.column("x").to_numpy().astype(np.float64),
        y=arrow.column("y").to_numpy().astype(np.float64),
        day=np.asarray(dates).astype("datetime64[D]").astype(np.int64),
        offence=rank[indices] if len(indices) else indices,
        offences=[dictionary[i] for i in order.tolist()],
        event_id=pc.cast(arrow.column("event_id"), pa.string()).to_pylist(),
        events=sum(by_unit.values()),
        located=located,
        by_unit=by_unit,
    )


def events_count(*, user, unit_code: str | None = None, date_from=None, date_to=None, offence_codes: Iterable[str] | None = None) -> int:
    """How many events :func:`events_frame` would give, counted in the engine (no row is loaded)."""
    if not user.has_perm("events.view_events"):
        raise PermissionDenied("Your role cannot read events.")
    unit = _unit_in_scope(user, unit_code, "events.view_events_in_unit")
    con = store.backend()
    table = _filtered(con.table(store.EVENTS_TABLE), user=user, unit=unit, date_from=date_from, date_to=date_to, offence_codes=offence_codes)
    return int(table.count().execute())


# The whole store counted by unit, kept for the store as it is (one entry per process): the events page asks on every
# view, and the store changes only when a batch finishes or is removed.
_UNIT_COUNTS: dict[tuple, pd.DataFrame] = {}


def _store_state() -> tuple:
    """What the store holds now: the engine and each finished batch's events file with its size and time of change, so
    a new, removed or rewritten batch is a new state."""
    events, _ = store.stored_files()
    files: list[tuple[str, int | None, int | None]] = []
    for path in events:
        try:
            info = os.stat(path)
            files.append((path, info.st_size, info.st_mtime_ns))
        except FileNotFoundError:
            files.append((path, None, None))
    return (store.engine(), *files)


def _unit_counts() -> pd.DataFrame:
    state = _store_state()
    counts = _UNIT_COUNTS.get(state)
    if counts is None:
        table = store.backend().table(store.EVENTS_TABLE)
        counted = table.group_by(["unit_code", "unit_path"]).agg(events=table.count(), first=table.date_from.min(), last=table.date_from.max())
        counts = counted.to_pandas()
        _UNIT_COUNTS.clear()
        _UNIT_COUNTS[state] = counts
    return counts


def events_summary(*, user) -> pd.DataFrame:
    """Events in the user's units counted by unit, with the first and last date: unit_code, events, first, last. The
    store's counts by unit are read once for each state of the store; the user's scope is applied to them here, by the
    scope's own rule (``Scope.covers``, the in-memory form of the condition every store read applies)."""
    if not user.has_perm("events.view_events"):
        raise PermissionDenied("Your role cannot read events.")
    counts = _unit_counts()
    scope = scope_of(user)
    mine = counts[np.array([isinstance(path, str) and scope.covers(path) for path in counts["unit_path"]], dtype=bool)]  # rows, even when none
    summary = mine.groupby("unit_code", as_index=False).agg(events=("events", "sum"), first=("first", "min"), last=("last", "max"))
    return summary.sort_values("unit_code").reset_index(drop=True)


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
    *,
    user,
    purpose: str,
    unit_code: str | None = None,
    date_from=None,
    date_to=None,
    role: str | None = None,
    offence_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Person-level rows (one per person in an event: event_id, person_key, role, date_from, offence_code,
    unit_code) in the user's units, selected as :func:`events_frame` selects. Needs ``org.view_person_level``
    for the unit (or every unit of the scope) and records the read in the audit trail with its purpose."""
    table = persons_table(user=user, purpose=purpose, unit_code=unit_code, date_from=date_from, date_to=date_to, role=role, offence_codes=offence_codes)
    frame = table.select(*PERSON_COLUMNS).order_by(PERSON_ORDER).to_pandas()
    return _typed(frame, PERSON_COLUMNS)


def persons_table(
    *,
    user,
    purpose: str,
    unit_code: str | None = None,
    date_from=None,
    date_to=None,
    role: str | None = None,
    offence_codes: Iterable[str] | None = None,
    what: str = "person-level event rows",
):
    """The person-level rows :func:`persons_frame` reads, as the engine's table expression, for an aggregate in
    the engine over them: the same permission check, the same scope and filters, and the read recorded in the
    audit trail with its purpose (``what`` says what was read) before anything is read."""

    scope = scope_of(user)
    unit = _unit_in_scope(user, unit_code, "org.view_person_level")
    units = [unit] if unit is not None else list(OrgUnit.objects.filter(path__in=scope.unit_paths))
    if not units or not all(user.has_perm("org.view_person_level", u) for u in units):
        raise PermissionDenied("Person-level data is for analysts within their own units.")
    if role is not None and role not in {"victim", "offender"}:
        raise ValueError(f"role: expected victim or offender, found {role!r}")
    selection = offence_codes_selection(offence_codes, name="offence_codes")  # refused before the look is recorded
    filters = ", ".join(
        f
        for f in [
            f"unit {unit_code}" if unit_code else "all units in scope",
            f"from {date_from}" if date_from else "",
            f"to {date_to}" if date_to else "",
            f"role {role}" if role else "",
            f"offences {', '.join(selection.codes)}" if selection.codes else "",
        ]
        if f
    )
    person_access_record(
        user=user,
        subject_type="events.persons",
        subject_id=unit_code or ",".join(u.code for u in units),
        purpose=purpose,
        what=f"{what} ({filters})",
    )
    con = store.backend()
    table = _filtered(con.table(store.PERSONS_TABLE), user=user, unit=unit, date_from=date_from, date_to=date_to, offence_codes=selection.codes)
    if role is not None:
        table = table.filter(table.role == role)
    return table


@dataclasses.dataclass(frozen=True)
class VictimFocusSearch:
    """What a Victim Focus lookup searched, said on every answer (a positive and a negative one alike): the
    period, the whole national store (which imports), and the person as pseudonymised."""

    person_key: str
    window_from: dt.date
    window_to: dt.date
    window_days: int
    imports: tuple[int, ...]  # the import batches searched (the person index's)
    imports_not_searched: tuple[int, ...]  # finished imports the index does not hold yet
    latest_import: dt.datetime | None

    @property
    def statement(self) -> str:
        searched = len(self.imports)
        store_part = (
            f"the whole national event store ({searched} import{'s' if searched != 1 else ''}"
            + (f", the latest finished {timezone.localtime(self.latest_import):%-d %b %Y %H:%M}" if self.latest_import else "")
            + ")"
            if searched
            else "the whole national event store, which holds no imports with persons yet"
        )
        text = (
            f"Searched {store_part} for victimisations of person key {self.person_key[:12]}… (the identifier as "
            f"pseudonymised; the identifier itself is not kept) from {self.window_from:%-d %b %Y} to "
            f"{self.window_to:%-d %b %Y} ({self.window_days} days), in every district."
        )
        missing = len(self.imports_not_searched)
        if missing:
            text += (
                f" {missing} finished import{'s are' if missing != 1 else ' is'} not in the lookup's index yet and "
                f"{'were' if missing != 1 else 'was'} not searched (import{'s' if missing != 1 else ''} "
                f"{', '.join(str(b) for b in self.imports_not_searched)}; an administrator rebuilds the index with "
                "`rocc events reindex`)."
            )
        return text

    def to_dict(self) -> dict:
        return {
            "person_key": self.person_key,
            "window_from": self.window_from.isoformat(),
            "window_to": self.window_to.isoformat(),
            "window_days": self.window_days,
            "store": "national",
            "imports": list(self.imports),
            "imports_not_searched": list(self.imports_not_searched),
            "latest_import": self.latest_import.isoformat() if self.latest_import else None,
            "statement": self.statement,
        }


@dataclasses.dataclass(frozen=True)
class VictimFocus:
    """What a Victim Focus lookup tells the officer. The count, the offence types and the tier are national (the
    flag comes from the national database: an event held at a district, or in another district, counts for an
    officer of one area); the details of each event (date, offence, unit) only within the looker's scope, with
    the number withheld said. ``search`` says what was searched."""

    person_key: str
    as_of: dt.date
    window_days: int
    count: int  # victimisations in the window, nationally
    offences: list[dict]  # national: code, title, division, division_title, count
    serious: bool
    tier: str | None
    response: str | None
    events: list[dict]  # within scope: date, offence_code, offence_title, unit_code, unit_name
    outside_scope: int  # victimisations counted whose details are outside the looker's scope
    first: dt.date | None  # within scope
    last: dt.date | None  # within scope
    units: list[str]  # within scope
    search: VictimFocusSearch

    @property
    def answer(self) -> str:
        """The answer in one sentence, positive or negative."""
        if not self.count:
            return "No victimisation recorded in the past 12 months."
        text = f"{self.count} victimisation{'s' if self.count != 1 else ''} in the past 12 months: {self.tier} ({self.response})."
        if self.outside_scope:
            text += f" {self.outside_scope} of them {'are' if self.outside_scope != 1 else 'is'} outside your scope: counted, details withheld."
        return text

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "search"}
        for name in ("as_of", "first", "last"):
            data[name] = data[name].isoformat() if data[name] else None
        data["events"] = [{**e, "date": e["date"].isoformat()} for e in self.events]
        data["answer"] = self.answer
        data["search"] = self.search.to_dict()
        return data


def victim_focus_lookup(*, user, identifier: str, purpose: str, as_of=None) -> VictimFocus:
    """Look up one person by their identifier (pseudonymised as the import does): how often they were a
    victim in the past 12 months nationally, of what, the Victim Focus tier, and the details within the
    user's scope.

    Only analysts within their units may look; every lookup is recorded with its purpose, what was searched
    and the answer. A lookup the audit trail refuses (no purpose) returns nothing."""

    if not user.has_perm("events.victim_focus_lookup"):
        raise PermissionDenied("The Victim Focus lookup is for analysts within their own units.")
    if not str(identifier or "").strip():
        raise ValueError("person: give the person's identifier")
    key = person_key(identifier)
    day = _day(as_of, "as_of") or timezone.localdate()
    with transaction.atomic():
        found = victim_focus_for(key, scope=scope_of(user), as_of=day)
        person_access_record(
            user=user,
            subject_type="events.person",
            subject_id=key,
            purpose=purpose,
            what=f"Victim Focus lookup. {found.search.statement} Answer: {found.answer}",
        )
    return found


def victim_focus_for(key: str, *, scope: Scope, as_of: dt.date) -> VictimFocus:
    """The lookup itself, from the per-person index (no permission check, no audit: callers do both). The
    count and tier are over the whole index; ``scope`` only limits which events' details are given."""

    settings = victim_focus_settings()
    window = settings["window_days"]
    end = np.datetime64(as_of, "D")
    since = end - np.timedelta64(window - 1, "D")
    searched = index_batches()
    # One query for what the answer says it searched: every finished import, then which of them the index holds.
    finished = dict(ImportBatch.objects.filter(status=BatchStatus.DONE).exclude(persons_file="").values_list("pk", "finished_at"))
    held = [when for pk in searched if (when := finished.get(pk)) is not None]
    search = VictimFocusSearch(
        person_key=key,
        window_from=since.astype(dt.date),
        window_to=end.astype(dt.date),
        window_days=window,
        imports=tuple(sorted(searched)),
        imports_not_searched=tuple(sorted(pk for pk in finished if pk not in searched)),
        latest_import=max(held, default=None),
    )
    found = person_events(key, role="victim", since=since, until=end)
    count = len(found.days)
    # The serious list is the analysis library's matcher over the shipped codes, as repeat_victims applies it.
    serious = bool(settings["serious"].mask(found.offence_codes).any()) if count else False
    tier = response_tier(count=count, serious=serious)
    classification = anzsoc()
    offences = [
        {
            "code": code,
            "title": classification.title(code),
            "division": code[:2],
            "division_title": classification.divisions.get(code[:2], ""),
            "count": number,
        }
        for code, number in sorted(Counter(found.offence_codes).items(), key=lambda item: (-item[1], item[0]))
    ]
    within = [i for i, path in enumerate(found.unit_paths) if scope.covers(path)]
    names = dict(OrgUnit.objects.filter(code__in={found.unit_codes[i] for i in within}).values_list("code", "name"))
    events = sorted(
        (
            {
                "date": found.days[i].astype(dt.date),
                "offence_code": found.offence_codes[i],
                "offence_title": classification.title(found.offence_codes[i]),
                "unit_code": found.unit_codes[i],
                "unit_name": names.get(found.unit_codes[i], found.unit_codes[i]),
            }
            for i in within
        ),
        key=lambda e: (e["date"], e["offence_code"], e["unit_code"]),
    )
    return VictimFocus(
        person_key=key,
        as_of=end.astype(dt.date),
        window_days=window,
        count=count,
        offences=offences,
        serious=serious,
        tier=tier.name if tier else None,
        response=tier.response if tier else None,
        events=events,
        outside_scope=count - len(events),
        first=events[0]["date"] if events else None,
        last=events[-1]["date"] if events else None,
        units=sorted({e["unit_code"] for e in events}),
        search=search,
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


IMPORT_ATTENTION_DAYS = 30  # failed imports stay in the analyst's queue this long


def imports_needing_attention(*, user) -> QuerySet[ImportBatch]:
    """The user's imports still queued or running, and those that failed or were rejected in the last month."""
    if not user.has_perm("events.import_events"):
        return ImportBatch.objects.none()
    since = timezone.now() - dt.timedelta(days=IMPORT_ATTENTION_DAYS)
    waiting = Q(status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING])
    failed = Q(status__in=[BatchStatus.FAILED, BatchStatus.REJECTED], created_at__gte=since)
    return batches_list(user=user).filter(waiting | failed)
