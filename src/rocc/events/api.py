"""API endpoints of the events capability: the Victim Focus lookup, sources and import batches."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rocc.core.api_fields import IsoDate
from rocc.core.bounds import BoundedQuery, Identifier
from rocc.core.errors import InvalidInput, error_responses
from rocc.events import selectors

router = Router(tags=["events"])


class OffenceOut(Schema):
    code: str
    title: str
    division: str
    division_title: str
    count: int


class VictimFocusEventOut(Schema):
    date: IsoDate
    offence_code: str
    offence_title: str
    unit_code: str
    unit_name: str


class VictimFocusSearchOut(Schema):
    person_key: str = Field(description="The identifier as pseudonymised: the person searched for")
    window_from: IsoDate
    window_to: IsoDate
    window_days: int
    store: str = Field(description="Always national: the whole event store is searched, whatever your scope")
    imports: list[int] = Field(description="The import batches searched")
    imports_not_searched: list[int] = Field(description="Finished imports the lookup's index does not hold yet (not searched)")
    latest_import: dt.datetime | None
    statement: str = Field(description="What was searched, in words (the same on a positive and a negative answer)")


class VictimFocusOut(Schema):
    person_key: str = Field(description="The person's pseudonymous key (the identifier itself is never stored)")
    as_of: IsoDate
    window_days: int
    count: int = Field(description="Victimisations in the window, nationally (events in every district count)")
    offences: list[OffenceOut] = Field(description="The type and number of crimes, nationally")
    serious: bool
    tier: str | None = Field(description="first-time victim, repeat victim, or serious and repeat victim; null when none")
    response: str | None
    events: list[VictimFocusEventOut] = Field(description="Each victimisation within your scope: date, offence, unit")
    outside_scope: int = Field(description="Victimisations counted whose details are outside your scope (withheld)")
    first: IsoDate | None = Field(description="The first victimisation within your scope")
    last: IsoDate | None = Field(description="The last victimisation within your scope")
    units: list[str] = Field(description="The units of the victimisations within your scope")
    answer: str = Field(description="The answer in one sentence")
    search: VictimFocusSearchOut


class VictimFocusQuery(BoundedQuery):
    person: Identifier = Field(description="The person's identifier, pseudonymised as imports do")
    purpose: str = Field(description="Why you look this person up (recorded in the audit trail)")
    as_of: IsoDate | None = Field(None, description="The last day of the 12 months (default today)")


@router.get(
    "/victim-focus",
    response={200: VictimFocusOut, **error_responses(403, 422)},
    summary="Victim Focus: a person's victimisations in the past 12 months, the offence types and the response tier",
)
def victim_focus(request: HttpRequest, query: Query[VictimFocusQuery]):
    """Each lookup is a look at person-level data, recorded in the audit trail with its purpose, what was searched
    and the answer. Analysts only. The count, offence types and tier are national; the details of each
    victimisation only within your scope, with the number withheld. Every answer says what was searched."""
    try:
        found = selectors.victim_focus_lookup(user=request.user, identifier=query.person, purpose=query.purpose, as_of=query.as_of)
    except ValidationError as error:
        raise InvalidInput.from_validation(error, "The lookup was not made.") from error
    except ValueError as error:
        # The lookup's ValueErrors name what the request got wrong (no identifier, a date it cannot read).
        raise InvalidInput(str(error)) from error
    return found.to_dict()


class SourceOut(Schema):
    name: str
    description: str
    mapping: dict


@router.get("/sources", response={200: list[SourceOut], **error_responses(403)}, summary="Event sources and their column mappings")
def sources(request: HttpRequest):
    return [SourceOut(name=s.name, description=s.description, mapping=s.mapping) for s in selectors.sources_list(user=request.user)]


class ProblemOut(Schema):
    row: int | None
    column: str | None
    message: str


class BatchOut(Schema):
    id: int
    source: str
    file_name: str
    status: str
    progress: int
    stage: str
    partial: bool
    rows_read: int
    rows_imported: int
    rows_rejected: int
    rows_already_stored: int
    message: str
    problems: list[ProblemOut]
    problems_total: int
    has_rejects: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None


def batch_out(batch) -> BatchOut:
    return BatchOut(
        id=batch.pk,
        source=batch.source.name,
        file_name=batch.file_name,
        status=batch.status,
        progress=batch.progress,
        stage=batch.stage,
        partial=batch.partial,
        rows_read=batch.rows_read,
        rows_imported=batch.rows_imported,
        rows_rejected=batch.rows_rejected,
        rows_already_stored=batch.rows_already_stored,
        message=batch.message,
        problems=batch.problems,
        problems_total=batch.problems_total,
        has_rejects=bool(batch.rejects_file),
        created_at=batch.created_at,
        finished_at=batch.finished_at,
    )


@router.get("/batches", response={200: list[BatchOut], **error_responses(403)}, summary="Your import batches (administrators: all)")
def batches(request: HttpRequest):
    return [batch_out(b) for b in selectors.batches_list(user=request.user)[:200]]


@router.get("/batches/{batch_id}", response={200: BatchOut, **error_responses(403, 404)}, summary="One import batch with its validation report")
def batch(request: HttpRequest, batch_id: int):
    return batch_out(selectors.batch_get(user=request.user, batch_id=batch_id))
