"""API endpoints for frameworks (and their files), action plans, activities and progress updates, and co-designed district plans with their steps."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from rocc.core.errors import ErrorOut, InvalidInput, error_responses
from rocc.org.api import unit_named
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


def _update_out(update) -> UpdateOut:
    return UpdateOut(
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
    return list(selectors.framework_list(user=request.user))


@router.get(
    "/frameworks/{code}",
    response={200: FrameworkOut, **error_responses(404)},
    summary="One framework with its principles, objectives, barriers, measures and outcomes",
)
def framework(request: HttpRequest, code: str):
    return _framework_out(selectors.framework_get(user=request.user, code=code))


@router.get("/plans", response=list[PlanOut], summary="Action plans you may read")
def plans(request: HttpRequest):
    return [_plan_out(p) for p in selectors.action_plan_list(user=request.user)]


@router.get("/plans/{code}", response={200: PlanOut, **error_responses(404)}, summary="One action plan (404 when outside your scope)")
def plan(request: HttpRequest, code: str):
    return _plan_out(selectors.action_plan_get(user=request.user, code=code))


@router.get("/plans/{code}/activities", response={200: list[ActivityOut], **error_responses(404)}, summary="A plan's activities in number order")
def activities(request: HttpRequest, code: str):
    found = selectors.action_plan_get(user=request.user, code=code)
    return [ActivityOut(**_activity_values(a)) for a in selectors.activity_list(user=request.user, plan=found)]


@router.get(
    "/plans/{code}/activities/{number}",
    response={200: ActivityDetailOut, **error_responses(404)},
    summary="One activity with its milestones and progress updates",
)
def activity(request: HttpRequest, code: str, number: int):
    return _activity_detail_out(selectors.activity_get(user=request.user, plan_code=code, number=number))


@router.post(
    "/plans/{code}/activities/{number}/updates",
    response={201: UpdateOut, **error_responses(403, 404, 409, 422)},
    summary="Record a progress update and set the activity's status",
    description=(
        "Send the activity's `version` as you read it. If someone changed the activity since, nothing is saved and "
        "the answer is 409 saying who changed it and when. 403 when your role may not update this activity; "
        "404 when the plan is outside your scope."
    ),
)
def update_add(request: HttpRequest, code: str, number: int, payload: UpdateIn):
    found = selectors.activity_get(user=request.user, plan_code=code, number=number)
    update = services.activity_status_update(
        user=request.user,
        activity=found,
        version=payload.version,
        status=payload.status,
        narrative=payload.narrative,
        evidence_links=payload.evidence_links,
        date=payload.date,
    )
    return Status(201, _update_out(update))


# --- Frameworks as files, activity edits -----------------------------------------------------------------------


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
    found = services.framework_file_import(user=request.user, text=payload.yaml, source="request")
    return Status(201, FrameworkSummaryOut(code=found.code, name=found.name, jurisdiction=found.jurisdiction))


@router.get("/frameworks/{code}/file", response={200: str, **error_responses(404)}, summary="A framework with the plans you may read, as a framework YAML file")
def framework_file(request: HttpRequest, code: str):
    from django.http import HttpResponse

    return HttpResponse(selectors.framework_export(user=request.user, code=code), content_type="application/yaml; charset=utf-8")


class ActivityEditIn(Schema):
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
    found = selectors.activity_get(user=request.user, plan_code=code, number=number)
    services.activity_edit(user=request.user, activity=found, version=payload.version, title=payload.title, description=payload.description)
    return ActivityOut(**_activity_values(selectors.activity_get(user=request.user, plan_code=code, number=number)))


# --- Co-designed district plans ------------------------------------------------------------------------------------


class DistrictPlanSummaryOut(Schema):
    code: str
    title: str
    unit: str
    framework: str
    is_example: bool
    working_version: int
    working_status: str
    current_version: int | None


class VersionOut(Schema):
    number: int
    status: str
    agreed_by: str | None
    agreed_at: dt.datetime | None
    created_at: dt.datetime


class BoxOut(Schema):
    key: str
    kind: str
    text: str
    owner: str
    timeframe: str
    leads_to: list[str]
    activities: list[str]


class MonitoringOut(Schema):
    order: int
    outcome: str
    indicator_code: str
    indicator_name: str
    baseline: str
    data_source: str
    responsible_agency: str | None
    responsibility: str


class GapOut(Schema):
    step: int
    message: str
    blocking: bool


class PlanVersionOut(Schema):
    plan: str
    title: str
    is_example: bool
    number: int
    status: str
    agreed_by: str | None
    agreed_at: dt.datetime | None
    focus_areas: list[str]
    conditions: list[str]
    answers: dict[str, str]
    logic_model: list[BoxOut]
    monitoring: list[MonitoringOut]
    gaps: list[GapOut]


def _district_summary(request, plan) -> DistrictPlanSummaryOut:
    working = selectors.plan_version_get(user=request.user, plan=plan)
    current = selectors.plan_current_version(user=request.user, plan=plan)
    return DistrictPlanSummaryOut(
        code=plan.code,
        title=plan.title,
        unit=plan.scope_unit.code,
        framework=plan.framework.code,
        is_example=plan.is_example,
        working_version=working.number,
        working_status=working.status,
        current_version=current.number if current else None,
    )


def _version_out(plan, version) -> PlanVersionOut:
    from rocc.strategy.codesign import version_gaps

    elements = list(version.elements.prefetch_related("leads_to", "activities__plan"))
    return PlanVersionOut(
        plan=plan.code,
        title=plan.title,
        is_example=plan.is_example,
        number=version.number,
        status=version.status,
        agreed_by=version.agreed_by.get_username() if version.agreed_by else None,
        agreed_at=version.agreed_at,
        focus_areas=[p.text for p in version.focus_areas.all()],
        conditions=[p.text for p in version.conditions.all()],
        answers={a.question: a.text for a in version.answers.all()},
        logic_model=[
            BoxOut(
                key=e.key,
                kind=e.kind,
                text=e.text,
                owner=e.owner,
                timeframe=e.timeframe,
                leads_to=[t.key for t in e.leads_to.all()],
                activities=[f"{a.plan.code}/{a.number}" for a in e.activities.all()],
            )
            for e in elements
        ],
        monitoring=[
            MonitoringOut(
                order=r.order,
                outcome=r.outcome.key,
                indicator_code=r.indicator_code,
                indicator_name=r.indicator_name,
                baseline=r.baseline,
                data_source=r.data_source,
                responsible_agency=r.responsible_agency.short_name if r.responsible_agency else None,
                responsibility=r.responsibility,
            )
            for r in version.monitoring.select_related("outcome", "responsible_agency")
        ],
        gaps=[GapOut(step=g.step, message=g.message, blocking=g.blocking) for g in version_gaps(version)],
    )


def _written(request, code: str, write):
    """Run one write on a district plan and answer with its working version."""
    found = selectors.district_plan_get(user=request.user, code=code)
    write(found)
    found.refresh_from_db()
    return Status(200, _version_out(found, selectors.plan_version_get(user=request.user, plan=found)))


WRITE = {200: PlanVersionOut, 201: PlanVersionOut, **error_responses(403, 404, 422)}


@router.get("/district-plans", response=list[DistrictPlanSummaryOut], summary="Co-designed district and area plans you may read")
def district_plans(request: HttpRequest):
    return [_district_summary(request, p) for p in selectors.district_plan_list(user=request.user)]


class DistrictPlanIn(Schema):
    unit: str
    title: str
    code: str = ""
    framework: str = "rocc"


@router.post("/district-plans", response={201: PlanVersionOut, **error_responses(403, 422)}, summary="Start a district or area plan (an empty draft version 1)")
def district_plan_create(request: HttpRequest, payload: DistrictPlanIn):
    from rocc.strategy import services_plans

    unit = unit_named(payload.unit)
    framework = selectors.framework_list(user=request.user).filter(code=payload.framework).first()
    if framework is None:
        raise InvalidInput(field_errors={"framework": [f"No framework with code {payload.framework!r}."]})
    plan = services_plans.district_plan_create(user=request.user, framework=framework, unit=unit, title=payload.title, code=payload.code)
    return Status(201, _version_out(plan, plan.versions.get()))


@router.get(
    "/district-plans/{code}",
    response={200: PlanVersionOut, **error_responses(404)},
    summary="A plan's working version (its draft, else its latest) with its four steps and gaps",
)
def district_plan(request: HttpRequest, code: str):
    found = selectors.district_plan_get(user=request.user, code=code)
    return _version_out(found, selectors.plan_version_get(user=request.user, plan=found))


@router.get("/district-plans/{code}/versions", response={200: list[VersionOut], **error_responses(404)}, summary="Every version of a plan")
def district_plan_versions(request: HttpRequest, code: str):
    found = selectors.district_plan_get(user=request.user, code=code)
    return [
        VersionOut(
            number=v.number, status=v.status, agreed_by=v.agreed_by.get_username() if v.agreed_by else None, agreed_at=v.agreed_at, created_at=v.created_at
        )
        for v in selectors.plan_versions(user=request.user, plan=found)
    ]


@router.get("/district-plans/{code}/versions/{number}", response={200: PlanVersionOut, **error_responses(404)}, summary="One version of a plan")
def district_plan_version(request: HttpRequest, code: str, number: int):
    found = selectors.district_plan_get(user=request.user, code=code)
    return _version_out(found, selectors.plan_version_get(user=request.user, plan=found, number=number))


class PartIn(Schema):
    text: str


@router.post("/district-plans/{code}/focus-areas", response=WRITE, summary="Step 1: add a focus area (an agreed version gets a new draft)")
def focus_area_add(request: HttpRequest, code: str, payload: PartIn):
    from rocc.strategy import services_plans

    return _written(request, code, lambda p: services_plans.plan_part_add(user=request.user, plan=p, part="focus_areas", text=payload.text))


@router.post("/district-plans/{code}/conditions", response=WRITE, summary="Step 2: add a condition for success")
def condition_add(request: HttpRequest, code: str, payload: PartIn):
    from rocc.strategy import services_plans

    return _written(request, code, lambda p: services_plans.plan_part_add(user=request.user, plan=p, part="conditions", text=payload.text))


class AnswersIn(Schema):
    answers: dict[str, str]


@router.put("/district-plans/{code}/answers", response=WRITE, summary="Steps 3 and 4: answer the framework's questions (by question code)")
def answers_set(request: HttpRequest, code: str, payload: AnswersIn):
    from rocc.strategy import services_plans

    def write(p):
        for question, text in payload.answers.items():
            services_plans.plan_answer_set(user=request.user, plan=p, question=question, text=text)

    return _written(request, code, write)


class PriorityActionIn(Schema):
    activity: str
    output: str = ""
    outcome: str = ""
    impact: str = ""
    owner: str = ""
    timeframe: str = ""


@router.post("/district-plans/{code}/priority-actions", response=WRITE, summary="Step 3: add a chain Activity → Output → Outcome → Impact")
def priority_action_add(request: HttpRequest, code: str, payload: PriorityActionIn):
    from rocc.strategy import services_plans

    return _written(request, code, lambda p: services_plans.priority_action_add(user=request.user, plan=p, **payload.model_dump()))


class RemovalBoxOut(Schema):
    key: str
    kind: str
    text: str
    used_by: list[str] = []


class RemovalOut(Schema):
    """What removing a priority action takes: send ``fingerprint`` back as ``seen`` to remove exactly this."""

    version: int
    removed: list[RemovalBoxOut]
    kept: list[RemovalBoxOut]
    monitoring: list[str]
    fingerprint: str


@router.get(
    "/district-plans/{code}/priority-actions/{key}/removal",
    response={200: RemovalOut, **error_responses(404)},
    summary="Step 3: what removing a priority action would remove and what it would keep (nothing changes)",
)
def priority_action_removal(request: HttpRequest, code: str, key: str):
    from rocc.strategy.codesign import chain_removal

    found = selectors.district_plan_get(user=request.user, code=code)
    version = selectors.plan_version_get(user=request.user, plan=found)
    action = version.elements.filter(key=key, kind="activity").first()
    if action is None:
        return Status(404, ErrorOut(detail=f"No priority action of this plan has the key '{key}'."))
    removal = chain_removal(version, action)
    return RemovalOut(
        version=version.number,
        fingerprint=removal.fingerprint,
        removed=[RemovalBoxOut(key=e.key, kind=e.kind, text=e.text) for e in removal.removed],
        kept=[RemovalBoxOut(key=e.key, kind=e.kind, text=e.text, used_by=[u.key for u in users]) for e, users in removal.kept],
        monitoring=[f"{r.outcome.key}: {r.indicator_name or r.indicator_code}" for r in removal.monitoring],
    )


@router.delete(
    "/district-plans/{code}/priority-actions/{key}",
    response=WRITE,
    summary="Step 3: remove a priority action and every box no other priority action uses",
    description="Pass `seen` (the `fingerprint` of the removal you were shown) to be refused with 422, and nothing "
    "removed, if the plan has changed so that the removal would now take something else.",
)
def priority_action_remove(request: HttpRequest, code: str, key: str, seen: str | None = None):
    from rocc.strategy import services_plans

    return _written(request, code, lambda p: services_plans.priority_action_remove(user=request.user, plan=p, key=key, seen=seen))


@router.delete(
    "/district-plans/{code}/boxes/{key}", response=WRITE, summary="Step 3: remove a box that is on no chain (a box on a chain goes with its priority action)"
)
def box_remove(request: HttpRequest, code: str, key: str):
    from rocc.strategy import services_plans

    return _written(request, code, lambda p: services_plans.chain_element_remove(user=request.user, plan=p, key=key))


class BoxIn(Schema):
    kind: str
    text: str
    key: str = ""
    leads_to: list[str] = []
    led_from: list[str] = []
    owner: str = ""
    timeframe: str = ""


@router.post("/district-plans/{code}/boxes", response=WRITE, summary="Step 3: add one box to the logic model, linked by key")
def box_add(request: HttpRequest, code: str, payload: BoxIn):
    from rocc.strategy import services_plans

    return _written(request, code, lambda p: services_plans.chain_element_add(user=request.user, plan=p, **payload.model_dump()))


class MonitoringIn(Schema):
    outcome: str
    indicator_name: str
    indicator_code: str = ""
    baseline: str = ""
    data_source: str = ""
    responsible_agency: str = ""
    responsibility: str = ""


@router.post("/district-plans/{code}/monitoring", response=WRITE, summary="Step 4: say how an outcome is monitored")
def monitoring_add(request: HttpRequest, code: str, payload: MonitoringIn):
    from rocc.org.services import agency_resolve
    from rocc.strategy import services_plans

    def write(p):
        agency = None
        if payload.responsible_agency:
            try:
                agency = agency_resolve(payload.responsible_agency)
            except ValidationError:
                raise ValidationError({"responsible_agency": f"No agency is called '{payload.responsible_agency}'."}) from None
        services_plans.monitoring_row_add(
            user=request.user,
            plan=p,
            outcome_key=payload.outcome,
            indicator_name=payload.indicator_name,
            indicator_code=payload.indicator_code,
            baseline=payload.baseline,
            data_source=payload.data_source,
            responsible_agency=agency,
            responsibility=payload.responsibility,
        )

    return _written(request, code, write)


@router.post(
    "/district-plans/{code}/{move}",
    response=WRITE,
    summary="Move the plan on: agree, activate, review, draft or discard",
    description="`agree` is refused with 422 listing every gap while any remain; `draft` opens a new draft of an agreed plan.",
)
def district_plan_move(request: HttpRequest, code: str, move: str):
    from rocc.strategy import services_plans

    moves = services_plans.PLAN_MOVE_SERVICES
    if move not in moves:
        raise InvalidInput(f"Unknown move '{move}'; use one of: {', '.join(moves)}.")
    return _written(request, code, lambda p: moves[move](user=request.user, plan=p))


@router.get("/indicators/{indicator_code}/links", response=list[dict], summary="The outcomes of co-designed plans that use an indicator code")
def indicator_links(request: HttpRequest, indicator_code: str):
    return selectors.indicator_links(user=request.user, indicator_code=indicator_code)


# --- Barrier escalation register and initiative stocktake ------------------------------------------------------------


class BarrierOut(Schema):
    id: int
    unit: str
    plan: str | None
    framework_barrier: str | None
    title: str
    description: str
    severity: int
    status: str
    raised_by: str
    raised_at: dt.datetime
    escalated_at: dt.datetime | None
    response: str
    responded_at: dt.datetime | None
    closed_at: dt.datetime | None


class BarrierIn(Schema):
    unit: str
    severity: int
    description: str
    title: str = ""
    framework_barrier: int | None = None  # the order of one of the framework's common systemic barriers
    framework: str = "rocc"
    plan: str | None = None  # a district plan's code


class BarrierMoveIn(Schema):
    response: str = ""


def _barrier_out(barrier) -> BarrierOut:
    return BarrierOut(
        id=barrier.pk,
        unit=barrier.unit.code,
        plan=barrier.plan.code if barrier.plan else None,
        framework_barrier=barrier.framework_barrier.text if barrier.framework_barrier else None,
        title=barrier.title,
        description=barrier.description,
        severity=barrier.severity,
        status=barrier.status,
        raised_by=barrier.raised_by.username,
        raised_at=barrier.raised_at,
        escalated_at=barrier.escalated_at,
        response=barrier.response,
        responded_at=barrier.responded_at,
        closed_at=barrier.closed_at,
    )


@router.get("/barriers", response=list[BarrierOut], summary="Escalated barriers you may read (filter by status)")
def barriers(request: HttpRequest, status: str | None = None, q: str = ""):
    return [_barrier_out(b) for b in selectors.barrier_list(user=request.user, status=status, query=q)]


@router.get("/barriers/{pk}", response={200: BarrierOut, **error_responses(404)})
def barrier(request: HttpRequest, pk: int):
    return _barrier_out(selectors.barrier_get(user=request.user, pk=pk))


@router.post(
    "/barriers",
    response={201: BarrierOut, **error_responses(403, 422)},
    summary="A region raises a barrier: one of the framework's common systemic barriers, or a new one",
)
def barrier_raise(request: HttpRequest, payload: BarrierIn):
    from rocc.strategy import services_register
    from rocc.strategy.models import SystemicBarrier

    unit = unit_named(payload.unit)
    framework_barrier = None
    if payload.framework_barrier is not None:
        framework_barrier = SystemicBarrier.objects.filter(framework__code=payload.framework, order=payload.framework_barrier).first()
        if framework_barrier is None:
            raise InvalidInput(field_errors={"framework_barrier": [f"The framework '{payload.framework}' has no barrier {payload.framework_barrier}."]})
    plan = None
    if payload.plan:
        try:
            plan = selectors.district_plan_get(user=request.user, code=payload.plan)
        except Http404:
            raise InvalidInput(field_errors={"plan": [f"No district plan '{payload.plan}' that you may read."]}) from None
    barrier = services_register.barrier_raise(
        user=request.user,
        unit=unit,
        severity=payload.severity,
        description=payload.description,
        title=payload.title,
        framework_barrier=framework_barrier,
        plan=plan,
    )
    return Status(201, _barrier_out(barrier))


@router.post(
    "/barriers/{pk}/{move}",
    response={200: BarrierOut, **error_responses(403, 404, 422)},
    summary="Move a barrier on: escalate (the region), respond (the centre, with a response) or close (the centre)",
)
def barrier_move(request: HttpRequest, pk: int, move: str, payload: BarrierMoveIn):
    from rocc.strategy import services_register

    found = selectors.barrier_get(user=request.user, pk=pk)
    moves = {
        "escalate": lambda: services_register.barrier_escalate(user=request.user, barrier=found),
        "respond": lambda: services_register.barrier_respond(user=request.user, barrier=found, response=payload.response),
        "close": lambda: services_register.barrier_close(user=request.user, barrier=found),
    }
    if move not in moves:
        raise InvalidInput(f"Unknown move '{move}'; use one of: {', '.join(moves)}.")
    return _barrier_out(moves[move]())


class InitiativeOut(Schema):
    id: int
    name: str
    description: str
    provider: str
    unit: str
    focus_area: str
    funding_amount: float | None
    funding_source: str
    start_date: dt.date | None
    end_date: dt.date | None
    evidence: str
    evidence_links: list[str]


class InitiativeIn(Schema):
    name: str
    provider: str
    unit: str
    focus_area: str
    description: str = ""
    funding_amount: float | None = None
    funding_source: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    evidence: str = ""
    evidence_links: list[str] = []


class GapMatrixOut(Schema):
    as_at: dt.date | None
    districts: list[str]
    rows: dict[str, list[int]]
    empty_cells: int


def _initiative_out(initiative) -> InitiativeOut:
    return InitiativeOut(
        id=initiative.pk,
        name=initiative.name,
        description=initiative.description,
        provider=initiative.provider,
        unit=initiative.unit.code,
        focus_area=initiative.focus_area,
        funding_amount=float(initiative.funding_amount) if initiative.funding_amount is not None else None,
        funding_source=initiative.funding_source,
        start_date=initiative.start_date,
        end_date=initiative.end_date,
        evidence=initiative.evidence,
        evidence_links=list(initiative.evidence_links or []),
    )


@router.get("/initiatives", response=list[InitiativeOut], summary="The initiative stocktake (filter by focus area or unit)")
def initiatives(request: HttpRequest, q: str = "", focus_area: str = "", unit: str = ""):
    return [_initiative_out(i) for i in selectors.initiative_list(user=request.user, query=q, focus_area=focus_area, unit_code=unit)]


@router.get("/initiatives/gaps", response=GapMatrixOut, summary="Initiatives counted by focus area × district: where nothing is happening")
def initiative_gaps(request: HttpRequest, as_at: dt.date | None = None):
    matrix = selectors.initiative_gap_matrix(user=request.user, as_at=as_at)
    return GapMatrixOut(
        as_at=matrix.as_at,
        districts=[u.code for u in matrix.districts],
        rows={kind: [count for _, count in cells] for kind, _, cells in matrix.rows()},
        empty_cells=matrix.empty_cells,
    )


@router.get("/initiatives/{pk}", response={200: InitiativeOut, **error_responses(404)})
def initiative(request: HttpRequest, pk: int):
    return _initiative_out(selectors.initiative_get(user=request.user, pk=pk))


def _initiative_write(request, payload: InitiativeIn, initiative=None):
    from decimal import Decimal

    from rocc.strategy import services_register

    values = payload.dict()
    values.update(unit=unit_named(payload.unit), funding_amount=Decimal(str(payload.funding_amount)) if payload.funding_amount is not None else None)
    return _initiative_out(services_register.initiative_save(user=request.user, initiative=initiative, **values))


@router.post("/initiatives", response={201: InitiativeOut, **error_responses(403, 422)}, summary="Add an initiative to the stocktake")
def initiative_add(request: HttpRequest, payload: InitiativeIn):
    return Status(201, _initiative_write(request, payload))


@router.put("/initiatives/{pk}", response={200: InitiativeOut, **error_responses(403, 404, 422)}, summary="Change an initiative")
def initiative_change(request: HttpRequest, pk: int, payload: InitiativeIn):
    return _initiative_write(request, payload, selectors.initiative_get(user=request.user, pk=pk))
