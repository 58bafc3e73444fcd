"""The reminders the schedule raises for due dates: returns due soon or overdue, taskings due soon or overdue, and
case reviews due. Each capability's selector says what is due; this module says whom to tell. Each reminder has a
key (the item and the reason), so it is raised once per person however often the schedule runs."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from rocc.inbox.models import Reason
from rocc.inbox.services import notify
from rocc.org.models import Role
from rocc.org.selectors import users_with_role
from rocc.problems.selectors import case_reviews_for_reminders
from rocc.returns.selectors import returns_owed_for_reminders
from rocc.tasking.selectors.taskings import taskings_for_reminders

# Returns whose due date is older than this when the schedule first sees them are not reminded of: a new deployment
# (or a data set added with years of periods) should not send a reminder for every past period at once.
RETURN_REMINDER_LOOKBACK_DAYS = 31


def _return_reminders(today: dt.date) -> int:

    made = 0
    reporters: dict[int, list] = {}
    for owed in returns_owed_for_reminders(today=today, due_from=today - dt.timedelta(days=RETURN_REMINDER_LOOKBACK_DAYS)):
        a = owed.assignment
        if a.agency_id not in reporters:
            reporters[a.agency_id] = list(users_with_role(Role.PROVIDER_REPORTER, agency_id=a.agency_id))
        recipients = [u for u in reporters[a.agency_id] if u.has_perm("returns.edit_return", a)]
        overdue = owed.is_overdue(today)
        label = f"{a.data_set.name} for {a.unit.name}, {owed.period.label}"
        url = reverse("returns:detail", args=[owed.provider_return.pk]) if owed.provider_return else reverse("returns:data_set", args=[a.data_set.code])
        made += len(
            notify(
                recipients=recipients,
                reason=Reason.RETURN_OVERDUE if overdue else Reason.RETURN_DUE_SOON,
                title=(f"Return overdue since {owed.due_date:%d %b %Y}: {label}" if overdue else f"Return due {owed.due_date:%d %b %Y}: {label}")[:200],
                url=url,
                key=f"{owed.key}:{'overdue' if overdue else 'due_soon'}",
            )
        )
    return made


def _tasking_reminders(today: dt.date) -> int:

    made = 0
    for tasking in taskings_for_reminders(today=today):
        overdue = tasking.is_overdue(today)
        made += len(
            notify(
                recipients=[tasking.owner],
                reason=Reason.TASKING_OVERDUE if overdue else Reason.TASKING_DUE_SOON,
                title=f"Tasking {tasking.reference} for {tasking.tasked_to} {'overdue since' if overdue else 'due'} {tasking.due_date:%d %b %Y}",
                url=reverse("tasking:tasking", args=[tasking.pk]),
                key=f"tasking:{tasking.pk}:{'overdue' if overdue else 'due_soon'}",
            )
        )
    return made


def _review_reminders(today: dt.date) -> int:

    made = 0
    for case, due in case_reviews_for_reminders(today=today):
        made += len(
            notify(
                recipients=[case.owner],
                reason=Reason.CASE_REVIEW_DUE,
                title=f"Deployment review of case {case.pk} ({case.scope_unit.name}) {'was due' if due < today else 'due'} {due:%d %b %Y}",
                url=reverse("problems:case", args=[case.pk]),
                key=f"case:{case.pk}:review:{due.isoformat()}",
            )
        )
    return made


def reminders_raise(*, today: dt.date | None = None) -> dict[str, int]:
    """Raise every reminder due on ``today`` (New Zealand date) that has not been raised yet; returns how many of
    each kind were made now."""
    today = today or timezone.localdate()
    return {"returns": _return_reminders(today), "taskings": _tasking_reminders(today), "reviews": _review_reminders(today)}
