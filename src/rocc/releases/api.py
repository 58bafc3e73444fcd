"""API endpoints of public releases, mounted at /api/releases/: the programme office's releases (list, freeze,
schedule, revise, and the worker's computation a freeze or revision asks for) and a provider's consent decisions,
under the same rules as the pages. The public reads no API: its open data are the files at each release's address
under /public/."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from rocc.core.api_fields import IsoDate
from rocc.core.bounds import BoundedInput
from rocc.core.errors import error_responses
from rocc.releases import selectors, services
from rocc.releases.models import PublicationConsent, Release, ReleaseFreeze, ReleaseVersion, release_stage
from rocc.returns.selectors import data_set_get

router = Router(tags=["releases"])


class ReleaseVersionOut(Schema):
    number: int
    frozen_at: dt.datetime
    published_at: dt.datetime | None
    note: str
    withheld: list[dict]
    content_sha256: str


class ReleaseOut(Schema):
    slug: str
    title: str
    reference_date: IsoDate
    planned_for: IsoDate
    stage: str
    go_live_at: dt.datetime | None
    version: int
    versions: list[ReleaseVersionOut]


class FreezeOut(Schema):
    """One computation of a release's figures by the worker: a freeze of a draft or a correction of a live release."""

    id: int
    url: str = Field(description="Where to follow it: GET answers its status, progress and result")
    release: str = Field(description="The release's address (slug)")
    kind: str = Field(description="freeze (a draft's version 1) or revise (a live release's next version)")
    status: str = Field(description="queued, running, done or failed")
    progress: int = Field(description="Per cent done")
    stage: str = Field(description="What is being computed now (the indicator)")
    error: str = Field(description="Why it failed (nothing was stored); empty otherwise")
    note: str = Field(description="A correction's note")
    requested_by: str
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    made: ReleaseVersionOut | None = Field(description="The version it stored, once done")


class FreezeIn(BoundedInput):
    version: int | None = Field(None, description="The release's version you saw: a release changed since is refused (409)")


class ScheduleIn(BoundedInput):
    go_live_at: dt.datetime
    version: int


class ReviseIn(BoundedInput):
    note: str
    version: int


class ConsentIn(BoundedInput):
    bounded_by = (PublicationConsent,)
    given: bool
    note: str = ""


class ConsentOut(Schema):
    data_set: str
    agency: str
    given: bool
    decided_at: dt.datetime | None
    decided_by: str | None


def _version(version: ReleaseVersion) -> dict:
    return {
        "number": version.number,
        "frozen_at": version.frozen_at,
        "published_at": version.published_at,
        "note": version.note,
        "withheld": version.withheld,
        "content_sha256": version.content_sha256,
    }


def _release(release: Release) -> dict:
    return {
        "slug": release.slug,
        "title": release.title,
        "reference_date": release.reference_date,
        "planned_for": release.planned_for,
        "stage": release_stage(release),
        "go_live_at": release.go_live_at,
        "version": release.version,
        "versions": [_version(v) for v in release.versions.defer("content").order_by("number")],
    }


def _freeze_url(job: ReleaseFreeze) -> str:
    return f"/api/releases/{job.release.slug}/freezes/{job.pk}"


def _freeze(job: ReleaseFreeze) -> dict:
    return {
        "id": job.pk,
        "url": _freeze_url(job),
        "release": job.release.slug,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "stage": job.stage,
        "error": job.error,
        "note": job.note,
        "requested_by": job.requested_by.get_username(),
        "requested_at": job.requested_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "made": _version(job.made) if job.made is not None else None,
    }


def _queued(response: HttpResponse, job: ReleaseFreeze) -> Status:
    job.refresh_from_db()  # the inline task backend (tests, single-user installs) may have run it already
    response["Location"] = _freeze_url(job)
    return Status(202, _freeze(job))


@router.get("/", response={200: list[ReleaseOut], **error_responses(401, 403)})
def release_list(request: HttpRequest):
    return [_release(r) for r in selectors.release_list(user=request.user)]


@router.get("/{slug}", response={200: ReleaseOut, **error_responses(401, 403, 404)})
def release_get(request: HttpRequest, slug: str):
    return _release(selectors.release_get(user=request.user, slug=slug))


@router.post(
    "/{slug}/freeze",
    response={202: FreezeOut, **error_responses(401, 403, 404, 409, 422)},
    summary="Freeze a draft's figures (computed by the worker: follow the answer's url)",
)
def release_freeze(request: HttpRequest, slug: str, response: HttpResponse, payload: FreezeIn | None = None):
    release = selectors.release_get(user=request.user, slug=slug)
    version = payload.version if payload else None
    return _queued(response, services.release_freeze_request(user=request.user, release=release, version=version))


@router.post("/{slug}/schedule", response={200: ReleaseOut, **error_responses(401, 403, 404, 409, 422)})
def release_schedule(request: HttpRequest, slug: str, payload: ScheduleIn):
    release = selectors.release_get(user=request.user, slug=slug)
    return _release(services.release_schedule(user=request.user, release=release, go_live_at=payload.go_live_at, version=payload.version))


@router.post(
    "/{slug}/revise",
    response={202: FreezeOut, **error_responses(401, 403, 404, 409, 422)},
    summary="Publish a corrected version of a live release (computed by the worker: follow the answer's url)",
)
def release_revise(request: HttpRequest, slug: str, payload: ReviseIn, response: HttpResponse):
    release = selectors.release_get(user=request.user, slug=slug)
    return _queued(response, services.release_revise_request(user=request.user, release=release, note=payload.note, version=payload.version))


@router.get(
    "/{slug}/freezes/{freeze_id}",
    response={200: FreezeOut, **error_responses(401, 403, 404)},
    summary="A freeze or revision the worker computes: its status, progress and the version it made",
)
def release_freeze_get(request: HttpRequest, slug: str, freeze_id: int):
    release = selectors.release_get(user=request.user, slug=slug)
    return _freeze(selectors.release_freeze_get(user=request.user, release=release, pk=freeze_id))


def _consent(row) -> dict:
    return {
        "data_set": row.data_set.code,
        "agency": row.agency.short_name,
        "given": row.given,
        "decided_at": row.latest.decided_at if row.latest else None,
        "decided_by": row.latest.decided_by.get_username() if row.latest and row.latest.decided_by else None,
    }


@router.get("/consents/mine", response={200: list[ConsentOut], **error_responses(401, 403)})
def consent_list(request: HttpRequest):
    return [_consent(row) for row in selectors.consents_for(user=request.user)]


@router.post("/consents/mine/{data_set_code}", response={200: ConsentOut, **error_responses(401, 403, 404, 422)})
def consent_decide(request: HttpRequest, data_set_code: str, payload: ConsentIn):

    services.consent_decide(user=request.user, data_set=data_set_get(user=request.user, code=data_set_code), given=payload.given, note=payload.note)
    return next(_consent(row) for row in selectors.consents_for(user=request.user) if row.data_set.code == data_set_code)
