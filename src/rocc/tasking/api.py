"""API endpoints of Tasking & Coordination: products, reports and their routing, the methodology, scores and rankings,
taskings and their updates, targets and deconfliction alerts, and meeting agendas — with the pages' rules."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from rocc.org.models import NationalGroup
from rocc.org.services import unit_resolve
from rocc.tasking import selectors, services
from rocc.tasking.models import Forum

router = Router(tags=["tasking"])


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class ProductOut(Schema):
    id: int
    reference: str
    kind: str
    title: str
    summary: str
    handling_caveat: str
    source_unit: str | None
    source_group: str | None
    product_date: dt.date
    owner: str
    received_at: dt.datetime
    saved_analyses: list[int]
    cases: list[int]


class ProductIn(Schema):
    kind: str
    title: str
    summary: str
    handling_caveat: str
    product_date: dt.date | None = None
    source_unit: str | None = None
    source_group: str | None = None
    saved_analyses: list[int] = []
    cases: list[int] = []


class RoutingOut(Schema):
    id: int
    direction: str
    from_forum: str | None
    to_forum: str
    to_district: str | None
    rationale: str
    decided_by: str
    decided_at: dt.datetime
    meeting: int | None


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


class ReportOut(Schema):
    id: int
    reference: str
    title: str
    summary: str
    status: str
    current_forum: str | None
    compiled_by: str
    compiled_at: dt.datetime
    version: int
    products: list[int]


class ReportDetailOut(ReportOut):
    routing: list[RoutingOut]
    scores: list[ScoreOut]


class ReportIn(Schema):
    title: str
    summary: str
    products: list[int]


class RoutingIn(Schema):
    version: int
    direction: str
    rationale: str = ""
    district: str | None = None
    to_forum: str | None = None
    meeting: int | None = None


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


class ScoreIn(Schema):
    subject_type: str
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


class TaskingOut(Schema):
    id: int
    reference: str
    title: str
    description: str
    tasked_unit: str | None
    tasked_group: str | None
    owner: str
    due_date: dt.date
    status: str
    result: str
    overdue: bool
    report: int | None
    forum: str | None
    version: int


class UpdateOut(Schema):
    id: int
    author: str
    recorded_at: dt.datetime
    status: str
    note: str


class TaskingDetailOut(TaskingOut):
    updates: list[UpdateOut]


class TaskingIn(Schema):
    title: str
    description: str
    owner: str | None = None
    due_date: dt.date | None = None
    tasked_unit: str | None = None
    tasked_group: str | None = None
    report: int | None = None
    forum: str | None = None
    meeting: int | None = None


class TaskingUpdateIn(Schema):
    version: int
    status: str
    note: str
    result: str = ""


class TargetIn(Schema):
    subject_type: str
    subject_id: int
    kind: str
    identifier: str = ""
    purpose: str = ""
    group_name: str = ""
    x: float | None = None
    y: float | None = None
    place_label: str = ""


class TargetOut(Schema):
    id: int
    kind: str
    alerts_raised: int


class AlertOut(Schema):
    """What an owner is told: the kind of match, their own record, who owns the other — nothing of the other record."""

    id: int
    basis: str
    distance_m: float | None
    own_record: str
    other_owner: str
    other_team: str
    acknowledged_by_me: bool
    acknowledged_by_other: bool
    open: bool
    created_at: dt.datetime


class AgendaAlertOut(Schema):
    id: int
    basis: str
    owners: list[str]
    acknowledged: int


class AgendaOut(Schema):
    meeting: int
    forum: str
    held_on: dt.date
    new_reports: list[ReportOut]
    top_risks: list[RankedOut]
    overdue_taskings: list[TaskingOut]
    alerts: list[AgendaAlertOut]


def _invalid(error: ValidationError, what: str) -> Status:
    errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    return Status(422, ErrorOut(detail=f"The {what} was not saved.", errors=errors))


def _product_out(p) -> ProductOut:
    return ProductOut(
        id=p.pk, reference=p.reference, kind=p.kind, title=p.title, summary=p.summary, handling_caveat=p.handling_caveat,
        source_unit=p.source_unit.code if p.source_unit_id else None, source_group=p.source_group.code if p.source_group_id else None,
        product_date=p.product_date, owner=p.owner.get_username(), received_at=p.received_at,
        saved_analyses=list(p.saved_analyses.values_list("pk", flat=True)), cases=list(p.cases.values_list("pk", flat=True)),
    )


def _report_values(r) -> dict:
    return {"id": r.pk, "reference": r.reference, "title": r.title, "summary": r.summary, "status": r.status,
            "current_forum": r.current_forum.code if r.current_forum_id else None, "compiled_by": r.compiled_by.get_username(),
            "compiled_at": r.compiled_at, "version": r.version, "products": list(r.products.values_list("pk", flat=True))}


def _score_out(s) -> ScoreOut:
    kind = "report" if s.report_id else "case" if s.case_id else "target"
    return ScoreOut(id=s.pk, subject_type=kind, subject_id=s.report_id or s.case_id or s.target_id, methodology=s.methodology.code,
                    methodology_version=s.methodology.version, ratings=s.ratings, score=float(s.score), is_current=s.is_current,
                    scored_by=s.scored_by.get_username(), scored_at=s.scored_at)


def _routing_out(d) -> RoutingOut:
    district = d.to_forum.scope_unit.code if d.to_forum.kind == "district_tc" else None
    return RoutingOut(id=d.pk, direction=d.direction, from_forum=d.from_forum.code if d.from_forum_id else None, to_forum=d.to_forum.code,
                      to_district=district, rationale=d.rationale, decided_by=d.decided_by.get_username(), decided_at=d.decided_at,
                      meeting=d.meeting_id)


def _tasking_values(t, today: dt.date) -> dict:
    return {"id": t.pk, "reference": t.reference, "title": t.title, "description": t.description,
            "tasked_unit": t.tasked_unit.code if t.tasked_unit_id else None, "tasked_group": t.tasked_group.code if t.tasked_group_id else None,
            "owner": t.owner.get_username(), "due_date": t.due_date, "status": t.status, "result": t.result, "overdue": t.is_overdue(today),
            "report": t.report_id, "forum": t.forum.code if t.forum_id else None, "version": t.version}


def _ranked_out(item) -> RankedOut:
    subject = item.subject
    title = subject.title if hasattr(subject, "title") else str(subject)
    return RankedOut(rank=item.rank, kind=item.kind, subject_id=subject.pk, title=title, score=float(item.score.score),
                     methodology_version=item.score.methodology.version)


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def _user(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationError({"owner": f"No user is called '{username}'."})
    return user


def _unit(name: str | None, field: str):
    if not name:
        return None
    try:
        return unit_resolve(name)
    except ValidationError:
        raise ValidationError({field: f"No organisational unit is called '{name}'."}) from None


def _group(code: str | None, field: str):
    if not code:
        return None
    group = NationalGroup.objects.filter(code=code).first() or NationalGroup.objects.filter(short_name__iexact=code).first()
    if group is None:
        raise ValidationError({field: f"No national group is called '{code}'."})
    return group


def _forum(code: str | None):
    if not code:
        return None
    forum = Forum.objects.filter(code=code).first()
    if forum is None:
        raise ValidationError({"to_forum": f"No forum is called '{code}' (forums: {', '.join(Forum.objects.values_list('code', flat=True))})."})
    return forum


# --- Products ---


@router.get("/products", response=list[ProductOut], summary="Insights products you may see, newest first")
def products(request: HttpRequest):
    return [_product_out(p) for p in selectors.product_list(user=request.user).prefetch_related("saved_analyses", "cases")]


@router.get("/products/{product_id}", response=ProductOut, summary="One insights product (404 when outside your scope)")
def product(request: HttpRequest, product_id: int):
    return _product_out(selectors.product_get(user=request.user, pk=product_id))


@router.post("/products", response={201: ProductOut, 403: ErrorOut, 422: ErrorOut},
             summary="Record the receipt of an insights product",
             description="District products name `source_unit` (a district or area, by code or name); NOCG, FCG and PLO network "
                         "products come from their national group. 403 when you may not record products for that source.")
def product_add(request: HttpRequest, payload: ProductIn):
    from rocc.analyses.models import SavedAnalysis
    from rocc.problems.models import Case

    try:
        created = services.product_receive(
            actor=request.user, kind=payload.kind, title=payload.title, summary=payload.summary,
            handling_caveat=payload.handling_caveat, product_date=payload.product_date,
            source_unit=_unit(payload.source_unit, "source_unit"), source_group=_group(payload.source_group, "source_group"),
            saved_analyses=list(SavedAnalysis.objects.filter(pk__in=payload.saved_analyses)),
            cases=list(Case.objects.filter(pk__in=payload.cases)),
        )
    except PermissionDenied as denied:
        return Status(403, ErrorOut(detail=str(denied)))
    except ValidationError as error:
        return _invalid(error, "product")
    return Status(201, _product_out(created))


# --- Reports and routing ---


@router.get("/reports", response=list[ReportOut], summary="OCCC insights reports you may see")
def reports(request: HttpRequest, status: str | None = None):
    found = selectors.report_list(user=request.user).prefetch_related("products")
    if status:
        found = found.filter(status=status)
    return [ReportOut(**_report_values(r)) for r in found]


@router.get("/reports/{report_id}", response=ReportDetailOut, summary="One report with its routing decisions and scores")
def report(request: HttpRequest, report_id: int):
    found = selectors.report_get(user=request.user, pk=report_id)
    return ReportDetailOut(
        **_report_values(found),
        routing=[_routing_out(d) for d in found.routing_decisions.select_related("to_forum__scope_unit", "from_forum", "decided_by")],
        scores=[_score_out(s) for s in selectors.score_history(subject=found)],
    )


@router.post("/reports", response={201: ReportOut, 403: ErrorOut, 422: ErrorOut}, summary="Compile an OCCC insights report from products")
def report_add(request: HttpRequest, payload: ReportIn):
    products = list(selectors.product_list(user=request.user).filter(pk__in=payload.products))
    try:
        if len(products) != len(set(payload.products)):
            raise ValidationError({"products": "One of the products does not exist or is outside your scope."})
        created = services.report_compile(actor=request.user, title=payload.title, summary=payload.summary, products=products)
    except PermissionDenied as denied:
        return Status(403, ErrorOut(detail=str(denied)))
    except ValidationError as error:
        return _invalid(error, "report")
    return Status(201, ReportOut(**_report_values(created)))


@router.post(
    "/reports/{report_id}/routing",
    response={201: RoutingOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Route a report: district specific, national or regional issue, or multi-agency response",
    description=(
        "`direction` is `district` (name the `district`), `national` (to Pre T&C; from Pre T&C, `to_forum: strategic-tc`) or "
        "`multi_agency` (`to_forum`: `rocc-dce` or `tnoc-dce`). The `rationale` is required. Send the report's `version` as you "
        "read it: 409 if it changed since. 403 when you may not route it; 404 when it is outside your scope."
    ),
)
def report_route(request: HttpRequest, report_id: int, payload: RoutingIn):
    found = selectors.report_get(user=request.user, pk=report_id)
    try:
        meeting = selectors.meeting_get(user=request.user, pk=payload.meeting) if payload.meeting else None
        decision = services.report_route(
            actor=request.user, report=found, version=payload.version, direction=payload.direction, rationale=payload.rationale,
            district=_unit(payload.district, "district"), to_forum=_forum(payload.to_forum), meeting=meeting,
        )
    except PermissionDenied as denied:
        return Status(403, ErrorOut(detail=str(denied)))
    except services.RecordChanged as changed:
        return Status(409, ErrorOut(detail=changed.message))
    except ValidationError as error:
        return _invalid(error, "routing decision")
    return Status(201, _routing_out(decision))


class CloseIn(Schema):
    version: int
    reason: str = ""
    meeting: int | None = None


@router.post("/reports/{report_id}/close", response={200: ReportOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
             summary="Close a routed report that needs nothing more, with the reason")
def report_close(request: HttpRequest, report_id: int, payload: CloseIn):
    found = selectors.report_get(user=request.user, pk=report_id)
    try:
        meeting = selectors.meeting_get(user=request.user, pk=payload.meeting) if payload.meeting else None
        closed = services.report_close(actor=request.user, report=found, version=payload.version, reason=payload.reason, meeting=meeting)
    except PermissionDenied as denied:
        return Status(403, ErrorOut(detail=str(denied)))
    except services.RecordChanged as changed:
        return Status(409, ErrorOut(detail=changed.message))
    except ValidationError as error:
        return _invalid(error, "closure")
    return ReportOut(**_report_values(closed))


# --- Risk ---


def _methodology_out(m) -> MethodologyOut:
    return MethodologyOut(
        code=m.code, version=m.version, name=m.name, description=m.description, modifier_floor=float(m.modifier_floor),
        is_current=m.is_current, note=m.note,
        dimensions=[DimensionOut(code=d.code, name=d.name, question=d.question, role=d.role, scale_min=d.scale_min,
                                 scale_max=d.scale_max, weight=float(d.weight), levels=d.levels) for d in m.dimensions.all()],
    )


@router.get("/methodologies", response=list[MethodologyOut], summary="Every version of the risk methodology, the current one first")
def methodologies(request: HttpRequest):
    if not request.user.has_perm("tasking.view_tasking"):
        return []
    return [_methodology_out(m) for m in selectors.methodology_list()]


@router.get("/rankings", response=list[RankedOut], summary="Reports, cases and targets you may see, ranked by current score")
def rankings(request: HttpRequest, kind: str | None = None, limit: int = 50):
    if kind not in {None, "report", "case", "target"}:
        raise Http404("No such kind")
    return [_ranked_out(item) for item in selectors.rankings(user=request.user, kind=kind, limit=limit)]


def _subject(user, subject_type: str, subject_id: int):
    """The record a score or target is for, if the user may see it (404 otherwise)."""
    if subject_type == "report":
        return selectors.report_get(user=user, pk=subject_id)
    if subject_type == "product":
        return selectors.product_get(user=user, pk=subject_id)
    if subject_type == "tasking":
        return selectors.tasking_get(user=user, pk=subject_id)
    visible = {"case": selectors.cases_visible, "target": selectors.targets_visible}.get(subject_type)
    found = visible(user=user).filter(pk=subject_id).first() if visible else None
    if found is None:
        raise Http404("Not found")
    return found


@router.post("/scores", response={201: ScoreOut, 403: ErrorOut, 422: ErrorOut},
             summary="Score a report, case or target under the current methodology",
             description="`subject_type` is `report`, `case` or `target`. Every dimension is rated on its scale; a rating outside "
                         "its scale is refused (422) naming the dimension and its scale, and nothing is saved.")
def score_add(request: HttpRequest, payload: ScoreIn):
    if payload.subject_type not in {"report", "case", "target"}:
        return Status(422, ErrorOut(detail="The score was not saved.", errors={"subject_type": ["Score a report, a case or a target."]}))
    subject = _subject(request.user, payload.subject_type, payload.subject_id)
    try:
        score = services.risk_score_record(actor=request.user, subject=subject, ratings=payload.ratings, rationale=payload.rationale)
    except PermissionDenied as denied:
        return Status(403, ErrorOut(detail=str(denied)))
    except ValidationError as error:
        return _invalid(error, "score")
    return Status(201, _score_out(score))


# --- Taskings ---


@router.get("/taskings", response=list[TaskingOut], summary="Taskings you may see, by due date")
def taskings(request: HttpRequest, overdue: bool = False):
    today = _today()
    found = selectors.overdue_taskings(user=request.user, today=today) if overdue else selectors.tasking_list(user=request.user)
    return [TaskingOut(**_tasking_values(t, today)) for t in found]


@router.get("/taskings/{tasking_id}", response=TaskingDetailOut, summary="One tasking with its updates")
def tasking(request: HttpRequest, tasking_id: int):
    found = selectors.tasking_get(user=request.user, pk=tasking_id)
    return TaskingDetailOut(**_tasking_values(found, _today()), updates=[
        UpdateOut(id=u.pk, author=u.author.get_username(), recorded_at=u.recorded_at, status=u.status, note=u.note)
        for u in found.updates.select_related("author")
    ])


@router.post("/taskings", response={201: TaskingOut, 403: ErrorOut, 422: ErrorOut},
             summary="Task a district (or area) or a national group",
             description="`owner` (a user name) and `due_date` are required; name `tasked_unit` or `tasked_group`, not both.")
def tasking_add(request: HttpRequest, payload: TaskingIn):
    try:
        report = selectors.report_get(user=request.user, pk=payload.report) if payload.report else None
        meeting = selectors.meeting_get(user=request.user, pk=payload.meeting) if payload.meeting else None
        created = services.tasking_create(
            actor=request.user, title=payload.title, description=payload.description, owner=_user(payload.owner),
            due_date=payload.due_date, tasked_unit=_unit(payload.tasked_unit, "tasked_unit"),
            tasked_group=_group(payload.tasked_group, "tasked_group"), report=report, forum=_forum(payload.forum), meeting=meeting,
        )
    except Http404:
        return Status(422, ErrorOut(detail="The tasking was not saved.", errors={"report": ["No such report or meeting in your scope."]}))
    except PermissionDenied as denied:
        return Status(403, ErrorOut(detail=str(denied)))
    except ValidationError as error:
        return _invalid(error, "tasking")
    return Status(201, TaskingOut(**_tasking_values(created, _today())))


@router.post("/taskings/{tasking_id}/updates", response={201: UpdateOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
             summary="Record progress on a tasking, or complete it with its result",
             description="Send the tasking's `version` as you read it: 409 if it changed since. Completing needs `result`.")
def tasking_update(request: HttpRequest, tasking_id: int, payload: TaskingUpdateIn):
    found = selectors.tasking_get(user=request.user, pk=tasking_id)
    try:
        update = services.tasking_update(actor=request.user, tasking=found, version=payload.version, status=payload.status,
                                         note=payload.note, result=payload.result)
    except PermissionDenied as denied:
        return Status(403, ErrorOut(detail=str(denied)))
    except services.RecordChanged as changed:
        return Status(409, ErrorOut(detail=changed.message))
    except ValidationError as error:
        return _invalid(error, "update")
    return Status(201, UpdateOut(id=update.pk, author=update.author.get_username(), recorded_at=update.recorded_at,
                                 status=update.status, note=update.note))


# --- Targets and deconfliction ---


@router.post("/targets", response={201: TargetOut, 403: ErrorOut, 422: ErrorOut},
             summary="Name a target (a person, a group or a place) on a product, tasking or case",
             description="A person's `identifier` is pseudonymised at once and never stored; naming a person needs a `purpose`, "
                         "recorded in the audit trail. A place is NZTM2000 `x`/`y` in metres. Matching targets of other owners "
                         "raise deconfliction alerts to both owners.")
def target_add(request: HttpRequest, payload: TargetIn):
    if payload.subject_type not in {"product", "tasking", "case"}:
        return Status(422, ErrorOut(detail="The target was not saved.", errors={"subject_type": ["Name targets on a product, a tasking or a case."]}))
    subject = _subject(request.user, payload.subject_type, payload.subject_id)
    try:
        target, alerts = services.target_name(
            actor=request.user, subject=subject, kind=payload.kind, identifier=payload.identifier, purpose=payload.purpose,
            group_name=payload.group_name, x=payload.x, y=payload.y, place_label=payload.place_label,
        )
    except PermissionDenied as denied:
        return Status(403, ErrorOut(detail=str(denied)))
    except ValidationError as error:
        return _invalid(error, "target")
    return Status(201, TargetOut(id=target.pk, kind=target.kind, alerts_raised=len(alerts)))


def _alert_out(view) -> AlertOut:
    own = view.own_target.subject
    other = view.other_owner
    return AlertOut(id=view.alert.pk, basis=view.alert.basis, distance_m=view.alert.distance_m,
                    own_record=str(own), other_owner=other.get_full_name() or other.get_username(), other_team=view.other_team,
                    acknowledged_by_me=view.acknowledged_by_me, acknowledged_by_other=view.acknowledged_by_other,
                    open=view.alert.is_open, created_at=view.alert.created_at)


@router.get("/alerts", response=list[AlertOut], summary="Deconfliction alerts on your own targets")
def alerts(request: HttpRequest, open_only: bool = False):
    return [_alert_out(v) for v in selectors.alert_views(user=request.user, open_only=open_only)]


@router.post("/alerts/{alert_id}/acknowledge", response={200: AlertOut, 422: ErrorOut}, summary="Acknowledge your side of an alert")
def alert_acknowledge(request: HttpRequest, alert_id: int):
    found = selectors.alert_get(user=request.user, pk=alert_id)
    try:
        services.alert_acknowledge(actor=request.user, alert=found)
    except ValidationError as error:
        return _invalid(error, "acknowledgement")
    return _alert_out(selectors.alert_view(user=request.user, alert=found))


# --- Meetings ---


@router.get("/meetings/{meeting_id}/agenda", response=AgendaOut, summary="A meeting's agenda: new reports, top risks, overdue taskings, alerts")
def agenda(request: HttpRequest, meeting_id: int):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    built = selectors.meeting_agenda(user=request.user, meeting=meeting)
    today = _today()
    return AgendaOut(
        meeting=meeting.pk, forum=meeting.forum.code, held_on=meeting.held_on,
        new_reports=[ReportOut(**_report_values(r)) for r in built.new_reports],
        top_risks=[_ranked_out(item) for item in built.top_risks],
        overdue_taskings=[TaskingOut(**_tasking_values(t, today)) for t in built.overdue_taskings],
        alerts=[AgendaAlertOut(id=a.pk, basis=a.basis, owners=[a.owner_a.get_username(), a.owner_b.get_username()],
                               acknowledged=int(a.acknowledged_a_at is not None) + int(a.acknowledged_b_at is not None)) for a in built.alerts],
    )
