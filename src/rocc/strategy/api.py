"""API endpoints for frameworks, plans, activities and progress updates."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status

from rocc.strategy import selectors, services

router = Router(tags=["strategy"])




class PrincipleOut(Schema):
    name: str
    description: str


class ObjectiveOut(Schema):
    link: str
    statement: str


class FrameworkSummaryOut(Schema):
    code: str
    name: str
    jurisdiction: str


class FrameworkOut(FrameworkSummaryOut):
    mandate: str
    goal: str
    linked_strategies: list[str]
    principles: list[PrincipleOut]
    objectives: list[ObjectiveOut]
    barriers: list[str]
    measures: list[str]
    outcomes: list[str]


class PlanOut(Schema):
    code: str
    title: str
    year: int
    status: str
    framework: str
    unit: str


class SubActivityOut(Schema):
    title: str
    note: str


class MilestoneOut(Schema):
    id: int
    title: str
    due_date: dt.date
    done_date: dt.date | None


class UpdateOut(Schema):
    id: int
    date: dt.date
    author: str
    status: str
    narrative: str
    evidence_links: list[str]


class ActivityOut(Schema):
    plan: str
    number: int
    title: str
    description: str
    focus_area: str
    priority_action_area: str
    sub_activities: list[SubActivityOut]
    lead_agencies: list[str]
    support_agencies: list[str]
    all_agencies_lead: bool
    all_agencies_support: bool
    status: str
    version: int


class ActivityDetailOut(ActivityOut):
    milestones: list[MilestoneOut]
    progress_updates: list[UpdateOut]


class UpdateIn(Schema):
    version: int
    status: str
    narrative: str
    evidence_links: list[str] = []
    date: dt.date | None = None


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


def _framework_out(framework) -> FrameworkOut:
    return FrameworkOut(
        code=framework.code, name=framework.name, jurisdiction=framework.jurisdiction, mandate=framework.mandate,
        goal=framework.goal, linked_strategies=framework.linked_strategies,
        principles=[PrincipleOut(name=p.name, description=p.description) for p in framework.principles.all()],
        objectives=[ObjectiveOut(link=o.link, statement=o.statement) for o in framework.objectives.all()],
        barriers=[b.text for b in framework.barriers.all()], measures=[m.text for m in framework.measures.all()],
        outcomes=[o.text for o in framework.outcomes.all()],
    )


def _plan_out(plan) -> PlanOut:
    return PlanOut(code=plan.code, title=plan.title, year=plan.year, status=plan.status, framework=plan.framework.code, unit=plan.scope_unit.code)


def _activity_values(activity) -> dict:
    return {
        "plan": activity.plan.code, "number": activity.number, "title": activity.title, "description": activity.description,
        "focus_area": activity.priority_action_area.focus_area.kind, "priority_action_area": activity.priority_action_area.title,
        "sub_activities": [SubActivityOut(title=s.title, note=s.note) for s in activity.sub_activities.all()],
        "lead_agencies": [a.short_name for a in activity.lead_agencies],
        "support_agencies": [a.short_name for a in activity.support_agencies],
        "all_agencies_lead": activity.all_agencies_lead, "all_agencies_support": activity.all_agencies_support,
        "status": activity.status, "version": activity.version,
    }


def _update_out(update) -> UpdateOut:
    return UpdateOut(id=update.pk, date=update.date, author=update.author.get_username(), status=update.status,
                     narrative=update.narrative, evidence_links=update.evidence_links)


def _activity_detail_out(activity) -> ActivityDetailOut:
    return ActivityDetailOut(
        **_activity_values(activity),
        milestones=[MilestoneOut(id=m.pk, title=m.title, due_date=m.due_date, done_date=m.done_date) for m in activity.milestones.all()],
        progress_updates=[_update_out(u) for u in activity.progress_updates.select_related("author")],
    )


@router.get("/frameworks", response=list[FrameworkSummaryOut], summary="Frameworks")
def frameworks(request: HttpRequest):
    return list(selectors.framework_list(user=request.user))


@router.get("/frameworks/{code}", response=FrameworkOut, summary="One framework with its principles, objectives, barriers, measures and outcomes")
def framework(request: HttpRequest, code: str):
    return _framework_out(selectors.framework_get(user=request.user, code=code))


@router.get("/plans", response=list[PlanOut], summary="Action plans you may read")
def plans(request: HttpRequest):
    return [_plan_out(p) for p in selectors.action_plan_list(user=request.user)]


@router.get("/plans/{code}", response=PlanOut, summary="One action plan (404 when outside your scope)")
def plan(request: HttpRequest, code: str):
    return _plan_out(selectors.action_plan_get(user=request.user, code=code))


@router.get("/plans/{code}/activities", response=list[ActivityOut], summary="A plan's activities in number order")
def activities(request: HttpRequest, code: str):
    found = selectors.action_plan_get(user=request.user, code=code)
    return [ActivityOut(**_activity_values(a)) for a in selectors.activity_list(user=request.user, plan=found)]


@router.get("/plans/{code}/activities/{number}", response=ActivityDetailOut, summary="One activity with its milestones and progress updates")
def activity(request: HttpRequest, code: str, number: int):
    return _activity_detail_out(selectors.activity_get(user=request.user, plan_code=code, number=number))


@router.post(
    "/plans/{code}/activities/{number}/updates",
    response={201: UpdateOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Record a progress update and set the activity's status",
    description=(
        "Send the activity's `version` as you read it. If someone changed the activity since, nothing is saved and "
        "the answer is 409 saying who changed it and when. 403 when your role may not update this activity; "
        "404 when the plan is outside your scope."
    ),
)
def update_add(request: HttpRequest, code: str, number: int, payload: UpdateIn):
    found = selectors.activity_get(user=request.user, plan_code=code, number=number)
    try:
        update = services.activity_status_update(
            user=request.user, activity=found, version=payload.version, status=payload.status,
            narrative=payload.narrative, evidence_links=payload.evidence_links, date=payload.date,
        )
    except PermissionDenied as denied:
        return Status(403, ErrorOut(detail=str(denied)))
    except services.ActivityChanged as changed:
        return Status(409, ErrorOut(detail=changed.message))
    except ValidationError as error:
        return Status(422, ErrorOut(detail="The update was not saved.", errors=error.message_dict))
    return Status(201, _update_out(update))
