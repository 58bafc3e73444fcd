"""Pages for the organisation: agencies, units with populations, the national structure, users."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from rocc.org import selectors
from rocc.org.models import AgencyKind, UnitLevel


def _reference(request) -> None:
    if not request.user.has_perm("org.view_reference"):
        raise PermissionDenied


@login_required
def overview(request):
    _reference(request)
    return render(
        request,
        "org/overview.html",
        {
            "agency_count": selectors.agency_list(user=request.user).count(),
            "unit_count": selectors.unit_list(user=request.user).count(),
            "group_count": selectors.national_group_list(user=request.user).count(),
        },
    )


@login_required
def agency_list(request):
    _reference(request)
    query, kind = request.GET.get("q", ""), request.GET.get("kind", "")
    agencies = selectors.agency_list(user=request.user, query=query, kind=kind)
    return render(request, "org/agency_list.html", {"agencies": agencies, "q": query, "kind": kind, "kinds": AgencyKind.choices})


@login_required
def agency_detail(request, short_name: str):
    _reference(request)
    return render(request, "org/agency_detail.html", {"agency": selectors.agency_get(user=request.user, short_name=short_name)})


@login_required
def unit_list(request):
    _reference(request)
    query, level = request.GET.get("q", ""), request.GET.get("level", "")
    units = list(selectors.unit_list(user=request.user, query=query, level=level))
    populations = {p.unit_id: p for p in selectors.population_list(user=request.user).filter(age_band="", sex="", ethnicity="").order_by("period_end")}
    rows = [(u, populations.get(u.pk)) for u in units]
    return render(request, "org/unit_list.html", {"rows": rows, "q": query, "level": level, "levels": UnitLevel.choices})


@login_required
def unit_detail(request, code: str):
    _reference(request)
    unit = selectors.unit_get(user=request.user, code=code)
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "ancestors": unit.ancestors().exclude(pk=unit.pk),
            "children": unit.children.all(),
            "populations": selectors.population_list(user=request.user, unit=unit),
            "in_scope": request.user.has_perm("org.work_in_unit", unit),
        },
    )


@login_required
def structure(request):
    _reference(request)
    return render(request, "org/structure.html", {"groups": selectors.national_group_list(user=request.user)})


@login_required
def group_detail(request, code: str):
    _reference(request)
    return render(request, "org/group_detail.html", {"group": selectors.national_group_get(user=request.user, code=code)})


@login_required
def users(request):
    if not request.user.has_perm("org.view_user_list"):
        raise PermissionDenied
    return render(request, "org/users.html", {"people": selectors.user_list(user=request.user)})
