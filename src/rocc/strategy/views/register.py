"""Pages of the barrier escalation register and the initiative stocktake."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from rocc.strategy.forms import (
    BarrierResponseForm,
    InitiativeForm,
)
from rocc.strategy.models import (
    FocusAreaKind,
)
from rocc.strategy.rules import barrier_moves
from rocc.strategy.selectors import plans as plans_selectors
from rocc.strategy.selectors import register as register_selectors
from rocc.strategy.services import register as register_services
from rocc.strategy.views.common import error_messages, read_allowed


@login_required
def barrier_detail(request, pk: int):
    read_allowed(request)
    barrier = register_selectors.barrier_get(user=request.user, pk=pk)
    form = BarrierResponseForm(request.POST or None, initial={"response": barrier.response})
    if request.method == "POST":
        move = request.POST.get("action")
        try:
            if move == "escalate":
                register_services.barrier_escalate(user=request.user, barrier=barrier)
                messages.success(request, "Escalated to the centre.")
            elif move == "respond" and form.is_valid():
                register_services.barrier_respond(user=request.user, barrier=barrier, response=form.cleaned_data["response"])
                messages.success(request, "Response recorded.")
            elif move == "close":
                register_services.barrier_close(user=request.user, barrier=barrier)
                messages.success(request, "Barrier closed.")
            elif move != "respond":
                raise Http404("No such action")
        except ValidationError as error:
            messages.error(request, " ".join(error_messages(error)))
        if not form.errors or move != "respond":
            return redirect("strategy:barrier", pk=pk)
    return render(
        request,
        "strategy/barrier.html",
        {
            "barrier": barrier,
            "form": form,
            "moves": barrier_moves(request.user, barrier),
        },
        status=400 if form.errors else 200,
    )


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def initiatives(request):
    read_allowed(request)
    units = plans_selectors.units_for_editing(user=request.user, perm="strategy.edit_initiative")
    form = InitiativeForm(request.POST or None, units=units)
    if request.method == "POST":
        if not units.exists():
            raise PermissionDenied
        if form.is_valid():
            try:
                register_services.initiative_save(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error_messages(error))
            else:
                messages.success(request, "Initiative added to the stocktake.")
                return redirect("strategy:initiatives")
    as_at = _date(request.GET.get("as_at", ""))
    q, focus_area, unit = request.GET.get("q", ""), request.GET.get("focus_area", ""), request.GET.get("unit", "")
    return render(
        request,
        "strategy/initiatives.html",
        {
            "initiatives": register_selectors.initiative_list(user=request.user, query=q, focus_area=focus_area, unit_code=unit),
            "matrix": register_selectors.initiative_gap_matrix(user=request.user, as_at=as_at),
            "as_at": as_at,
            "form": form,
            "may_add": units.exists(),
            "q": q,
            "focus_area": focus_area,
            "unit": unit,
            "focus_areas": FocusAreaKind.choices,
        },
        status=400 if form.errors else 200,
    )


@login_required
def initiative_detail(request, pk: int):
    read_allowed(request)
    initiative = register_selectors.initiative_get(user=request.user, pk=pk)
    may_edit = request.user.has_perm("strategy.edit_initiative", initiative)
    units = plans_selectors.units_for_editing(user=request.user, perm="strategy.edit_initiative")
    initial = {
        f: getattr(initiative, f)
        for f in ("name", "provider", "unit", "focus_area", "description", "funding_amount", "funding_source", "start_date", "end_date", "evidence")
    }
    form = InitiativeForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            register_services.initiative_remove(user=request.user, initiative=initiative)
            messages.success(request, "Initiative removed from the stocktake.")
            return redirect("strategy:initiatives")
        if form.is_valid():
            try:
                register_services.initiative_save(user=request.user, initiative=initiative, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error_messages(error))
            else:
                messages.success(request, "Initiative saved.")
                return redirect("strategy:initiative", pk=pk)
    return render(request, "strategy/initiative.html", {"initiative": initiative, "form": form, "may_edit": may_edit}, status=400 if form.errors else 200)
