"""Pages of Tasking & Coordination: the overview, products, reports with routing and scoring, taskings, deconfliction
alerts, the risk methodology and rankings, and meetings with their agenda, minutes, print page and Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rocc.tasking import exports, selectors, services
from rocc.tasking.forms import (
    CAVEATS,
    MeetingForm,
    MethodologyVersionForm,
    MinuteForm,
    ProductForm,
    ReportCloseForm,
    ReportForm,
    RoutingForm,
    ScoreForm,
    TargetForm,
    TaskingForm,
    TaskingUpdateForm,
)
from rocc.tasking.models import DeconflictionAlert, ReportStatus
from rocc.tasking.rules import (
    may_close_report_now,
    may_record_tasking_update,
    may_route_report_now,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read(request) -> None:
    if not request.user.has_perm("tasking.view_tasking"):
        raise PermissionDenied


def _refused(form, error: Exception) -> int:
    """Put a service's refusal on the form; returns the status to show the page again with (409 when the record
    changed since it was opened, 400 for bad input)."""
    if isinstance(error, services.RecordChanged):
        form.add_error(None, error.message)
        return 409
    _errors_into(form, error)
    return 400


def _errors_into(form, error: ValidationError) -> None:
    problems = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in problems.items():
        key = field if field in form.fields else None
        if field and field.startswith("ratings."):
            key = f"rating_{field.removeprefix('ratings.')}"
            key = key if key in form.fields else None
        for text in texts:
            form.add_error(key, text)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def overview(request):
    _read(request)
    user = request.user
    today = timezone.localdate()
    return render(request, "tasking/overview.html", {
        "new_reports": selectors.report_list(user=user).filter(status=ReportStatus.NEW)[:10],
        "my_taskings": selectors.open_taskings_owned(user=user),
        "overdue": selectors.overdue_taskings(user=user, today=today),
        "alerts": selectors.alert_views(user=user, open_only=True),
        "meetings": selectors.meeting_list(user=user).filter(held_on__gte=today).order_by("held_on")[:5],
        "top_risks": selectors.rankings(user=user, limit=5),
        "products": selectors.product_list(user=user)[:5],
        "today": today,
    })


# --- Products ---


def _product_form(request, data=None):
    from rocc.analyses.models import SavedAnalysis

    analyses = [a.pk for a in SavedAnalysis.objects.select_related("scope_unit") if request.user.has_perm("analyses.view_saved_analysis", a)]
    return ProductForm(data, analyses=SavedAnalysis.objects.filter(pk__in=analyses), cases=selectors.cases_visible(user=request.user),
                       initial={"product_date": timezone.localdate()})


@login_required
def product_list(request):
    _read(request)
    return render(request, "tasking/products.html", {"products": selectors.product_list(user=request.user)})


@login_required
def product_new(request):
    _read(request)
    form = _product_form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = services.product_receive(
                actor=request.user, kind=data["kind"], title=data["title"], summary=data["summary"], handling_caveat=data["handling_caveat"],
                product_date=data["product_date"], source_unit=data["source_unit"], saved_analyses=data["saved_analyses"], cases=data["cases"],
            )
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
            status = 403
        except ValidationError as error:
            _errors_into(form, error)
            status = 400
        else:
            messages.success(request, f"Product {product.reference} received.")
            return redirect("tasking:product", pk=product.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "tasking/product_new.html", {"form": form, "caveats": CAVEATS}, status=status)


@login_required
def product_detail(request, pk: int):
    _read(request)
    product = selectors.product_get(user=request.user, pk=pk)
    return render(request, "tasking/product.html", {
        "product": product, **selectors.targets_panel(user=request.user, subject=product),
        "reports": selectors.report_list(user=request.user).filter(products=product),
        "analyses": [a for a in product.saved_analyses.all() if request.user.has_perm("analyses.view_saved_analysis", a)],
        "cases": selectors.cases_visible(user=request.user).filter(insights_products=product),
    })


# --- Reports ---


@login_required
def report_list(request):
    _read(request)
    reports = list(selectors.report_list(user=request.user).prefetch_related("products"))
    scores = exports._current_scores(reports)
    rows = [(r, scores.get(r.pk)) for r in reports]
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        rows = [(r, s) for r, s in rows if r.status == status]
    return render(request, "tasking/reports.html", {
        "rows": rows, "status": status, "statuses": ReportStatus.choices,
        "may_compile": request.user.has_perm("tasking.compile_report"),
    })


@login_required
def report_export(request):
    _read(request)
    return _xlsx(exports.reports_workbook(user=request.user), f"insights-reports-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def report_new(request):
    _read(request)
    if not request.user.has_perm("tasking.compile_report"):
        raise PermissionDenied
    products = selectors.product_list(user=request.user)
    form = ReportForm(request.POST or None, products=products, initial={"products": request.GET.getlist("product")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                report = services.report_compile(actor=request.user, title=form.cleaned_data["title"], summary=form.cleaned_data["summary"],
                                                 products=form.cleaned_data["products"])
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, f"Report {report.reference} compiled: it waits on the OCCC agenda until routed.")
                return redirect("tasking:report", pk=report.pk)
    return render(request, "tasking/report_new.html", {"form": form}, status=status)


def _report_page(request, report, *, routing_form=None, score_form=None, tasking_form=None, close_form=None, status=200):
    user = request.user
    methodology = selectors.current_methodology()
    meetings = selectors.meetings_for_decisions(user=user)
    history = list(selectors.score_history(subject=report))
    current = next((s for s in history if s.is_current), None)
    return render(request, "tasking/report.html", {
        "report": report,
        "products": [p for p in report.products.all() if user.has_perm("tasking.view_product", p)],
        "decisions": report.routing_decisions.select_related("to_forum__scope_unit", "from_forum", "decided_by", "meeting"),
        "taskings": selectors.tasking_list(user=user).filter(report=report),
        "may_route": may_route_report_now(user, report),
        "may_score": methodology is not None and user.has_perm("tasking.score", report),
        "may_task": user.has_perm("tasking.add_tasking", _tasking_probe(report)),
        "may_open_case": user.has_perm("problems.open_case", _case_unit(report)),
        "cases": selectors.cases_visible(user=user).filter(source_report=report.reference),
        "routing_form": routing_form or RoutingForm(initial={"version": report.version}, meetings=meetings),
        "score_form": score_form or (ScoreForm(methodology=methodology, initial_ratings=current.ratings if current else None) if methodology else None),
        "tasking_form": tasking_form or TaskingForm(meetings=meetings, owners=selectors.tasking_owner_candidates(user=user)),
        "close_form": close_form or ReportCloseForm(initial={"version": report.version}, meetings=meetings),
        "may_close": may_close_report_now(user, report),
        "methodology": methodology, "scores": history, "current_score": current,
        "stale_score": current is not None and methodology is not None and current.methodology_id != methodology.pk,
    }, status=status)


def _tasking_probe(report):
    from rocc.tasking.models import Tasking

    return Tasking(forum=report.current_forum, report=report)


@login_required
def report_detail(request, pk: int):
    _read(request)
    return _report_page(request, selectors.report_get(user=request.user, pk=pk))


@login_required
@require_POST
def report_route(request, pk: int):
    _read(request)
    report = selectors.report_get(user=request.user, pk=pk)
    form = RoutingForm(request.POST, meetings=selectors.meetings_for_decisions(user=request.user))
    if not form.is_valid():
        return _report_page(request, report, routing_form=form, status=400)
    data = form.cleaned_data
    try:
        decision = services.report_route(
            actor=request.user, report=report, version=data["version"], direction=data["direction"], rationale=data["rationale"],
            district=data["district"], to_forum=data["to_forum"], meeting=data["meeting"],
        )
    except (services.RecordChanged, ValidationError) as error:
        return _report_page(request, report, routing_form=form, status=_refused(form, error))
    messages.success(request, f"Routed to {decision.to_forum.name}.")
    return redirect("tasking:report", pk=pk)


@login_required
@require_POST
def report_close(request, pk: int):
    _read(request)
    report = selectors.report_get(user=request.user, pk=pk)
    form = ReportCloseForm(request.POST, meetings=selectors.meetings_for_decisions(user=request.user))
    if not form.is_valid():
        return _report_page(request, report, close_form=form, status=400)
    try:
        services.report_close(actor=request.user, report=report, version=form.cleaned_data["version"], reason=form.cleaned_data["reason"],
                              meeting=form.cleaned_data["meeting"])
    except (services.RecordChanged, ValidationError) as error:
        return _report_page(request, report, close_form=form, status=_refused(form, error))
    messages.success(request, f"{report.reference} closed.")
    return redirect("tasking:report", pk=pk)


@login_required
@require_POST
def report_score(request, pk: int):
    _read(request)
    report = selectors.report_get(user=request.user, pk=pk)
    methodology = selectors.current_methodology()
    if methodology is None:
        raise Http404("No current methodology")
    form = ScoreForm(request.POST, methodology=methodology)
    if not form.is_valid():
        return _report_page(request, report, score_form=form, status=400)
    try:
        score = services.risk_score_record(actor=request.user, subject=report, ratings=form.ratings(), rationale=form.cleaned_data["rationale"])
    except ValidationError as error:
        _errors_into(form, error)
        return _report_page(request, report, score_form=form, status=400)
    messages.success(request, f"Scored {score.score} under {methodology}.")
    return redirect("tasking:report", pk=pk)


def _case_unit(report):
    """Where a case opened from a report sits: the district it was routed to, else the national unit."""
    from rocc.org.models import OrgUnit, UnitLevel

    if report.current_forum_id and report.current_forum.scope_unit.level != UnitLevel.NATIONAL:
        return report.current_forum.scope_unit
    return OrgUnit.objects.filter(level=UnitLevel.NATIONAL).first()


@login_required
@require_POST
def report_open_case(request, pk: int):
    """Open a PANDA problem-solving case from a report, in the district it was routed to, owned by the opener."""
    from rocc.problems.services import case_open

    _read(request)
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        case = case_open(actor=request.user, title=report.title, description=report.summary, scope_unit=_case_unit(report),
                         owner=request.user, source_report=report.reference)
    except ValidationError as error:
        messages.error(request, "The case was not opened: " + " ".join(error.messages))
        return redirect("tasking:report", pk=pk)
    messages.success(request, f"Problem-solving case opened from {report.reference}.")
    return redirect(reverse("problems:case", args=[case.pk]))


@login_required
@require_POST
def report_task(request, pk: int):
    _read(request)
    report = selectors.report_get(user=request.user, pk=pk)
    form = TaskingForm(request.POST, meetings=selectors.meetings_for_decisions(user=request.user),
                       owners=selectors.tasking_owner_candidates(user=request.user))
    if not form.is_valid():
        return _report_page(request, report, tasking_form=form, status=400)
    data = form.cleaned_data
    try:
        tasking = services.tasking_create(
            actor=request.user, title=data["title"], description=data["description"], owner=data["owner"], due_date=data["due_date"],
            tasked_unit=data["tasked_unit"], tasked_group=data["tasked_group"], report=report, meeting=data["meeting"],
        )
    except ValidationError as error:
        _errors_into(form, error)
        return _report_page(request, report, tasking_form=form, status=400)
    messages.success(request, f"Tasking {tasking.reference} set.")
    return redirect("tasking:tasking", pk=tasking.pk)


# --- Taskings ---


@login_required
def tasking_list(request):
    _read(request)
    today = timezone.localdate()
    taskings = selectors.tasking_list(user=request.user)
    only_overdue = request.GET.get("overdue") == "1"
    if only_overdue:
        taskings = selectors.overdue_taskings(user=request.user, today=today)
    return render(request, "tasking/taskings.html", {"taskings": taskings, "today": today, "only_overdue": only_overdue})


def _tasking_page(request, tasking, *, form=None, status=200):
    today = timezone.localdate()
    return render(request, "tasking/tasking.html", {
        "tasking": tasking, "today": today, "overdue": tasking.is_overdue(today),
        "updates": tasking.updates.select_related("author"), **selectors.targets_panel(user=request.user, subject=tasking),
        "may_update": may_record_tasking_update(request.user, tasking),
        "form": form or TaskingUpdateForm(tasking=tasking, initial={"version": tasking.version, "status": tasking.status}),
        "report_visible": tasking.report_id and request.user.has_perm("tasking.view_report", tasking.report),
    }, status=status)


@login_required
def tasking_detail(request, pk: int):
    _read(request)
    tasking = selectors.tasking_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _tasking_page(request, tasking)
    form = TaskingUpdateForm(request.POST, tasking=tasking)
    if not form.is_valid():
        return _tasking_page(request, tasking, form=form, status=400)
    data = form.cleaned_data
    try:
        services.tasking_update(actor=request.user, tasking=tasking, version=data["version"], status=data["status"],
                                note=data["note"], result=data["result"])
    except (services.RecordChanged, ValidationError) as error:
        return _tasking_page(request, tasking, form=form, status=_refused(form, error))
    messages.success(request, "Tasking updated.")
    return redirect("tasking:tasking", pk=pk)


# --- Targets and deconfliction ---


@login_required
@require_POST
def target_add(request, subject_type: str, pk: int):
    _read(request)
    if subject_type == "product":
        subject = selectors.product_get(user=request.user, pk=pk)
        back = reverse("tasking:product", args=[pk])
    elif subject_type == "tasking":
        subject = selectors.tasking_get(user=request.user, pk=pk)
        back = reverse("tasking:tasking", args=[pk])
    elif subject_type == "case":
        from rocc.problems.selectors import case_get

        subject = case_get(user=request.user, pk=pk)
        back = reverse("problems:case", args=[pk])
    else:
        raise Http404("No such record")
    form = TargetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _, alerts = services.target_name(
                actor=request.user, subject=subject, kind=data["kind"], identifier=data["identifier"], purpose=data["purpose"],
                group_name=data["group_name"], x=data["x"], y=data["y"], place_label=data["place_label"],
            )
        except ValidationError as error:
            problems = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            messages.error(request, "The target was not saved: " + " ".join(t for texts in problems.values() for t in texts))
        else:
            note = f" {len(alerts)} deconfliction alert{'s' if len(alerts) != 1 else ''} raised: see Deconfliction." if alerts else ""
            messages.success(request, "Target named." + note)
    else:
        messages.error(request, "The target was not saved: choose its kind.")
    return redirect(back)


@login_required
def alert_list(request):
    _read(request)
    return render(request, "tasking/alerts.html", {"views": selectors.alert_views(user=request.user)})


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    _read(request)
    alert = selectors.alert_get(user=request.user, pk=pk)
    try:
        services.alert_acknowledge(actor=request.user, alert=alert)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Alert {alert.pk} acknowledged.")
    return redirect("tasking:alerts")


# --- Risk methodology and rankings ---


@login_required
def risk(request):
    _read(request)
    methodology = selectors.current_methodology()
    may_change = request.user.has_perm("tasking.change_methodology")
    form = None
    status = 200
    if methodology is not None and may_change:
        form = MethodologyVersionForm(request.POST or None, methodology=methodology)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    with_new = services.methodology_version_create(
                        actor=request.user, base=methodology, note=form.cleaned_data["note"], dimensions=form.dimension_rows(),
                        modifier_floor=form.cleaned_data["modifier_floor"],
                    )
                    result = services.methodology_publish(actor=request.user, methodology=with_new)
                except ValidationError as error:
                    _errors_into(form, error)
                else:
                    messages.success(request, f"{with_new} is now current: {result.rescored} score(s) re-ranked, "
                                              f"{result.needs_rescoring} need re-scoring. Earlier scores are kept with their version.")
                    return redirect("tasking:risk")
    elif request.method == "POST":
        raise PermissionDenied
    kind = request.GET.get("kind") or None
    if kind not in {None, "report", "case", "target"}:
        kind = None
    return render(request, "tasking/risk.html", {
        "methodology": methodology, "versions": selectors.methodology_list(), "form": form, "kind": kind,
        "ranked": selectors.rankings(user=request.user, kind=kind), "unscored": selectors.reports_needing_scores(user=request.user),
    }, status=status)


# --- Meetings ---


@login_required
def meeting_list(request):
    _read(request)
    forums = selectors.forums_attended(user=request.user)
    conveners = [f.pk for f in forums if request.user.has_perm("tasking.add_meeting", f)]
    form = MeetingForm(request.POST or None, forums=forums.filter(pk__in=conveners), initial={"held_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                meeting = services.meeting_create(actor=request.user, forum=form.cleaned_data["forum"], held_on=form.cleaned_data["held_on"],
                                                  title=form.cleaned_data["title"])
            except ValidationError as error:
                _errors_into(form, error)
            else:
                return redirect("tasking:meeting", pk=meeting.pk)
    return render(request, "tasking/meetings.html", {
        "meetings": selectors.meeting_list(user=request.user), "form": form if conveners else None,
    }, status=status)


def _minute_links(agenda) -> list[tuple[str, str]]:
    links = [(f"report:{r.pk}", f"Report {r.reference}: {r.title}") for r in agenda.new_reports]
    links += [(f"tasking:{t.pk}", f"Tasking {t.reference}: {t.title}") for t in agenda.overdue_taskings]
    links += [(f"alert:{a.pk}", f"Deconfliction alert {a.pk}") for a in agenda.alerts]
    for item in agenda.top_risks:
        if item.kind in {"report", "case"}:
            key = f"{item.kind}:{item.subject.pk}"
            if key not in {k for k, _ in links}:
                links.append((key, f"{item.kind.title()}: {item.subject}"))
    return links


def _meeting_page(request, meeting, *, form=None, status=200, template="tasking/meeting.html"):
    agenda = selectors.meeting_agenda(user=request.user, meeting=meeting)
    return render(request, template, {
        "meeting": meeting, "agenda": agenda,
        "minutes": meeting.minutes.select_related("recorded_by", "report", "tasking", "product", "alert", "case"),
        "may_minute": request.user.has_perm("tasking.minute_meeting", meeting),
        "form": form or MinuteForm(links=_minute_links(agenda)),
    }, status=status)


@login_required
def meeting_detail(request, pk: int):
    _read(request)
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _meeting_page(request, meeting)
    agenda = selectors.meeting_agenda(user=request.user, meeting=meeting)
    form = MinuteForm(request.POST, links=_minute_links(agenda))
    if not form.is_valid():
        return _meeting_page(request, meeting, form=form, status=400)
    links = {}
    kind, _, ident = form.cleaned_data["decided"].partition(":")
    if kind == "report":
        links["report"] = selectors.report_get(user=request.user, pk=int(ident))
    elif kind == "tasking":
        links["tasking"] = selectors.tasking_get(user=request.user, pk=int(ident))
    elif kind == "alert":
        links["alert"] = DeconflictionAlert.objects.get(pk=int(ident))
    elif kind == "case":
        links["case"] = selectors.cases_visible(user=request.user).get(pk=int(ident))
    try:
        services.minute_record(actor=request.user, meeting=meeting, decision=form.cleaned_data["decision"], **links)
    except ValidationError as error:
        _errors_into(form, error)
        return _meeting_page(request, meeting, form=form, status=400)
    messages.success(request, "Decision minuted.")
    return redirect("tasking:meeting", pk=pk)


@login_required
def meeting_print(request, pk: int):
    _read(request)
    return _meeting_page(request, selectors.meeting_get(user=request.user, pk=pk), template="tasking/meeting_print.html")


@login_required
def meeting_export(request, pk: int):
    _read(request)
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return _xlsx(exports.agenda_workbook(user=request.user, meeting=meeting), f"agenda-{meeting.forum.code}-{meeting.held_on:%Y-%m-%d}.xlsx")
