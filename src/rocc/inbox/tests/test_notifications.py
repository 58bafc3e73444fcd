"""Notifications end to end: the moves of returns, taskings, barriers, deconfliction and imports tell the right people,
in rocc and by e-mail through a real SMTP server on localhost, at once or in a daily digest; nothing person-level
leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from rocc.core.errors import InvalidInput
from rocc.inbox.models import Notification, Reason
from rocc.inbox.services import digests_send, notify, preference_set
from rocc.returns.services import return_approve, return_send_back, return_submit, return_values_save
from rocc.returns.tests.fixtures import REFERRAL_CODES


def _submitted(open_return, people, period="2025-03"):
    ret = open_return(period)
    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, (12, 5, 3))))
    return return_submit(user=people["ngo"], provider_return=ret, version=ret.version)


def _reasons(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("reason", flat=True))


def test_a_submitted_return_tells_its_approvers_and_not_other_regions_or_the_submitter(open_return, people):
    ret = _submitted(open_return, people)
    assert _reasons(people["manager"]) == [Reason.RETURN_SUBMITTED]
    assert _reasons(people["waitemata_coordinator"]) == [Reason.RETURN_SUBMITTED]
    assert _reasons(people["canterbury_coordinator"]) == []
    assert _reasons(people["ngo"]) == []
    note = Notification.objects.get(recipient=people["manager"])
    assert note.url == f"/measures/returns/{ret.pk}/"
    assert "Waitematā" in note.title and "Mar 2025" in note.title


def test_a_return_sent_back_and_then_approved_tells_the_providers_reporters_without_the_approvers_comment(open_return, people):
    ret = _submitted(open_return, people)
    ret = return_send_back(user=people["manager"], provider_return=ret, version=ret.version, comment="Check the Ōrewa clinic's referrals for Hēmi Walker")
    assert _reasons(people["ngo"]) == [Reason.RETURN_RETURNED]
    assert "Hēmi" not in Notification.objects.get(recipient=people["ngo"]).title
    assert _reasons(people["pho"]) == []  # another provider hears nothing
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    return_approve(user=people["waitemata_coordinator"], provider_return=ret, version=ret.version)
    assert _reasons(people["ngo"]) == [Reason.RETURN_RETURNED, Reason.RETURN_APPROVED]


def test_taskings_assigned_and_completed_tell_the_owner_and_whoever_set_it_never_the_title(make_tasking, tasking_people):
    from rocc.tasking.services.taskings import tasking_update

    tasking = make_tasking()
    note = Notification.objects.get(recipient=tasking_people["waitemata_tc"])
    assert note.reason == Reason.TASKING_ASSIGNED and note.url == f"/tasking/taskings/{tasking.pk}/"
    assert tasking.reference in note.title and "Aroha" not in note.title
    tasking_update(actor=tasking_people["waitemata_tc"], tasking=tasking, version=tasking.version, status="completed", note="Done", result="Address visited")
    done = Notification.objects.get(recipient=tasking_people["occc"])
    assert done.reason == Reason.TASKING_COMPLETED and "Aroha" not in done.title


def test_a_deconfliction_alert_tells_both_owners_and_its_acknowledgement_the_other_without_the_person(make_tasking, tasking_people):
    from rocc.tasking.services.deconfliction import alert_acknowledge, target_name

    mine = make_tasking()
    theirs = make_tasking(owner="canterbury_tc", unit="canterbury")
    target_name(actor=tasking_people["waitemata_tc"], subject=mine, kind="person", identifier="PRN 4471-22", purpose="Supply network")
    _, alerts = target_name(actor=tasking_people["canterbury_tc"], subject=theirs, kind="person", identifier="PRN 4471-22", purpose="Courier check")
    for who in ("waitemata_tc", "canterbury_tc"):
        raised = Notification.objects.get(recipient=tasking_people[who], reason=Reason.ALERT_RAISED)
        assert raised.url == "/tasking/deconfliction/" and "the same person" in raised.title
        assert "4471" not in raised.title
    alert_acknowledge(actor=tasking_people["waitemata_tc"], alert=alerts[0])
    assert Notification.objects.filter(recipient=tasking_people["canterbury_tc"], reason=Reason.ALERT_ACKNOWLEDGED).count() == 1
    assert Notification.objects.filter(recipient=tasking_people["waitemata_tc"], reason=Reason.ALERT_ACKNOWLEDGED).count() == 0


def test_an_import_that_finishes_or_fails_tells_whoever_started_it(make_user, defaults):
    from rocc.events.models import BatchStatus, EventSource, ImportBatch
    from rocc.events.services import _finish

    analyst = make_user("analyst")
    source = EventSource.objects.create(name="test-source", mapping={})
    batch = ImportBatch.objects.create(source=source, file_name="events-2025.csv", sha256="0" * 64, created_by=analyst)
    _finish(batch, BatchStatus.REJECTED, message="row 3: no date")
    note = Notification.objects.get(recipient=analyst)
    assert note.reason == Reason.IMPORT_FAILED and note.url == f"/events/batches/{batch.pk}/"


def test_notify_refuses_an_unknown_reason_an_empty_title_and_a_link_outside_rocc_and_makes_nothing(make_user):
    user = make_user("viewer")
    with pytest.raises(InvalidInput) as refused:
        notify(recipients=[user], reason="gossip", title=" ", url="https://elsewhere.example.com/")
    assert set(refused.value.field_errors) == {"reason", "title", "url"}
    with pytest.raises(InvalidInput):
        notify(recipients=[user], reason=Reason.OTHER, title="A notice", url="//elsewhere.example.com/")
    assert Notification.objects.count() == 0


def test_a_keyed_notification_is_made_once_per_person_however_often_it_is_raised(make_user):
    user = make_user("viewer")
    for _ in range(3):
        notify(recipients=[user, user], reason=Reason.OTHER, title="Once only", url="/", key="test:1:once")
    assert Notification.objects.filter(recipient=user).count() == 1


# --- the inbox ---------------------------------------------------------------------------------------------------


def test_the_shell_shows_the_unread_count_and_opening_a_notification_marks_it_read_and_goes_to_its_page(client, open_return, people):
    ret = _submitted(open_return, people)
    client.force_login(people["manager"])
    page = client.get("/").content.decode()
    assert 'class="badge unread-count">1<span class="visually-hidden"> unread' in page
    note = Notification.objects.get(recipient=people["manager"])
    assert note.title in client.get("/inbox/").content.decode()
    opened = client.get(f"/inbox/{note.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/measures/returns/{ret.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert "unread-count" not in client.get("/").content.decode()
    assert client.get(opened["Location"]).status_code == 200


def test_someone_elses_notification_is_not_found_and_the_link_itself_applies_the_readers_scope(client, open_return, people):
    ret = _submitted(open_return, people)
    theirs = Notification.objects.get(recipient=people["waitemata_coordinator"])
    client.force_login(people["canterbury_coordinator"])
    assert client.get(f"/inbox/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # The link is a page of rocc like any other: outside the reader's scope it is not found, notification or not.
    assert client.get(theirs.url).status_code == 404
    # The coordinator whose scope changes after being told no longer sees the return either.
    from rocc.org.models import OrgUnit

    coordinator = people["waitemata_coordinator"]
    coordinator.profile.units.set([OrgUnit.objects.get(code="canterbury")])
    client.force_login(coordinator)
    assert client.get(f"/inbox/{theirs.pk}/")["Location"] == f"/measures/returns/{ret.pk}/"
    assert client.get(theirs.url).status_code == 404


def test_the_api_lists_your_notifications_counts_unread_marks_read_and_sets_your_choice(open_return, people):
    from rocc.core.tokens import token_issue
    from rocc.testing import api_call

    _submitted(open_return, people)
    token = token_issue(user=people["manager"], name="test")
    status, body = api_call("/api/inbox/unread", token)
    assert (status, body) == (200, {"unread": 1})
    status, listed = api_call("/api/inbox/?unread=true", token)
    assert status == 200 and listed[0]["reason"] == "return_submitted"
    status, read = api_call(f"/api/inbox/{listed[0]['id']}/read", token, payload={})
    assert status == 200 and read["read_at"] is not None
    assert api_call("/api/inbox/unread", token)[1] == {"unread": 0}
    other = token_issue(user=people["ngo"], name="test")
    assert api_call(f"/api/inbox/{listed[0]['id']}/read", other, payload={})[0] == 404
    assert api_call("/api/inbox/preference", token, payload={"email": "digest"}, method="PUT") == (200, {"email": "digest"})
    status, refused = api_call("/api/inbox/preference", token, payload={"email": "carrier-pigeon"}, method="PUT")
    assert status == 422 and "email" in refused["errors"]


# --- e-mail ------------------------------------------------------------------------------------------------------


def test_email_is_off_unless_smtp_is_configured(open_return, with_emails, smtp_server, committed):
    people = with_emails
    _port, box = smtp_server
    with committed():
        _submitted(open_return, people)
    assert Notification.objects.filter(recipient=people["manager"]).exists()
    assert box.messages == []


def test_an_immediate_email_reaches_the_recipient_through_smtp_with_the_link_and_nothing_person_level(mail, committed, open_return, with_emails):
    people = with_emails
    with committed():
        ret = _submitted(open_return, people)
        return_send_back(user=people["manager"], provider_return=ret, version=ret.version, comment="Hēmi Walker's referral is counted twice")
    to_provider = mail.to("ngo-reporter@example.org.nz")
    assert len(to_provider) == 1
    message = to_provider[0]
    assert message.subject.startswith("rocc: Return returned for revision")
    note = Notification.objects.get(recipient=people["ngo"])
    assert f"https://rocc.example.govt.nz/inbox/{note.pk}/" in message.body
    assert "Hēmi" not in message.body and "Walker" not in message.body
    assert {m.to[0] for m in mail.messages} == {"ngo-reporter@example.org.nz", "manager@example.org.nz", "waitemata-coordinator@example.org.nz"}
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_a_barrier_escalated_tells_the_centre_and_its_answer_tells_who_raised_it_never_the_text_they_wrote(mail, committed, with_emails, make_user):
    from rocc.org.models import OrgUnit
    from rocc.strategy.services.register import barrier_escalate, barrier_raise, barrier_respond

    people = with_emails
    coordinator, manager = people["waitemata_coordinator"], people["manager"]
    other_manager = make_user("programme_manager", username="manager-two")
    title, description = "Hēmi Walker's whānau cannot reach the hub", "Hēmi Walker has no transport on Tuesdays."
    with committed():
        barrier = barrier_raise(user=coordinator, unit=OrgUnit.objects.get(code="waitemata"), severity=3, title=title, description=description)
        barrier_escalate(user=coordinator, barrier=barrier)
    escalated = list(Notification.objects.filter(reason=Reason.BARRIER_ESCALATED))
    told = {n.recipient for n in escalated}
    assert {manager, other_manager} <= told and coordinator not in told, "the centre, not the coordinator who escalated it"
    assert all(user.profile.role == "programme_manager" for user in told)
    assert all(n.url == f"/strategy/barriers/{barrier.pk}/" for n in escalated)
    assert all(n.title.startswith(f"Escalated to the centre: barrier {barrier.pk} of Waitematā (") for n in escalated)
    [to_centre] = mail.to("manager@example.org.nz")
    assert to_centre.subject == f"rocc: {escalated[0].title}"

    with committed():
        barrier_respond(user=manager, barrier=barrier, response="Hēmi Walker's case goes to the transport fund.")
    [answered] = Notification.objects.filter(reason=Reason.BARRIER_ANSWERED)
    assert answered.recipient == coordinator and answered.title.startswith("The centre answered barrier")
    [to_coordinator] = mail.to("waitemata-coordinator@example.org.nz")
    assert to_coordinator.subject == f"rocc: {answered.title}" and f"/inbox/{answered.pk}/" in to_coordinator.body
    for note in Notification.objects.filter(reason__in=[Reason.BARRIER_ESCALATED, Reason.BARRIER_ANSWERED]):
        assert "Hēmi" not in note.title and "Walker" not in note.title and "transport" not in note.title
    for message in mail.messages:
        assert "Hēmi" not in message.subject + message.body and "Walker" not in message.subject + message.body


def test_a_tasking_email_never_carries_the_taskings_title_or_a_named_persons_identifier(mail, committed, make_tasking, tasking_people):
    from rocc.tasking.services.deconfliction import target_name

    with committed():
        mine = make_tasking()
        theirs = make_tasking(owner="canterbury_tc", unit="canterbury")
        target_name(actor=tasking_people["waitemata_tc"], subject=mine, kind="person", identifier="PRN 4471-22", purpose="Supply network")
        target_name(actor=tasking_people["canterbury_tc"], subject=theirs, kind="person", identifier="PRN 4471-22", purpose="Courier check")
    assert len(mail.messages) == 4  # two assignments, the alert to both owners
    for message in mail.messages:
        assert "Aroha" not in message.body and "Ngata" not in message.body and "4471" not in message.body
        assert "Aroha" not in message.subject


def test_a_digest_gathers_the_days_notifications_in_one_email_once_a_day_after_its_hour(mail, committed, open_return, with_emails, settings):
    people = with_emails
    preference_set(user=people["manager"], email="digest")
    preference_set(user=people["waitemata_coordinator"], email="none")
    with committed():
        _submitted(open_return, people, "2025-03")
        _submitted(open_return, people, "2025-04")
    assert mail.to("manager@example.org.nz") == []  # nothing at once for a digest reader
    assert mail.to("waitemata-coordinator@example.org.nz") == []
    settings.ROCC_DIGEST_HOUR = 7
    day = timezone.localtime().date()
    early = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 30)))
    assert digests_send(now=early) == 0
    later = timezone.now() + dt.timedelta(minutes=1)
    if timezone.localtime(later).hour < 7:
        later = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 5)))
        Notification.objects.update(created_at=later - dt.timedelta(minutes=2))
    assert digests_send(now=later) == 1
    assert digests_send(now=later + dt.timedelta(hours=2)) == 0  # once a day
    digest = mail.to("manager@example.org.nz")
    assert len(digest) == 1 and "2 unread" in digest[0].body
    assert "Mar 2025" in digest[0].body and "Apr 2025" in digest[0].body
    assert mail.to("waitemata-coordinator@example.org.nz") == []


def test_no_notification_row_holds_a_persons_identifier_or_a_taskings_free_text(make_tasking, tasking_people):
    from rocc.tasking.services.deconfliction import target_name

    mine = make_tasking()
    theirs = make_tasking(owner="canterbury_tc", unit="canterbury")
    target_name(actor=tasking_people["waitemata_tc"], subject=mine, kind="person", identifier="ZX-998877-Q", purpose="Supply network")
    target_name(actor=tasking_people["canterbury_tc"], subject=theirs, kind="person", identifier="ZX-998877-Q", purpose="Courier check")
    assert Notification.objects.count() == 4
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Notification._meta.db_table}")
        for row in cursor.fetchall():
            assert not any("998877" in str(v) or "Aroha" in str(v) for v in row)
