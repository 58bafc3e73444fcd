"""API endpoints for frameworks (and their files), action plans, activities and progress updates."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from rocc.core.api_fields import IsoDate
from rocc.core.bounds import BoundedInput
from rocc.core.errors import ErrorOut, error_responses
from rocc.measures.models import Indicator
from rocc.measures.selectors import indicator_get
from rocc.strategy.models import Activity, ProgressUpdate
from rocc.strategy.selectors import frameworks as frameworks_selectors
from rocc.strategy.services import frameworks as frameworks_services

router = Router()


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
    due_date: IsoDate
    done_date: IsoDate | None


class ActivityUpdateOut(Schema):
    id: int
    date: IsoDate
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
    progress_updates: list[ActivityUpdateOut]


class UpdateIn(BoundedInput):
    bounded_by = (ProgressUpdate,)
    version: int
    status: str
    narrative: str
    evidence_links: list[str] = []
    date: IsoDate | None = None


def _framework_out(framework) -> FrameworkOut:
    return FrameworkOut(
        code=framework.code,
        name=framework.name,
        jurisdiction=framework.jurisdiction,
        mandate=framework.mandate,
        goal=framework.goal,
        linked_strategies=framework.linked_strategies,
        principles=[PrincipleOut(name=p.name, description=p.description) for p in framework.principles.all()],
        objectives=[ObjectiveOut(link=o.link, statement=o.statement) for o in framework.objectives.all()],
        barriers=[b.text for b in framework.barriers.all()],
        measures=[m.text for m in framework.measures.all()],
        outcomes=[o.text for o in framework.outcomes.all()],
    )


def _plan_out(plan) -> PlanOut:
    return PlanOut(code=plan.code, title=plan.title, year=plan.year, status=plan.status, framework=plan.framework.code, unit=plan.scope_unit.code)


def _activity_values(activity) -> dict:
    return {
        "plan": activity.plan.code,
        "number": activity.number,
        "title": activity.title,
        "description": activity.description,
        "focus_area": activity.priority_action_area.focus_area.kind,
        "priority_action_area": activity.priority_action_area.title,
        "sub_activities": [SubActivityOut(title=s.title, note=s.note) for s in activity.sub_activities.all()],
        "lead_agencies": [a.short_name for a in activity.lead_agencies],
        "support_agencies": [a.short_name for a in activity.support_agencies],
        "all_agencies_lead": activity.all_agencies_lead,
        "all_agencies_support": activity.all_agencies_support,
        "status": activity.status,
        "version": activity.version,
    }


def _update_out(update) -> ActivityUpdateOut:
    return ActivityUpdateOut(
        id=update.pk,
        date=update.date,
        author=update.author.get_username(),
        status=update.status,
        narrative=update.narrative,
        evidence_links=update.evidence_links,
    )


def _activity_detail_out(activity) -> ActivityDetailOut:
    return ActivityDetailOut(
        **_activity_values(activity),
        milestones=[MilestoneOut(id=m.pk, title=m.title, due_date=m.due_date, done_date=m.done_date) for m in activity.milestones.all()],
        progress_updates=[_update_out(u) for u in activity.progress_updates.select_related("author")],
    )


@router.get("/frameworks", response=list[FrameworkSummaryOut], summary="Frameworks")
def frameworks(request: HttpRequest):
    return list(frameworks_selectors.framework_list(user=request.user))


@router.get(
    "/frameworks/{code}",
    response={200: FrameworkOut, **error_responses(404)},
    summary="One framework with its principles, objectives, barriers, measures and outcomes",
)
def framework(request: HttpRequest, code: str):
    return _framework_out(frameworks_selectors.framework_get(user=request.user, code=code))


@router.get("/plans", response=list[PlanOut], summary="Action plans you may read")
def plans(request: HttpRequest):
    return [_plan_out(p) for p in frameworks_selectors.action_plan_list(user=request.user)]


@router.get("/plans/{code}", response={200: PlanOut, **error_responses(404)}, summary="One action plan (404 when outside your scope)")
def plan(request: HttpRequest, code: str):
    return _plan_out(frameworks_selectors.action_plan_get(user=request.user, code=code))


@router.get("/plans/{code}/activities", response={200: list[ActivityOut], **error_responses(404)}, summary="A plan's activities in number order")
def activities(request: HttpRequest, code: str):
    found = frameworks_selectors.action_plan_get(user=request.user, code=code)
    return [ActivityOut(**_activity_values(a)) for a in frameworks_selectors.activity_list(user=request.user, plan=found)]


@router.get(
    "/plans/{code}/activities/{number}",
    response={200: ActivityDetailOut, **error_responses(404)},
    summary="One activity with its milestones and progress updates",
)
def activity(request: HttpRequest, code: str, number: int):
    return _activity_detail_out(frameworks_selectors.activity_get(user=request.user, plan_code=code, number=number))


@router.post(
    "/plans/{code}/activities/{number}/updates",
    response={201: ActivityUpdateOut, **error_responses(403, 404, 409, 422)},
    summary="Record a progress update and set the activity's status",
    description=(
        "Send the activity's `version` as you read it. If someone changed the activity since, nothing is saved and "
        "the answer is 409 saying who changed it and when. 403 when your role may not update this activity; "
        "404 when the plan is outside your scope."
    ),
)
def update_add(request: HttpRequest, code: str, number: int, payload: UpdateIn):
    found = frameworks_selectors.activity_get(user=request.user, plan_code=code, number=number)
    update = frameworks_services.activity_status_update(
        user=request.user,
        activity=found,
        version=payload.version,
        status=payload.status,
        narrative=payload.narrative,
        evidence_links=payload.evidence_links,
        date=payload.date,
    )
    return Status(201, _update_out(update))


class FrameworkFileIn(Schema):
    yaml: str


class ProblemsOut(ErrorOut):
    """A framework file refused: each problem located by line and column."""

    problems: list[str] = []


@router.post(
    "/frameworks",
    response={201: FrameworkSummaryOut, 403: ErrorOut, 422: ProblemsOut},
    summary="Create or update a framework (with its plans) from a framework YAML file",
    description="The body's `yaml` is a file in the format of docs/framework-format.md. Any problem refuses it "
    "with every problem located by line and column (422) and nothing changes.",
)
def framework_import(request: HttpRequest, payload: FrameworkFileIn):
    found = frameworks_services.framework_file_import(user=request.user, text=payload.yaml, source="request")
    return Status(201, FrameworkSummaryOut(code=found.code, name=found.name, jurisdiction=found.jurisdiction))


@router.get(
    "/frameworks/{code}/file",
    response=error_responses(404),
    summary="A framework with the plans you may read, as a framework YAML file",
    openapi_extra={"responses": {200: {"description": "The framework file", "content": {"application/yaml": {"schema": {"type": "object"}}}}}},
)
def framework_file(request: HttpRequest, code: str):

    return HttpResponse(frameworks_selectors.framework_export(user=request.user, code=code), content_type="application/yaml; charset=utf-8")


class ActivityEditIn(BoundedInput):
    bounded_by = (Activity,)
    version: int
    title: str
    description: str


@router.patch(
    "/plans/{code}/activities/{number}",
    response={200: ActivityOut, **error_responses(403, 404, 409, 422)},
    summary="Change an activity's title and description",
    description="Send the `version` you read; 409 when someone changed the activity since.",
)
def activity_edit(request: HttpRequest, code: str, number: int, payload: ActivityEditIn):
    found = frameworks_selectors.activity_get(user=request.user, plan_code=code, number=number)
    frameworks_services.activity_edit(user=request.user, activity=found, version=payload.version, title=payload.title, description=payload.description)
    return ActivityOut(**_activity_values(frameworks_selectors.activity_get(user=request.user, plan_code=code, number=number)))


# --- the action plan in turn-the-curve action plans ---------------------------------------------------------


class CurveActionOut(Schema):
    id: int  # the pick's id (to remove it)
    kind: str  # "activity" or "tasking"
    action_id: int  # the activity's or the tasking's id
    label: str
    url: str
    status: str
    detail: str
    case_label: str
    case_url: str


class CurveActionsOut(Schema):
    indicator: str
    unit: str
    actions: list[CurveActionOut]
    hidden: int  # picks of taskings the user may not see


class CurveActionIn(Schema):
    activity: int | None = None
    tasking: int | None = None


def _curve(request: HttpRequest, indicator: str, unit: str):
    try:
        found = indicator_get(user=request.user, code=indicator)
    except Indicator.DoesNotExist:
        raise Http404(f"No indicator '{indicator}'.") from None
    return found, frameworks_selectors.curve_unit_get(user=request.user, code=unit)


def _curve_out(request: HttpRequest, indicator, unit) -> CurveActionsOut:
    picks = frameworks_selectors.curve_actions_for(user=request.user, indicator=indicator, unit=unit)
    return CurveActionsOut(
        indicator=indicator.code,
        unit=unit.code,
        actions=[
            CurveActionOut(
                id=item.pick_id,
                kind=item.kind,
                action_id=item.pk,
                label=item.label,
                url=item.url,
                status=item.status,
                detail=item.detail,
                case_label=item.case_label,
                case_url=item.case_url,
            )
            for item in picks.items
        ],
        hidden=picks.hidden,
    )


@router.get(
    "/curves/{indicator}/{unit}/actions",
    response={200: CurveActionsOut, **error_responses(403, 404)},
    summary="The activities and taskings a turn-the-curve action plan picks, each with its status",
    description="The curve is an indicator (by code) in a unit of your scope (404 otherwise). Taskings you may not see are counted in `hidden`.",
)
def curve_actions(request: HttpRequest, indicator: str, unit: str):
    return _curve_out(request, *_curve(request, indicator, unit))


@router.post(
    "/curves/{indicator}/{unit}/actions",
    response={201: CurveActionsOut, **error_responses(403, 404, 422)},
    summary="Pick an action-plan activity or a tasking for a turn-the-curve action plan",
    description=(
        "Send `activity` or `tasking` (one id). The same rule as the curve's page: whoever may write this curve's story "
        "picks (403 otherwise), an activity of a plan you read or a tasking you see (422 otherwise). Picking one already "
        "picked changes nothing. Answers the curve's picks."
    ),
)
def curve_action_add(request: HttpRequest, indicator: str, unit: str, payload: CurveActionIn):
    found, place = _curve(request, indicator, unit)
    frameworks_services.curve_action_add(user=request.user, indicator=found, unit=place, activity_id=payload.activity, tasking_id=payload.tasking)
    return Status(201, _curve_out(request, found, place))


@router.delete(
    "/curves/{indicator}/{unit}/actions/{pick}",
    response={204: None, **error_responses(403, 404)},
    summary="Remove a pick from a turn-the-curve action plan",
    description="The same rule as picking (403 otherwise); 404 for a pick not in this curve, or of a tasking you may not see.",
)
def curve_action_remove(request: HttpRequest, indicator: str, unit: str, pick: int):
    found, place = _curve(request, indicator, unit)
    frameworks_services.curve_action_remove(user=request.user, indicator=found, unit=place, pick_id=pick)
    return Status(204, None)
