"""The schedule the worker runs: reminders for returns, taskings and case reviews raised once per item and reason
however often it runs, and the worker command starting it (no external cron)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rocc.inbox.models import Notification, Reason
from rocc.inbox.reminders import reminders_raise
from rocc.inbox.schedule import schedule_run_once, schedule_start
from rocc.testing import load_once


def _by_reason(user) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reason in Notification.objects.filter(recipient=user).values_list("reason", flat=True):
        counts[reason] = counts.get(reason, 0) + 1
    return counts


def test_returns_due_soon_and_overdue_are_reminded_once_each_to_the_providers_reporters(data_set, people, open_return):
    # The data set is monthly, due 20 days after each month. On 15 April 2025: March is due 20 April (soon),
    # February was due 20 March (overdue, within the look-back), and older months are too old to remind of.
    today = dt.date(2025, 4, 15)
    draft = open_return("2025-02")
    first = reminders_raise(today=today)
    assert first["returns"] == 4  # February and March, for each provider's one reporter
    ngo = people["ngo"]
    notes = {n.reason: n for n in Notification.objects.filter(recipient=ngo)}
    assert set(notes) == {Reason.RETURN_DUE_SOON, Reason.RETURN_OVERDUE}
    assert "Mar 2025" in notes[Reason.RETURN_DUE_SOON].title and "20 Apr 2025" in notes[Reason.RETURN_DUE_SOON].title
    assert notes[Reason.RETURN_DUE_SOON].url == f"/measures/returns/data-sets/{data_set.code}/"
    assert notes[Reason.RETURN_OVERDUE].url == f"/measures/returns/{draft.pk}/"
    assert Notification.objects.filter(recipient=people["pho"]).count() == 2
    assert reminders_raise(today=today)["returns"] == 0
    assert reminders_raise(today=today + dt.timedelta(days=1))["returns"] == 0
    # When March's due date passes, it becomes overdue: a new reason, so one more reminder.
    assert reminders_raise(today=dt.date(2025, 4, 21))["returns"] == 2
    assert _by_reason(ngo) == {Reason.RETURN_DUE_SOON: 1, Reason.RETURN_OVERDUE: 2}
    assert Notification.objects.filter(recipient__in=[people["manager"], people["waitemata_coordinator"]]).count() == 0


def test_a_submitted_return_is_not_reminded_of(data_set, people, open_return):
    from rocc.returns.services import return_submit, return_values_save
    from rocc.returns.tests.fixtures import REFERRAL_CODES

    ret = open_return("2025-03")
    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, (12, 5, 3))))
    return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    reminders_raise(today=dt.date(2025, 4, 15))
    titles = list(Notification.objects.filter(recipient=people["ngo"]).values_list("title", flat=True))
    assert not any(t.endswith("Waitematā, Mar 2025") for t in titles) and any(t.endswith("Waitematā, Feb 2025") for t in titles)


def test_taskings_due_soon_then_overdue_remind_their_owner_once_each(make_tasking, tasking_people):
    today = timezone.localdate()
    tasking = make_tasking(due=today + dt.timedelta(days=2))
    later = make_tasking(due=today + dt.timedelta(days=20))
    owner = tasking_people["waitemata_tc"]
    assert reminders_raise(today=today)["taskings"] == 1
    assert reminders_raise(today=today)["taskings"] == 0
    assert reminders_raise(today=today + dt.timedelta(days=3))["taskings"] == 1
    assert _by_reason(owner) == {Reason.TASKING_ASSIGNED: 2, Reason.TASKING_DUE_SOON: 1, Reason.TASKING_OVERDUE: 1}
    overdue = Notification.objects.get(recipient=owner, reason=Reason.TASKING_OVERDUE)
    assert overdue.url == f"/tasking/taskings/{tasking.pk}/" and "Aroha" not in overdue.title
    assert not Notification.objects.filter(url=f"/tasking/taskings/{later.pk}/", reason__in=[Reason.TASKING_DUE_SOON, Reason.TASKING_OVERDUE]).exists()


def test_a_case_review_due_reminds_its_owner_once_per_review_date(make_user, defaults):
    from rocc.org.models import OrgUnit
    from rocc.problems.models import Case, Stage
    from rocc.problems.services import case_open, problems_defaults_load

    load_once(problems_defaults_load)
    owner = make_user("regional_coordinator", units=["waitemata"], username="case-owner")
    case = case_open(
        actor=owner, title="Burglaries around Henderson", description="Repeat burglaries.", scope_unit=OrgUnit.objects.get(code="waitemata"), owner=owner
    )
    today = timezone.localdate()
    # Set up a case already in Deploy on a weekly cycle (the stage moves are tested by problems' own tests).
    Case.objects.filter(pk=case.pk).update(stage=Stage.DEPLOY, review_cycle="weekly", deployed_on=today - dt.timedelta(days=6))
    assert reminders_raise(today=today)["reviews"] == 1
    assert reminders_raise(today=today + dt.timedelta(days=2))["reviews"] == 0
    note = Notification.objects.get(recipient=owner, reason=Reason.CASE_REVIEW_DUE)
    assert note.url == f"/problems/cases/{case.pk}/" and "Waitematā" in note.title and "Henderson" not in note.title


def test_one_pass_of_the_schedule_raises_reminders_and_sends_nothing_without_smtp(make_tasking):
    make_tasking(due=timezone.localdate() + dt.timedelta(days=1))
    assert schedule_run_once() == {"returns": 0, "taskings": 1, "reviews": 0, "referrals": 0, "emails": 0, "digests": 0}
    assert schedule_run_once()["taskings"] == 0


def test_the_schedule_runs_in_a_background_thread_until_stopped(transactional_db, defaults):
    thread, stop = schedule_start(every=0.05)
    assert thread.is_alive() and thread.daemon
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_the_worker_command_starts_the_schedule_beside_the_queue():
    import importlib
    import inspect

    source = inspect.getsource(importlib.import_module("rocc.cli.main").worker)
    assert source.index("schedule_start()") < source.index('call_command("db_worker"')
