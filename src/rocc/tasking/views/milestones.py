"""The T&C side of a problem-solving case's Deploy stage: the case's taskings as its milestones, with owner, due date,
status and overdue flag, and raising a milestone as a tasking."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from rocc.org.models import UnitLevel
from rocc.problems.models import Milestone, Stage
from rocc.problems.selectors import case_flags, case_get
from rocc.tasking.forms import MilestoneTaskingForm
from rocc.tasking.models import Tasking
from rocc.tasking.rules import may_task
from rocc.tasking.selectors.taskings import case_forum, tasking_owner_candidates, taskings_for_case
from rocc.tasking.services.milestones import milestone_raise_as_tasking


def _tasked_unit(case):
    return case.scope_unit if case.scope_unit.level != UnitLevel.NATIONAL else None


def deploy_taskings(*, user, case, milestones) -> dict:
    """What the case's Deploy stage shows of Tasking & Coordination: its taskings and, for a user who may task at the
    case's forum, on each milestone not yet tasked (``tasking_form``) the form that raises it as a tasking."""
    flags = case_flags([case])[0]
    forum = case_forum(case)
    may_raise = forum is not None and _tasked_unit(case) is not None and bool(may_task(user, Tasking(forum=forum)))
    if may_raise:
        owners = tasking_owner_candidates(user=user, tasked_unit=_tasked_unit(case))
        for milestone in milestones:
            milestone.tasking_form = MilestoneTaskingForm(owners=owners, prefix=f"t{milestone.pk}")
    return {
        "case_taskings": taskings_for_case(user=user, case=case, next_review=flags.review_due),
        "next_review": flags.review_due,
        "case_forum": forum,
        "may_raise_tasking": may_raise,
    }


@login_required
@require_POST
def milestone_raise(request, case_pk: int, pk: int):
    """Raise one of a case's milestones as a tasking of the case's forum, then show the case's Deploy stage."""
    case = case_get(user=request.user, pk=case_pk)
    milestone = Milestone.objects.filter(case=case, pk=pk).first()
    if milestone is None:
        raise Http404("No such milestone")
    back = reverse("problems:stage", args=[case.pk, Stage.DEPLOY])
    form = MilestoneTaskingForm(request.POST, owners=tasking_owner_candidates(user=request.user, tasked_unit=_tasked_unit(case)), prefix=f"t{milestone.pk}")
    if not form.is_valid():
        messages.error(request, "The tasking was not set: " + " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        tasking = milestone_raise_as_tasking(
            actor=request.user,
            milestone=milestone,
            owner=form.cleaned_data["owner"],
            tasked_unit=_tasked_unit(case),
            due_date=form.cleaned_data["due_date"],
        )
    except ValidationError as error:
        messages.error(request, "The tasking was not set: " + " ".join(error.messages))
        return redirect(back)
    messages.success(request, f"Milestone “{milestone.description}” is now tasking {tasking.reference}.")
    return redirect(back)
