"""Writes that hand a problem-solving case's Deploy milestones to Tasking & Coordination: raising a milestone as a
tasking of the case's forum, so the milestone and the tasking are one piece of work seen from both sides."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from rocc.org.models import NationalGroup, OrgUnit
from rocc.problems.models import Milestone
from rocc.tasking.models import Tasking
from rocc.tasking.selectors.taskings import case_forum
from rocc.tasking.services.taskings import tasking_create


@transaction.atomic
def milestone_raise_as_tasking(
    *,
    actor,
    milestone: Milestone,
    owner,
    tasked_unit: OrgUnit | None = None,
    tasked_group: NationalGroup | None = None,
    due_date: dt.date | None = None,
    description: str = "",
) -> Tasking:
    """Raise a case's milestone as a tasking of the case's T&C forum (the forum its report sits at, else its district's
    T&C), due when the milestone is unless another date is given. Completing the tasking marks the milestone done, and
    marking the milestone done completes the tasking."""
    current = Milestone.objects.select_for_update(of=("self",)).select_related("case", "tasking").get(pk=milestone.pk)
    if current.tasking is not None:
        raise ValidationError({"milestone": f"This milestone is already tasking {current.tasking.reference}."})
    if current.done_on is not None:
        raise ValidationError({"milestone": "This milestone is done; there is nothing to task."})
    case = current.case
    tasking = tasking_create(
        actor=actor,
        title=current.description,
        description=description or f"Deploy milestone of the problem-solving case “{case.title}”.",
        owner=owner,
        due_date=due_date or current.due,
        tasked_unit=tasked_unit,
        tasked_group=tasked_group,
        report=case.source_report,
        forum=case_forum(case),
        case=case,
    )
    current.tasking = tasking
    current.save(update_fields=["tasking"])
    return tasking
