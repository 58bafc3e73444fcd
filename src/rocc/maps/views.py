"""Pages of maps: an indicator's figures by district or area as a choropleth, and the boundaries loaded with their
source and licence."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from rocc.maps import components, selectors
from rocc.maps.forms import IndicatorMapForm
from rocc.measures.models import Indicator


@login_required
def indicator_map(request):
    if not request.user.has_perm("maps.view_maps"):
        raise PermissionDenied
    form = IndicatorMapForm(request.GET or None, user=request.user)
    map_context = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            map_context = components.choropleth_map(
                user=request.user, indicator_code=data["indicator"], level=data["level"], period=data["period"] or None, public=data["public"]
            )
        except Indicator.DoesNotExist:
            raise Http404("No such indicator") from None
        form.offer_periods(map_context["layer"]["periods"])
    return render(
        request,
        "maps/indicator_map.html",
        {
            "form": form,
            "map": map_context,
            "boundary_sets": selectors.boundary_sets_for(user=request.user),
            "levels": selectors.boundary_levels(),
            "may_import": request.user.has_perm("maps.import_boundaries"),
        },
        status=422 if form.is_bound and form.errors else 200,
    )
