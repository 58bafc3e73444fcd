"""Pages of taskings: the list (all, or overdue only) and a tasking's page with its updates and targets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from rocc.tasking.forms import TaskingUpdateForm
from rocc.tasking.rules import may_record_tasking_update
from rocc.tasking.selectors import taskings as taskings_selectors
from rocc.tasking.services import taskings as taskings_services
from rocc.tasking.services.common import RecordChanged
from rocc.tasking.views.common import read_allowed, refused
from rocc.tasking.views.deconfliction import targets_panel


@login_required
def tasking_list(request):
    read_allowed(request)
    today = timezone.localdate()
    taskings = taskings_selectors.tasking_list(user=request.user)
    only_overdue = request.GET.get("overdue") == "1"
    if only_overdue:
        taskings = taskings_selectors.overdue_taskings(user=request.user, today=today)
    taskings = list(taskings)
    return render(
        request,
        "tasking/taskings.html",
        {
            "taskings": taskings,
            "today": today,
            "only_overdue": only_overdue,
            "overdue_ids": {t.pk for t in taskings if t.is_overdue(today)},
        },
    )


def _tasking_page(request, tasking, *, form=None, status=200):
    today = timezone.localdate()
    return render(
        request,
        "tasking/tasking.html",
        {
            "tasking": tasking,
            "today": today,
            "overdue": tasking.is_overdue(today),
            "updates": tasking.updates.select_related("author"),
            **targets_panel(user=request.user, subject=tasking),
            "may_update": may_record_tasking_update(request.user, tasking),
            "form": form or TaskingUpdateForm(tasking=tasking, initial={"version": tasking.version, "status": tasking.status}),
            "report_visible": tasking.report_id and request.user.has_perm("tasking.view_report", tasking.report),
        },
        status=status,
    )


@login_required
def tasking_detail(request, pk: int):
    read_allowed(request)
    tasking = taskings_selectors.tasking_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _tasking_page(request, tasking)
    form = TaskingUpdateForm(request.POST, tasking=tasking)
    if not form.is_valid():
        return _tasking_page(request, tasking, form=form, status=400)
    data = form.cleaned_data
    try:
        taskings_services.tasking_update(
            actor=request.user, tasking=tasking, version=data["version"], status=data["status"], note=data["note"], result=data["result"]
        )
    except (RecordChanged, ValidationError) as error:
        return _tasking_page(request, tasking, form=form, status=refused(form, error))
    messages.success(request, "Tasking updated.")
    return redirect("tasking:tasking", pk=pk)
