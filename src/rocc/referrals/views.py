"""Pages of referrals and the services directory: the overview (the provider's queue, the referrer's list), the
directory and a service's entry, making a referral (also from Victim Focus, a case's Deploy stage or a tasking), one
referral with its steps, the figures, and the "declined: no capacity" evidence with its CSV."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rocc.core.errors import Conflict, InvalidInput
from rocc.core.spreadsheets import csv_writer
from rocc.measures.models import Indicator
from rocc.measures.selectors import default_unit_for
from rocc.org.models import Agency, OrgUnit
from rocc.referrals import rules as referral_rules
from rocc.referrals import selectors, services
from rocc.referrals.forms import CapacityForm, MoveForm, ReferralForm, ServiceForm
from rocc.referrals.models import MOVE_INPUTS, Capacity, Move, Referral, ReferralStatus, Source
from rocc.strategy.selectors.register import barrier_get


def _require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _form_errors(form, error: InvalidInput) -> None:
    for field, errors in error.field_errors.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)
    if not error.field_errors:
        form.add_error(None, error.message)


PAGE_ROWS = 50


def _with_links(rows: list[dict] | None) -> list[dict] | None:
    """Each row with the link to its referral (one reverse for the lot: a queue page renders many rows)."""
    if rows is None:
        return None
    pattern = reverse("referrals:referral", args=[0]).replace("/0/", "/{}/")
    return [{**row, "url": pattern.format(row["id"])} for row in rows]


@login_required
def overview(request):
    _require(request, "referrals.view_directory")
    user = request.user
    status = request.GET.get("status", "")
    status = status if status in ReferralStatus.values else ""
    overdue_only = request.GET.get("overdue") == "1"
    is_provider = referral_rules.is_provider_reporter(user)
    is_referrer = referral_rules.is_referrer(user)
    queue = selectors.referral_queue_for(user=user, status=status, overdue_only=overdue_only, limit=PAGE_ROWS) if is_provider else None
    made = selectors.referrals_made_for(user=user, status=status, overdue_only=overdue_only, limit=PAGE_ROWS) if is_referrer else None
    return render(
        request,
        "referrals/overview.html",
        {
            "queue": _with_links(queue),
            "overdue": selectors.overdue_count_for(user=user) if is_provider else 0,
            "made": _with_links(made),
            "page_rows": PAGE_ROWS,
            "may_refer": user.has_perm("referrals.refer"),
            "may_see_evidence": user.has_perm("referrals.view_capacity_evidence"),
            "may_recompute": user.has_perm("measures.recompute_statuses"),
            "may_expire": user.has_perm("referrals.run_expiry"),
            "statuses": ReferralStatus.choices,
            "status": status,
            "overdue_only": overdue_only,
        },
    )


# -- the directory ---------------------------------------------------------------------------------


@login_required
def directory(request):
    user = request.user
    unit = OrgUnit.objects.filter(code=request.GET.get("unit", "")).first()
    capacity = request.GET.get("capacity", "")
    capacity = capacity if capacity in Capacity.values else ""
    found = selectors.directory_for(user=user, query=request.GET.get("q", ""), unit=unit, capacity=capacity)
    page = Paginator(found, PAGE_ROWS).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/directory.html",
        {
            "services": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "q": request.GET.get("q", ""),
            "unit": unit,
            "units": OrgUnit.objects.order_by("path"),
            "capacity": capacity,
            "capacities": Capacity.choices,
            "whole": user.has_perm("referrals.view_whole_directory"),
            "may_add": user.has_perm("referrals.add_service"),
            "may_refer": user.has_perm("referrals.refer"),
        },
    )


def _service_form(request, *, data=None, initial=None):

    user = request.user
    providers = Agency.objects.all() if user.has_perm("referrals.view_whole_directory") else Agency.objects.filter(pk=referral_rules.scope_of(user).agency_id)
    indicators = Indicator.objects.filter(code__startswith="mf-").values_list("code", "name")
    return ServiceForm(data, initial=initial, providers=providers, units=OrgUnit.objects.order_by("path"), indicators=list(indicators))


@login_required
def service_new(request):
    _require(request, "referrals.add_service")
    form = _service_form(request, data=request.POST or None, initial={"provider": referral_rules.scope_of(request.user).agency_id, "is_active": True})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            service = services.service_save(user=request.user, **data)
        except InvalidInput as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"{service.name} is listed in the directory.")
            return redirect("referrals:service", pk=service.pk)
    return render(request, "referrals/service_form.html", {"form": form, "service": None}, status=422 if form.errors else 200)


@login_required
def service_detail(request, pk: int):
    service = selectors.service_get(user=request.user, pk=pk)
    may_change = request.user.has_perm("referrals.change_service", service)
    capacity_form = CapacityForm(initial={"capacity": service.capacity, "capacity_note": service.capacity_note, "version": service.version})
    if request.method == "POST":
        _require(request, "referrals.change_service", service)
        capacity_form = CapacityForm(request.POST)
        if capacity_form.is_valid():
            try:
                services.service_capacity_set(user=request.user, service=service, **capacity_form.cleaned_data)
            except InvalidInput as error:
                _form_errors(capacity_form, error)
            except Conflict as error:
                messages.error(request, error.message)
                return redirect("referrals:service", pk=pk)
            else:
                messages.success(request, "Capacity updated.")
                return redirect("referrals:service", pk=pk)
    return render(
        request,
        "referrals/service.html",
        {
            "service": service,
            "may_change": may_change,
            "capacity_form": capacity_form,
            "may_refer": referral_rules.may_refer_to(request.user, service),
        },
    )


@login_required
def service_edit(request, pk: int):
    service = selectors.service_get(user=request.user, pk=pk)
    _require(request, "referrals.change_service", service)
    initial = {
        "provider": service.provider_id,
        "name": service.name,
        "offers": service.offers,
        "eligibility": service.eligibility,
        "how_to_refer": service.how_to_refer,
        "units_served": list(service.units_served.all()),
        "capacity": service.capacity,
        "capacity_note": service.capacity_note,
        "response_days": service.response_days,
        "indicator_code": service.indicator_code,
        "is_active": service.is_active,
        "version": service.version,
    }
    form = _service_form(request, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_save(user=request.user, service=service, **form.cleaned_data)
        except InvalidInput as error:
            _form_errors(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Service entry saved.")
            return redirect("referrals:service", pk=pk)
    return render(request, "referrals/service_form.html", {"form": form, "service": service}, status=422 if form.errors else 200)


# -- referrals -------------------------------------------------------------------------------------


SOURCE_LINKS = {
    Source.PROBLEM_CASE: ("problems:case", "PANDA case"),
    Source.TASKING: ("tasking:tasking", "Tasking"),
}


def source_link(referral: Referral) -> tuple[str, str] | None:
    """Where the referral was raised, as (url, label), for the link back."""
    if referral.source == Source.VICTIM_FOCUS:
        return reverse("events:victim_focus"), "Victim Focus intervention plan"
    if referral.source in SOURCE_LINKS and referral.source_id:
        name, label = SOURCE_LINKS[Source(referral.source)]
        return reverse(name, args=[int(referral.source_id)]), f"{label} {referral.source_id}"
    return None


@login_required
def referral_new(request):
    _require(request, "referrals.refer")
    user = request.user
    initial = {
        "service": request.GET.get("service") or None,
        "source": request.GET.get("source", Source.DIRECT) if request.GET.get("source") in Source.values else Source.DIRECT,
        "source_id": request.GET.get("source_id", ""),
        "person_key": request.GET.get("person_key", ""),
        "urgency": "routine",
    }
    form = ReferralForm(
        request.POST or None, initial=initial, services=selectors.services_to_refer_to(user=user), units=selectors.referral_units_for(user=user)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["source"] = data.get("source") or Source.DIRECT
        try:
            referral = services.referral_make(user=user, **data)
        except InvalidInput as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Referral {referral.reference} sent to {referral.provider}.")
            return redirect("referrals:referral", pk=referral.pk)
    source = initial["source"] if request.method == "GET" else request.POST.get("source", "")
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "source_label": Source(source).label if source in Source.values and source != Source.DIRECT else ""},
        status=422 if form.errors else 200,
    )


@login_required
def referral_detail(request, pk: int):
    view = selectors.referral_get(user=request.user, pk=pk, purpose=request.GET.get("purpose", ""))
    referral = view.referral
    moves = []
    for move in view.moves:
        form = MoveForm(initial={"move": move, "version": referral.version}, prefix=move)
        moves.append({"move": move, "label": Move(move).label, "form": form, "inputs": MOVE_INPUTS.get(move, ())})
    return render(
        request,
        "referrals/referral.html",
        {"view": view, "referral": referral, "moves": moves, "source": source_link(referral)},
    )


@login_required
@require_POST
def referral_step(request, pk: int):
    referral = Referral.objects.filter(pk=pk).first()
    if referral is None or not referral_rules.may_view_referral(request.user, referral):
        raise Http404
    move = request.POST.get("move", "")
    form = MoveForm(request.POST, prefix=move)
    if not form.is_valid():
        messages.error(request, "The step could not be read; nothing was saved.")
        return redirect("referrals:referral", pk=pk)
    try:
        services.referral_move(user=request.user, referral=referral, **{k: v for k, v in form.cleaned_data.items()})
    except InvalidInput as error:
        detail = "; ".join(m for errors in error.field_errors.values() for m in errors) or error.message
        messages.error(request, f"Nothing was saved: {detail}")
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{Move(move).label}: recorded.")
    return redirect("referrals:referral", pk=pk)


# -- figures and evidence --------------------------------------------------------------------------


@login_required
def figures(request):

    _require(request, "referrals.view_figures")
    unit = OrgUnit.objects.filter(code=request.GET.get("unit", "")).first() or default_unit_for(user=request.user)
    if request.method == "POST":
        _require(request, "measures.recompute_statuses")
        result = services.referral_figures_compute(user=request.user)
        note = f" Not defined (load measures' shipped content): {', '.join(result.missing_indicators)}." if result.missing_indicators else ""
        messages.success(request, f"Referral figures recomputed: {result.observations} figures over {result.months} months in {result.units} units.{note}")
        return redirect(f"{reverse('referrals:figures')}?unit={unit.code}")
    return render(
        request,
        "referrals/figures.html",
        {
            "result": selectors.referral_figures_for(user=request.user, unit=unit),
            "units": OrgUnit.objects.filter(level__in=["national", "district", "area"]).order_by("path"),
            "may_recompute": request.user.has_perm("measures.recompute_statuses"),
        },
    )


def _evidence_args(request):
    unit = OrgUnit.objects.filter(code=request.GET.get("unit", "")).first()
    dates = []
    for name in ("from", "to"):
        try:
            dates.append(dt.date.fromisoformat(request.GET.get(name, "")))
        except ValueError:
            dates.append(None)
    return unit, dates[0], dates[1]


@login_required
def capacity_declines(request):
    unit, date_from, date_to = _evidence_args(request)
    result = selectors.capacity_declines_for(user=request.user, unit=unit, date_from=date_from, date_to=date_to)
    return render(
        request,
        "referrals/capacity_declines.html",
        {
            "result": result,
            "units": referral_rules.scope_of(request.user).filter(OrgUnit.objects.all(), field=None),
            "query": request.GET.urlencode(),
            "barriers": selectors.barriers_to_attach_to(user=request.user),
        },
    )


@login_required
@require_POST
def capacity_evidence_attach(request):

    unit, date_from, date_to = _evidence_args(request)
    barrier_id = request.POST.get("barrier", "")
    if not barrier_id.isdigit():
        messages.error(request, "Choose the barrier to attach the evidence to; nothing was attached.")
        return redirect(f"{reverse('referrals:capacity_declines')}?{request.GET.urlencode()}")
    barrier = barrier_get(user=request.user, pk=int(barrier_id))
    try:
        services.capacity_evidence_attach(
            user=request.user, barrier=barrier, unit=unit, date_from=date_from, date_to=date_to, note=request.POST.get("note", "")
        )
    except InvalidInput as error:
        messages.error(request, "; ".join(m for errors in error.field_errors.values() for m in errors) or error.message)
        return redirect(f"{reverse('referrals:capacity_declines')}?{request.GET.urlencode()}")
    messages.success(request, f"Evidence attached to “{barrier.title}”.")
    return redirect("strategy:barrier", pk=barrier.pk)


@login_required
def capacity_declines_csv(request):
    unit, date_from, date_to = _evidence_args(request)
    result = selectors.capacity_declines_for(user=request.user, unit=unit, date_from=date_from, date_to=date_to)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="declined-no-capacity.csv"'
    response.write("\ufeff")  # Excel reads the macrons as UTF-8 with the byte-order mark
    writer = csv_writer(response)
    writer.writerow(["service", "provider", "capacity now", "area", "area code", "declined: no capacity", "note"])
    for row in result["rows"]:
        note = "suppressed (fewer than the disclosure threshold)" if row["suppressed"] else ("randomly rounded (RR3)" if row["protected"] else "")
        writer.writerow(
            [
                row["service"],
                row["provider"],
                row["capacity_now"],
                row["area"],
                row["area_code"],
                "" if row["suppressed"] else row["declined_no_capacity"],
                note,
            ]
        )
    return response


@login_required
@require_POST
def expire(request):
    _require(request, "referrals.run_expiry")
    result = services.referrals_expire(user=request.user)
    messages.success(request, f"{result.reduced} referral{'s' if result.reduced != 1 else ''} made before {result.cutoff:%-d %b %Y} reduced to counts.")
    return redirect("referrals:overview")
