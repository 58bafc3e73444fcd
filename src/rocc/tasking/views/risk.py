"""The risk page: the current methodology (and a new version of it, for the programme office), its earlier versions,
the rankings and the reports still to be scored."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from rocc.tasking.forms import MethodologyVersionForm
from rocc.tasking.selectors import risk as risk_selectors
from rocc.tasking.services import risk as risk_services
from rocc.tasking.views.common import errors_into, read_allowed


@login_required
def risk(request):
    read_allowed(request)
    methodology = risk_selectors.current_methodology()
    may_change = request.user.has_perm("tasking.change_methodology")
    form = None
    status = 200
    if methodology is not None and may_change:
        form = MethodologyVersionForm(request.POST or None, methodology=methodology)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    with_new = risk_services.methodology_version_create(
                        actor=request.user,
                        base=methodology,
                        note=form.cleaned_data["note"],
                        dimensions=form.dimension_rows(),
                        modifier_floor=form.cleaned_data["modifier_floor"],
                    )
                    result = risk_services.methodology_publish(actor=request.user, methodology=with_new)
                except ValidationError as error:
                    errors_into(form, error)
                else:
                    messages.success(
                        request,
                        f"{with_new} is now current: {result.rescored} score(s) re-ranked, "
                        f"{result.needs_rescoring} need re-scoring. Earlier scores are kept with their version.",
                    )
                    return redirect("tasking:risk")
    elif request.method == "POST":
        raise PermissionDenied
    kind = request.GET.get("kind") or None
    if kind not in {None, "report", "case", "target"}:
        kind = None
    return render(
        request,
        "tasking/risk.html",
        {
            "methodology": methodology,
            "versions": risk_selectors.methodology_list(),
            "form": form,
            "kind": kind,
            "ranked": risk_selectors.rankings(user=request.user, kind=kind),
            "unscored": risk_selectors.reports_needing_scores(user=request.user),
        },
        status=status,
    )
