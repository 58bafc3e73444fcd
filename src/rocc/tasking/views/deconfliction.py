"""Pages of targets and deconfliction: the targets panel of a product, tasking or case, naming a target, and the
alerts on the user's own targets with their acknowledgement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rocc.problems.selectors import case_get
from rocc.tasking.forms import TargetForm
from rocc.tasking.selectors import deconfliction as deconfliction_selectors
from rocc.tasking.selectors import products as products_selectors
from rocc.tasking.selectors import taskings as taskings_selectors
from rocc.tasking.services import deconfliction as deconfliction_services
from rocc.tasking.views.common import read_allowed


def targets_panel(*, user, subject) -> dict:
    """The context of the targets section of a product's, tasking's or case's page (template ``tasking/_targets.html``):
    the targets it names, and the form to name another when the user may."""
    kind = deconfliction_services.subject_field(subject)
    return {
        "targets": deconfliction_selectors.targets_named(subject),
        "target_form": TargetForm(),
        "deconfliction_metres": deconfliction_services.deconfliction_metres(),
        "target_action": reverse("tasking:target_add", args=[kind, subject.pk]),
        "may_name": user.has_perm("tasking.name_target", subject),
    }


@login_required
@require_POST
def target_add(request, subject_type: str, pk: int):
    read_allowed(request)
    if subject_type == "product":
        subject = products_selectors.product_get(user=request.user, pk=pk)
        back = reverse("tasking:product", args=[pk])
    elif subject_type == "tasking":
        subject = taskings_selectors.tasking_get(user=request.user, pk=pk)
        back = reverse("tasking:tasking", args=[pk])
    elif subject_type == "case":
        subject = case_get(user=request.user, pk=pk)
        back = reverse("problems:case", args=[pk])
    else:
        raise Http404("No such record")
    form = TargetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _, alerts = deconfliction_services.target_name(
                actor=request.user,
                subject=subject,
                kind=data["kind"],
                identifier=data["identifier"],
                purpose=data["purpose"],
                group_name=data["group_name"],
                x=data["x"],
                y=data["y"],
                place_label=data["place_label"],
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
    read_allowed(request)
    return render(request, "tasking/alerts.html", {"views": deconfliction_selectors.alert_views(user=request.user)})


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    read_allowed(request)
    alert = deconfliction_selectors.alert_get(user=request.user, pk=pk)
    try:
        deconfliction_services.alert_acknowledge(actor=request.user, alert=alert)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Alert {alert.pk} acknowledged.")
    return redirect("tasking:alerts")
