"""API endpoints of risk prioritisation: the methodology's versions, the rankings, and scoring a report, case or target."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from rocc.core.bounds import BoundedInput
from rocc.core.errors import InvalidInput, error_responses
from rocc.tasking.api.common import subject_named
from rocc.tasking.selectors import risk as risk_selectors
from rocc.tasking.services import risk as risk_services

router = Router()


class ScoreOut(Schema):
    id: int
    subject_type: str
    subject_id: int
    methodology: str
    methodology_version: int
    ratings: dict[str, int]
    score: float
    is_current: bool
    scored_by: str
    scored_at: dt.datetime


class DimensionOut(Schema):
    code: str
    name: str
    question: str
    role: str
    scale_min: int
    scale_max: int
    weight: float
    levels: list[dict]


class MethodologyOut(Schema):
    code: str
    version: int
    name: str
    description: str
    modifier_floor: float
    is_current: bool
    note: str
    dimensions: list[DimensionOut]


class ScoreIn(BoundedInput):
    subject_type: Literal["report", "case", "target"]
    subject_id: int
    ratings: dict[str, int | float | str | None]
    rationale: str = ""


class RankedOut(Schema):
    rank: int
    kind: str
    subject_id: int
    title: str
    score: float
    methodology_version: int


def score_out(s) -> ScoreOut:
    kind = "report" if s.report_id else "case" if s.case_id else "target"
    return ScoreOut(
        id=s.pk,
        subject_type=kind,
        subject_id=s.report_id or s.case_id or s.target_id,
        methodology=s.methodology.code,
        methodology_version=s.methodology.version,
        ratings=s.ratings,
        score=float(s.score),
        is_current=s.is_current,
        scored_by=s.scored_by.get_username(),
        scored_at=s.scored_at,
    )


def ranked_out(item) -> RankedOut:
    subject = item.subject
    title = subject.title if hasattr(subject, "title") else str(subject)
    return RankedOut(
        rank=item.rank, kind=item.kind, subject_id=subject.pk, title=title, score=float(item.score.score), methodology_version=item.score.methodology.version
    )


def methodology_out(m) -> MethodologyOut:
    return MethodologyOut(
        code=m.code,
        version=m.version,
        name=m.name,
        description=m.description,
        modifier_floor=float(m.modifier_floor),
        is_current=m.is_current,
        note=m.note,
        dimensions=[
            DimensionOut(
                code=d.code,
                name=d.name,
                question=d.question,
                role=d.role,
                scale_min=d.scale_min,
                scale_max=d.scale_max,
                weight=float(d.weight),
                levels=d.levels,
            )
            for d in m.dimensions.all()
        ],
    )


@router.get("/methodologies", response=list[MethodologyOut], summary="Every version of the risk methodology, the current one first")
def methodologies(request: HttpRequest):
    if not request.user.has_perm("tasking.view_tasking"):
        return []
    return [methodology_out(m) for m in risk_selectors.methodology_list()]


@router.get("/rankings", response=list[RankedOut], summary="Reports, cases and targets you may see, ranked by current score")
def rankings(request: HttpRequest, kind: Literal["report", "case", "target"] | None = None, limit: int = Query(50, ge=1, le=1000)):
    return [ranked_out(item) for item in risk_selectors.rankings(user=request.user, kind=kind, limit=limit)]


@router.post(
    "/scores",
    response={201: ScoreOut, **error_responses(403, 404, 422)},
    summary="Score a report, case or target under the current methodology",
    description="`subject_type` is `report`, `case` or `target`; 404 when no such record is one you may see. Every "
    "dimension is rated on its scale; a rating outside its scale is refused (422) naming the dimension and its scale, "
    "and nothing is saved.",
)
def score_add(request: HttpRequest, payload: ScoreIn):
    if payload.subject_type not in {"report", "case", "target"}:
        raise InvalidInput("The score was not saved.", field_errors={"subject_type": ["Score a report, a case or a target."]})
    subject = subject_named(request.user, payload.subject_type, payload.subject_id)
    score = risk_services.risk_score_record(actor=request.user, subject=subject, ratings=payload.ratings, rationale=payload.rationale)
    return Status(201, score_out(score))
