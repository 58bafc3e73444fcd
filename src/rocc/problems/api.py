"""API endpoints for problem-solving cases: cases, stage moves (advance, back), answers and evidence, the
question bank and the library, with the same rules as the pages."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rocc.core.api_fields import IsoDate, UnitCode
from rocc.core.bounds import BoundedInput
from rocc.core.errors import ErrorOut as BaseErrorOut
from rocc.core.errors import error_responses
from rocc.org.api import unit_named
from rocc.org.models import Agency
from rocc.problems import selectors, services
from rocc.problems.models import STAGE_ORDER, Case, Evidence
from rocc.tasking.selectors import products as products_selectors
from rocc.tasking.selectors import reports as reports_selectors

router = Router(tags=["problems"])


class CaseErrorOut(BaseErrorOut):
    """A stage that cannot be left also lists what it still needs."""

    missing: list[str] | None = None


class EvidenceOut(Schema):
    id: int
    kind: str
    analysis_id: int | None
    indicator_code: str
    title: str
    url: str
    uploaded: bool
    engaged_who: str
    engaged_how: str
    engaged_said: str
    engaged_on: IsoDate | None


class QuestionOut(Schema):
    id: int
    stage: str
    number: int
    text: str
    required: bool
    fact: str


class AnswerOut(QuestionOut):
    answered: bool
    answer: str
    evidence: list[EvidenceOut]


class MoveOut(Schema):
    kind: str
    from_stage: str
    to_stage: str
    reason: str
    by: str
    at: dt.datetime


class CaseSummaryOut(Schema):
    id: int
    title: str
    unit: str
    owner: str
    stage: str
    status: str
    version: int
    harm_or_volume: str
    problem_kind: str
    problem_type: str
    review_due: IsoDate | None
    review_overdue: bool
    updated_at: dt.datetime


class CaseOut(CaseSummaryOut):
    description: str
    source_report: str = Field(description="The reference of the insights report it was opened from ('' if none)")
    source_report_id: int | None
    source_product: str = Field(description="The reference of the insights product it was opened from ('' if none)")
    source_product_id: int | None
    question_bank_version: int
    partner_agencies: list[str]
    partner_others: str
    time_pattern: str
    communities_agree_problem: str
    communities_agree_drivers: str
    objective_police: str
    objective_community: str
    success_looks_like: str
    cultural_impact: str
    review_cycle: str
    resources: str
    community_impact: str
    lessons_learned: str
    what_worked: str
    usable_elsewhere: bool | None
    missing_for_stage: list[str]
    history: list[MoveOut]


class CaseIn(BoundedInput):
    bounded_by = (Case,)
    title: str
    description: str = ""
    unit: UnitCode
    owner: str | None = None


class CasePatch(BoundedInput):
    bounded_by = (Case,)
    version: int
    title: str | None = None
    description: str | None = None
    owner: str | None = None
    partner_agencies: list[str] | None = None
    partner_others: str | None = None
    harm_or_volume: str | None = None
    problem_kind: str | None = None
    problem_type: str | None = None
    time_pattern: str | None = None
    communities_agree_problem: str | None = None
    communities_agree_drivers: str | None = None
    objective_police: str | None = None
    objective_community: str | None = None
    success_looks_like: str | None = None
    cultural_impact: str | None = None
    review_cycle: str | None = None
    resources: str | None = None
    community_impact: str | None = None
    lessons_learned: str | None = None
    what_worked: str | None = None
    usable_elsewhere: bool | None = None
    usable_elsewhere_note: str | None = None


class VersionIn(BoundedInput):
    version: int


class BackIn(VersionIn):
    reason: str = ""


class AnswerIn(VersionIn):
    text: str


class EvidenceIn(BoundedInput):
    bounded_by = (Evidence,)
    kind: str
    analysis_id: int | None = None
    indicator_code: str = ""
    title: str = ""
    url: str = ""
    engaged_who: str = ""
    engaged_how: str = ""
    engaged_said: str = ""
    engaged_on: IsoDate | None = None


def _who(user) -> str:
    return user.get_username() if user else ""


def _summary(case: Case, flags=None) -> dict:
    flags = flags or selectors.case_flags([case])[0]
    return {
        "id": case.pk,
        "title": case.title,
        "unit": case.scope_unit.code,
        "owner": _who(case.owner),
        "stage": case.stage,
        "status": case.status,
        "version": case.version,
        "harm_or_volume": case.harm_or_volume,
        "problem_kind": case.problem_kind,
        "problem_type": case.problem_type,
        "review_due": flags.review_due,
        "review_overdue": flags.review_overdue,
        "updated_at": case.updated_at,
    }


def _case_out(case: Case) -> CaseOut:
    case = Case.objects.select_related("scope_unit", "owner", "question_bank").get(pk=case.pk)
    return CaseOut(
        **_summary(case),
        description=case.description,
        source_report=case.source_report.reference if case.source_report else "",
        source_report_id=case.source_report_id,
        source_product=case.source_product.reference if case.source_product else "",
        source_product_id=case.source_product_id,
        question_bank_version=case.question_bank.version,
        partner_agencies=[a.short_name for a in case.partner_agencies.all()],
        partner_others=case.partner_others,
        time_pattern=case.time_pattern,
        communities_agree_problem=case.communities_agree_problem,
        communities_agree_drivers=case.communities_agree_drivers,
        objective_police=case.objective_police,
        objective_community=case.objective_community,
        success_looks_like=case.success_looks_like,
        cultural_impact=case.cultural_impact,
        review_cycle=case.review_cycle,
        resources=case.resources,
        community_impact=case.community_impact,
        lessons_learned=case.lessons_learned,
        what_worked=case.what_worked,
        usable_elsewhere=case.usable_elsewhere,
        missing_for_stage=[] if case.is_closed else selectors.stage_missing(case),
        history=[
            MoveOut(kind=m.kind, from_stage=m.from_stage, to_stage=m.to_stage, reason=m.reason, by=_who(m.moved_by), at=m.moved_at)
            for m in case.moves.select_related("moved_by")
        ],
    )


def _evidence_out(e) -> EvidenceOut:
    return EvidenceOut(
        id=e.pk,
        kind=e.kind,
        analysis_id=e.analysis_id,
        indicator_code=e.indicator_code,
        title=e.title,
        url=e.url,
        uploaded=bool(e.file_path),
        engaged_who=e.engaged_who,
        engaged_how=e.engaged_how,
        engaged_said=e.engaged_said,
        engaged_on=e.engaged_on,
    )


RESPONSES = {200: CaseOut, **error_responses(403, 404, 409, 422, schema=CaseErrorOut)}


def _user(username: str | None, field: str):
    if username is None:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationError({field: f"There is no user '{username}'."})
    return user


@router.get("/cases", response=list[CaseSummaryOut], summary="Cases you may see (open ones unless closed=true)")
def cases(request: HttpRequest, owner: str | None = None, harm: str = "", overdue: bool = False, closed: bool = False):
    owner_user = get_user_model().objects.filter(username=owner).first() if owner else None
    if owner and owner_user is None:
        return []
    board = selectors.case_board(user=request.user, owner=owner_user.pk if owner_user else None, harm=harm, overdue=overdue, include_closed=closed)
    return [CaseSummaryOut(**_summary(item.case, item)) for item in board.cases]


@router.post(
    "/cases",
    response={201: CaseOut, **error_responses(403, 422, schema=CaseErrorOut)},
    summary="Open a case at Problem scan",
    description="`unit` is an organisational unit's code or name; `owner` a user name (yourself when left out).",
)
def case_create(request: HttpRequest, payload: CaseIn):
    unit = unit_named(payload.unit)
    owner = _user(payload.owner, "owner") if payload.owner else request.user
    case = services.case_open(actor=request.user, title=payload.title, description=payload.description, scope_unit=unit, owner=owner)
    return Status(201, _case_out(case))


class CaseFromInsightsIn(BoundedInput):
    report_id: int | None = Field(None, description="The OCCC insights report to open the case from")
    product_id: int | None = Field(None, description="Or the insights product to open it from")
    owner: str | None = Field(None, description="A user name (yourself when left out)")


@router.post(
    "/cases/from-insights",
    response={201: CaseOut, **error_responses(403, 404, 422, schema=CaseErrorOut)},
    summary="Open a case from an insights report or product, inheriting its saved analyses as evidence and its targets",
)
def case_create_from_insights(request: HttpRequest, payload: CaseFromInsightsIn):
    report = reports_selectors.report_get(user=request.user, pk=payload.report_id) if payload.report_id else None
    product = products_selectors.product_get(user=request.user, pk=payload.product_id) if payload.product_id else None
    owner = _user(payload.owner, "owner") if payload.owner else request.user
    return Status(201, _case_out(services.case_open_from(actor=request.user, report=report, product=product, owner=owner)))


@router.get(
    "/cases/{case_id}",
    response={200: CaseOut, **error_responses(404, schema=CaseErrorOut)},
    summary="One case with its facts, what its stage still needs, and its history",
)
def case_detail(request: HttpRequest, case_id: int):
    return _case_out(selectors.case_get(user=request.user, pk=case_id))


@router.patch(
    "/cases/{case_id}",
    response=RESPONSES,
    summary="Change a case's fields",
    description="Send the `version` you read. 409 when someone changed the case since, or when it is closed.",
)
def case_patch(request: HttpRequest, case_id: int, payload: CasePatch):
    case = selectors.case_get(user=request.user, pk=case_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "owner" in changes:
        changes["owner"] = _user(changes["owner"], "owner")
    if "partner_agencies" in changes:
        names = changes["partner_agencies"] or []
        found = {a.short_name: a for a in Agency.objects.filter(short_name__in=names)}
        unknown = [n for n in names if n not in found]
        if unknown:
            raise ValidationError({"partner_agencies": [f"There is no agency '{n}'." for n in unknown]})
        changes["partner_agencies"] = [found[n] for n in names]
    case = services.case_update(actor=request.user, case=case, version=version, **changes)
    return _case_out(case)


@router.post(
    "/cases/{case_id}/advance",
    response=RESPONSES,
    summary="Advance the case a stage (or close it after Assess)",
    description="422 with `missing` listing each required answer still missing; 409 when the version is stale or the case is closed.",
)
def case_advance(request: HttpRequest, case_id: int, payload: VersionIn):
    case = selectors.case_get(user=request.user, pk=case_id)
    case = services.case_advance(actor=request.user, case=case, version=payload.version)
    return _case_out(case)


@router.post("/cases/{case_id}/back", response=RESPONSES, summary="Send the case back a stage, with a reason")
def case_back(request: HttpRequest, case_id: int, payload: BackIn):
    case = selectors.case_get(user=request.user, pk=case_id)
    case = services.case_back(actor=request.user, case=case, version=payload.version, reason=payload.reason)
    return _case_out(case)


@router.get(
    "/cases/{case_id}/answers",
    response={200: list[AnswerOut], **error_responses(404, schema=CaseErrorOut)},
    summary="The case's questions (its bank version) with answers and evidence",
)
def answers(request: HttpRequest, case_id: int, stage: str | None = None):
    case = selectors.case_get(user=request.user, pk=case_id)
    stages = [stage] if stage else [s for s in STAGE_ORDER]
    out = []
    for value in stages:
        if value not in STAGE_ORDER:
            continue
        for view in selectors.case_questions(case, value, user=request.user):
            out.append(
                AnswerOut(
                    id=view.question.pk,
                    stage=value,
                    number=view.number,
                    text=view.question.text,
                    required=view.question.required,
                    fact=view.question.fact,
                    answered=view.answered,
                    answer=view.answer.text if view.answer else "",
                    evidence=[_evidence_out(e) for e in view.evidence],
                )
            )
    return out


@router.put("/cases/{case_id}/answers/{question_id}", response=RESPONSES, summary="Answer one question (an empty text removes the answer)")
def answer_put(request: HttpRequest, case_id: int, question_id: int, payload: AnswerIn):
    case = selectors.case_get(user=request.user, pk=case_id)
    question = case.question_bank.questions.filter(pk=question_id).first()
    if question is None:
        raise ValidationError({"question": f"Question {question_id} is not in this case's question bank (version {case.question_bank.version})."})
    services.answer_save(actor=request.user, case=case, question=question, text=payload.text, version=payload.version)
    return _case_out(case)


@router.post(
    "/cases/{case_id}/answers/{question_id}/evidence",
    response={201: EvidenceOut, **error_responses(403, 404, 409, 422, schema=CaseErrorOut)},
    summary="Add evidence to an answer: a saved analysis, an indicator, a document's web address or a community engagement",
)
def evidence_post(request: HttpRequest, case_id: int, question_id: int, payload: EvidenceIn):
    case = selectors.case_get(user=request.user, pk=case_id)
    question = case.question_bank.questions.filter(pk=question_id).first()
    data = payload.dict()
    analysis_id = data.pop("analysis_id")
    if question is None:
        raise ValidationError({"question": f"Question {question_id} is not in this case's question bank."})
    analysis = selectors.saved_analyses_for(user=request.user).filter(pk=analysis_id).first() if analysis_id else None
    evidence = services.evidence_add(actor=request.user, case=case, question=question, analysis=analysis, **data)
    return Status(201, _evidence_out(evidence))


@router.get("/questions", response={200: list[QuestionOut], **error_responses(403, schema=CaseErrorOut)}, summary="The current question bank")
def questions(request: HttpRequest):
    if not request.user.has_perm("org.view_reference"):
        raise PermissionDenied
    bank = services.question_bank_current()
    out, counters = [], {}
    for q in bank.questions.order_by("order"):
        counters[q.stage] = counters.get(q.stage, 0) + 1
        out.append(QuestionOut(id=q.pk, stage=q.stage, number=counters[q.stage], text=q.text, required=q.required, fact=q.fact))
    return out


@router.get("/library", response=list[CaseSummaryOut], summary="Closed cases: what worked, where, for what problem (search with or without macrons)")
def library(request: HttpRequest, q: str = ""):
    return [CaseSummaryOut(**_summary(case)) for case in selectors.case_library(user=request.user, query=q)]
