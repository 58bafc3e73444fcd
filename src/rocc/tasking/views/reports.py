"""Pages of OCCC insights reports: the list and its Excel export, compiling a report, and a report's page with routing,
closing, scoring, tasking and opening a case from it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rocc.problems.services import case_open_from, case_unit_for_source
from rocc.tasking import exports
from rocc.tasking.forms import (
    ReportCloseForm,
    ReportForm,
    RoutingForm,
    ScoreForm,
    TaskingForm,
)
from rocc.tasking.models import ReportStatus, Tasking
from rocc.tasking.rules import may_close_report_now, may_route_report_now
from rocc.tasking.selectors import meetings as meetings_selectors
from rocc.tasking.selectors import products as products_selectors
from rocc.tasking.selectors import reports as reports_selectors
from rocc.tasking.selectors import risk as risk_selectors
from rocc.tasking.selectors import scope as scope_selectors
from rocc.tasking.selectors import taskings as taskings_selectors
from rocc.tasking.services import reports as reports_services
from rocc.tasking.services import risk as risk_services
from rocc.tasking.services import taskings as taskings_services
from rocc.tasking.services.common import RecordChanged
from rocc.tasking.views.common import errors_into, read_allowed, refused, xlsx


@login_required
def report_list(request):
    read_allowed(request)
    reports = list(reports_selectors.report_list(user=request.user).prefetch_related("products"))
    scores = risk_selectors.current_report_scores(reports)
    rows = [(r, scores.get(r.pk)) for r in reports]
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        rows = [(r, s) for r, s in rows if r.status == status]
    return render(
        request,
        "tasking/reports.html",
        {
            "rows": rows,
            "status": status,
            "statuses": ReportStatus.choices,
            "may_compile": request.user.has_perm("tasking.compile_report"),
        },
    )


@login_required
def report_export(request):
    read_allowed(request)
    return xlsx(exports.reports_workbook(user=request.user), f"insights-reports-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def report_new(request):
    read_allowed(request)
    if not request.user.has_perm("tasking.compile_report"):
        raise PermissionDenied
    products = products_selectors.product_list(user=request.user)
    form = ReportForm(request.POST or None, products=products, initial={"products": request.GET.getlist("product")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                report = reports_services.report_compile(
                    actor=request.user, title=form.cleaned_data["title"], summary=form.cleaned_data["summary"], products=form.cleaned_data["products"]
                )
            except ValidationError as error:
                errors_into(form, error)
            else:
                messages.success(request, f"Report {report.reference} compiled: it waits on the OCCC agenda until routed.")
                return redirect("tasking:report", pk=report.pk)
    return render(request, "tasking/report_new.html", {"form": form}, status=status)


def _report_page(request, report, *, routing_form=None, score_form=None, tasking_form=None, close_form=None, status=200):
    user = request.user
    methodology = risk_selectors.current_methodology()
    meetings = meetings_selectors.meetings_for_decisions(user=user)
    history = list(risk_selectors.score_history(subject=report))
    current = next((s for s in history if s.is_current), None)
    return render(
        request,
        "tasking/report.html",
        {
            "report": report,
            "products": [p for p in report.products.all() if user.has_perm("tasking.view_product", p)],
            "analyses": products_selectors.analyses_behind_report(user=user, report=report),
            "decisions": report.routing_decisions.select_related("to_forum__scope_unit", "from_forum", "decided_by", "meeting"),
            "taskings": taskings_selectors.tasking_list(user=user).filter(report=report),
            "may_route": may_route_report_now(user, report),
            "may_score": methodology is not None and user.has_perm("tasking.score", report),
            "may_task": user.has_perm("tasking.add_tasking", _tasking_probe(report)),
            "case_unit": case_unit_for_source(report=report),
            "may_open_case": user.has_perm("problems.open_case", case_unit_for_source(report=report)),
            "cases": scope_selectors.cases_visible(user=user).filter(source_report=report),
            "routing_form": routing_form or RoutingForm(initial={"version": report.version}, meetings=meetings),
            "score_form": score_form or (ScoreForm(methodology=methodology, initial_ratings=current.ratings if current else None) if methodology else None),
            "tasking_form": tasking_form or TaskingForm(meetings=meetings, owners=taskings_selectors.tasking_owner_candidates(user=user)),
            "close_form": close_form or ReportCloseForm(initial={"version": report.version}, meetings=meetings),
            "may_close": may_close_report_now(user, report),
            "methodology": methodology,
            "scores": history,
            "current_score": current,
            "stale_score": current is not None and methodology is not None and current.methodology_id != methodology.pk,
        },
        status=status,
    )


def _tasking_probe(report):
    return Tasking(forum=report.current_forum, report=report)


@login_required
def report_detail(request, pk: int):
    read_allowed(request)
    return _report_page(request, reports_selectors.report_get(user=request.user, pk=pk))


@login_required
@require_POST
def report_route(request, pk: int):
    read_allowed(request)
    report = reports_selectors.report_get(user=request.user, pk=pk)
    form = RoutingForm(request.POST, meetings=meetings_selectors.meetings_for_decisions(user=request.user))
    if not form.is_valid():
        return _report_page(request, report, routing_form=form, status=400)
    data = form.cleaned_data
    try:
        decision = reports_services.report_route(
            actor=request.user,
            report=report,
            version=data["version"],
            direction=data["direction"],
            rationale=data["rationale"],
            district=data["district"],
            to_forum=data["to_forum"],
            meeting=data["meeting"],
        )
    except (RecordChanged, ValidationError) as error:
        return _report_page(request, report, routing_form=form, status=refused(form, error))
    messages.success(request, f"Routed to {decision.to_forum.name}.")
    return redirect("tasking:report", pk=pk)


@login_required
@require_POST
def report_close(request, pk: int):
    read_allowed(request)
    report = reports_selectors.report_get(user=request.user, pk=pk)
    form = ReportCloseForm(request.POST, meetings=meetings_selectors.meetings_for_decisions(user=request.user))
    if not form.is_valid():
        return _report_page(request, report, close_form=form, status=400)
    try:
        reports_services.report_close(
            actor=request.user, report=report, version=form.cleaned_data["version"], reason=form.cleaned_data["reason"], meeting=form.cleaned_data["meeting"]
        )
    except (RecordChanged, ValidationError) as error:
        return _report_page(request, report, close_form=form, status=refused(form, error))
    messages.success(request, f"{report.reference} closed.")
    return redirect("tasking:report", pk=pk)


@login_required
@require_POST
def report_score(request, pk: int):
    read_allowed(request)
    report = reports_selectors.report_get(user=request.user, pk=pk)
    methodology = risk_selectors.current_methodology()
    if methodology is None:
        raise Http404("No current methodology")
    form = ScoreForm(request.POST, methodology=methodology)
    if not form.is_valid():
        return _report_page(request, report, score_form=form, status=400)
    try:
        score = risk_services.risk_score_record(actor=request.user, subject=report, ratings=form.ratings(), rationale=form.cleaned_data["rationale"])
    except ValidationError as error:
        errors_into(form, error)
        return _report_page(request, report, score_form=form, status=400)
    messages.success(request, f"Scored {score.score} under {methodology}.")
    return redirect("tasking:report", pk=pk)


@login_required
@require_POST
def report_open_case(request, pk: int):
    """Open a PANDA problem-solving case from a report, in the district it was routed to, owned by the opener, with
    the saved analyses and targets of its products."""
    read_allowed(request)
    report = reports_selectors.report_get(user=request.user, pk=pk)
    try:
        case = case_open_from(actor=request.user, report=report)
    except ValidationError as error:
        messages.error(request, "The case was not opened: " + " ".join(error.messages))
        return redirect("tasking:report", pk=pk)
    messages.success(request, f"Problem-solving case opened from {report.reference}, with its evidence and targets.")
    return redirect(reverse("problems:case", args=[case.pk]))


@login_required
@require_POST
def report_task(request, pk: int):
    read_allowed(request)
    report = reports_selectors.report_get(user=request.user, pk=pk)
    form = TaskingForm(
        request.POST,
        meetings=meetings_selectors.meetings_for_decisions(user=request.user),
        owners=taskings_selectors.tasking_owner_candidates(user=request.user),
    )
    if not form.is_valid():
        return _report_page(request, report, tasking_form=form, status=400)
    data = form.cleaned_data
    try:
        tasking = taskings_services.tasking_create(
            actor=request.user,
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            due_date=data["due_date"],
            tasked_unit=data["tasked_unit"],
            tasked_group=data["tasked_group"],
            report=report,
            meeting=data["meeting"],
        )
    except ValidationError as error:
        errors_into(form, error)
        return _report_page(request, report, tasking_form=form, status=400)
    messages.success(request, f"Tasking {tasking.reference} set.")
    return redirect("tasking:tasking", pk=tasking.pk)
