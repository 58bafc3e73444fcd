"""A referral's whole life as referrer and provider, through the pages and the API: made with consent, seen by both
sides, accepted, contacted, engaged, its outcome recorded and closed; declines need a reason; the moves table refuses
what its status does not allow; overdue answers are flagged; consent withdrawal stops further sharing and is recorded;
every look is in the audit trail with its purpose; the person is linked to the event store only by the pseudonym."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from rocc.core.errors import Conflict, InvalidInput, Refused
from rocc.referrals.tests.fixtures import *  # noqa: F403


def _looks(referral):
    from rocc.audit.models import AuditEntry, AuditKind

    return list(AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS, object_type="referrals.referral", object_id=str(referral.pk)).order_by("pk"))


def _version(client, referral_id) -> str:
    page = client.get(f"/referrals/{referral_id}/").content.decode()
    return re.search(r'name="[a-z_]+-version" value="(\d+)"', page).group(1)


def test_a_referrals_whole_life_through_the_pages(client, people, directory):
    from rocc.referrals.models import Referral

    client.force_login(people["police"])
    form = client.get(f"/referrals/new/?service={directory['whanau'].pk}")
    assert form.status_code == 200 and "Whānau navigation" in form.content.decode()
    # A referral without its consent details is refused at each field, and nothing is saved.
    data = {
        "service": directory["whanau"].pk,
        "unit": directory["whanau"].units_served.get(code="west-auckland").pk,
        "reason": "Repeat victim; whānau need support.",
        "urgency": "urgent",
        "person_name": "Aroha Ngata",
        "contact_route": "phone",
        "contact_details": "",
        "lawful_basis": "consent",
        "source": "direct",
    }
    refused = client.post("/referrals/new/", data)
    body = refused.content.decode()
    assert refused.status_code == 422 and "Say who gave consent" in body and "Say when consent was given" in body and "Give the details for" in body
    assert Referral.objects.count() == 0
    data.update(
        contact_details="021 555 0101",
        consent_given_by="Aroha Ngata",
        consent_given_at="2025-03-01",
        consent_for="Name and phone to the provider, to arrange support",
        person_identifier="NIA-000123",
    )
    made = client.post("/referrals/new/", data)
    referral = Referral.objects.get()
    assert made.status_code == 302 and made.url == f"/referrals/{referral.pk}/"
    # The identifier is kept only as the event store's keyed pseudonym.
    from rocc.events.pseudonym import person_key

    assert referral.person_key == person_key("NIA-000123") and "NIA-000123" not in str(Referral.objects.values().get())
    assert client.get(f"/referrals/{referral.pk}/").content.decode().count("Aroha Ngata") >= 1

    # The provider's queue lists it without the name; opening it shows the name and logs the look.
    client.force_login(people["provider"])
    queue = client.get("/referrals/").content.decode()
    assert referral.reference in queue and "Aroha Ngata" not in queue
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Aroha Ngata" in page and "021 555 0101" in page
    for move, extra in (("accept", {}), ("contact", {"note": "Phoned; visit booked."}), ("engage", {}), ("outcome", {"outcome": "completed"})):
        version = _version(client, referral.pk)
        answer = client.post(
            f"/referrals/{referral.pk}/step/", {"move": move, f"{move}-move": move, f"{move}-version": version, **{f"{move}-{k}": v for k, v in extra.items()}}
        )
        assert answer.status_code == 302, move
        referral.refresh_from_db()
    assert referral.status == "outcome" and referral.outcome == "completed" and referral.first_contact_at and referral.engaged_at
    # The referrer's side sees the status too; either side closes it with a note.
    client.force_login(people["police"])
    assert "Outcome recorded" in client.get(f"/referrals/{referral.pk}/").content.decode()
    version = _version(client, referral.pk)
    client.post(f"/referrals/{referral.pk}/step/", {"move": "close", "close-move": "close", "close-version": version, "close-note": "Support finished."})
    referral.refresh_from_db()
    assert referral.status == "closed" and [s.move for s in referral.steps.all()] == ["made", "accept", "contact", "engage", "outcome", "close"]
    # Every look at it (the referrer's and the provider's) was recorded with a purpose.
    looks = _looks(referral)
    assert {e.actor.username for e in looks} == {"police-analyst", "awhina-reporter"} and all(len(e.purpose) > 10 for e in looks)


def test_a_referrals_whole_life_through_the_api(people, directory):
    from rocc.core.tokens import token_issue
    from rocc.testing import api_call

    police = token_issue(user=people["kainga_ora"], name="referrer")
    provider = token_issue(user=people["provider"], name="provider")
    payload = {
        "service": directory["whanau"].pk,
        "unit": "north-shore",
        "reason": "Tenant at risk of losing the tenancy; gang pressure on the whānau.",
        "is_whanau": True,
        "contact_route": "through_referrer",
        "lawful_basis": "other",
        "other_basis": "",
    }
    status, body = api_call("/api/referrals/", police, payload)
    assert status == 422 and "other_basis" in body["errors"]
    payload["other_basis"] = "Recorded under the tenancy agreement's support clause"
    status, body = api_call("/api/referrals/", police, payload)
    assert status == 201 and body["status"] == "sent" and body["provider"] == "Te Whare Āwhina"
    referral_id = body["id"]
    status, queue = api_call("/api/referrals/queue", provider)
    assert status == 200 and [row["id"] for row in queue] == [referral_id] and "person_name" not in queue[0]
    status, body = api_call(f"/api/referrals/{referral_id}?purpose=Deciding whether we have capacity", provider)
    assert status == 200 and body["moves"] == ["accept", "decline", "close"]  # no consent to withdraw: another basis
    # Declining needs a reason; a stale version is refused; "no capacity" is recorded.
    status, body = api_call(f"/api/referrals/{referral_id}/moves", provider, {"move": "decline", "version": 1})
    assert status == 422 and "decline_reason" in body["errors"]
    status, body = api_call(f"/api/referrals/{referral_id}/moves", provider, {"move": "decline", "version": 9, "decline_reason": "no_capacity"})
    assert status == 409 and "changed since you opened it" in body["detail"]
    status, body = api_call(f"/api/referrals/{referral_id}/moves", provider, {"move": "decline", "version": 1, "decline_reason": "no_capacity"})
    assert status == 200 and body["status"] == "declined" and body["decline_reason"] == "no_capacity" and body["moves"] == []
    # The referrer's side sees the answer; nothing moves a declined referral on.
    status, body = api_call(f"/api/referrals/{referral_id}", police)
    assert status == 200 and body["status"] == "declined"
    status, body = api_call(f"/api/referrals/{referral_id}/moves", provider, {"move": "accept"})
    assert status == 409
    # Another provider gets 404, as if it did not exist.
    other = token_issue(user=people["other_provider"], name="other")
    assert api_call(f"/api/referrals/{referral_id}", other)[0] == 404
    assert api_call(f"/api/referrals/{referral_id}/moves", other, {"move": "accept"})[0] == 404


def test_the_moves_table_refuses_what_the_status_does_not_allow_and_each_side_its_moves(people, refer):
    from rocc.referrals.services import referral_move

    referral = refer()
    with pytest.raises(Conflict, match="cannot be given 'record engagement' now"):
        referral_move(user=people["provider"], referral=referral, move="engage")
    with pytest.raises(Refused, match="Only the receiving provider"):
        referral_move(user=people["police"], referral=referral, move="accept")
    with pytest.raises(InvalidInput) as refused:
        referral_move(user=people["police"], referral=referral, move="close")
    assert "note" in refused.value.field_errors
    referral.refresh_from_db()
    assert referral.status == "sent" and referral.steps.count() == 1


def test_a_referral_to_a_closed_service_or_outside_the_referrers_units_is_refused(people, refer, directory):
    with pytest.raises(InvalidInput) as refused:
        refer("closed", unit="waitemata")
    assert "closed to new referrals: Full until March" in refused.value.field_errors["service"][0]
    with pytest.raises(Refused):
        refer("canterbury", unit="canterbury")
    with pytest.raises(InvalidInput) as refused:
        refer("whanau", unit="rodney")  # the service works in West Auckland and North Shore only
    assert "does not work in Rodney" in refused.value.field_errors["unit"][0]
    with pytest.raises(Refused):
        refer(by="msd_analyst")


def test_overdue_answers_are_flagged_on_both_sides(people, refer, client):
    from rocc.referrals.models import Referral
    from rocc.referrals.selectors import overdue_count_for, referral_queue_for, referrals_made_for
    from rocc.referrals.services import referrals_overdue_notify

    late = refer()
    refer()  # on time
    Referral.objects.filter(pk=late.pk).update(response_due=timezone.now() - dt.timedelta(hours=1))
    assert {r["id"]: r["overdue"] for r in referral_queue_for(user=people["provider"])}[late.pk] is True
    assert [r["id"] for r in referral_queue_for(user=people["provider"], overdue_only=True)] == [late.pk]
    assert [r["id"] for r in referrals_made_for(user=people["police"], overdue_only=True)] == [late.pk]
    assert overdue_count_for(user=people["provider"]) == 1
    client.force_login(people["provider"])
    assert "1 referral overdue for an answer" in client.get("/referrals/").content.decode()
    from rocc.inbox.models import Notification

    assert referrals_overdue_notify().notified == 1
    assert referrals_overdue_notify().notified == 0  # told once, however often the schedule runs
    notice = Notification.objects.get(recipient=people["provider"], key__endswith=":overdue")
    assert notice.url == f"/referrals/{late.pk}/" and "overdue" in notice.title and "Aroha" not in notice.title
    assert not Notification.objects.filter(recipient=people["other_provider"]).exists()
    assert Notification.objects.filter(recipient=people["provider"], key__endswith=":made").count() == 2  # each new referral


def test_consent_withdrawal_stops_further_sharing_and_is_recorded(people, refer, client):
    from rocc.referrals.selectors import referral_get
    from rocc.referrals.services import referral_move

    referral = refer()
    referral_move(user=people["provider"], referral=referral, move="accept")
    assert referral_get(user=people["provider"], pk=referral.pk).identifying
    withdrawn = referral_move(user=people["police"], referral=referral, move="withdraw_consent", note="Aroha phoned to withdraw consent.")
    assert withdrawn.status == "withdrawn" and withdrawn.consent_withdrawn_at is not None and withdrawn.closed_at is not None
    step = withdrawn.steps.get(move="withdraw_consent")
    assert step.by == people["police"] and step.note == "Aroha phoned to withdraw consent."
    # The provider no longer sees who the person is or how to reach them, on the page or through the API, and can do nothing more.
    seen = referral_get(user=people["provider"], pk=referral.pk)
    assert not seen.identifying and seen.moves == ()
    client.force_login(people["provider"])
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Aroha Ngata" not in page and "021 555 0101" not in page and "Not shared: consent was withdrawn" in page
    assert "Aroha phoned" not in page and all(step.note == "" for step in seen.steps)  # free-text notes may name her
    from rocc.core.tokens import token_issue
    from rocc.testing import api_call

    status, body = api_call(f"/api/referrals/{referral.pk}", token_issue(user=people["provider"], name="p"))
    assert status == 200 and body["person_name"] is None and body["contact_details"] is None and body["consent_given_by"] == ""
    assert body["reason"] is None and body["needs"] is None and all(step["note"] == "" for step in body["steps"])
    with pytest.raises(Conflict):
        referral_move(user=people["provider"], referral=referral, move="contact")
    # The referrer's side keeps its record (until retention ends).
    assert referral_get(user=people["police"], pk=referral.pk).identifying


def test_consent_cannot_be_withdrawn_from_a_referral_made_under_another_basis(people, refer):
    from rocc.referrals.services import referral_move

    referral = refer(lawful_basis="other", other_basis="Safety of a child (recorded by the referrer)")
    with pytest.raises(Conflict, match="no consent to withdraw"):
        referral_move(user=people["police"], referral=referral, move="withdraw_consent")


def test_every_look_is_audited_with_its_purpose_and_a_blank_purpose_falls_back_to_the_sides_purpose(people, refer):
    from rocc.referrals.selectors import referral_get, referral_queue_for

    referral = refer()
    referral_queue_for(user=people["provider"])  # a list without identifying details is not a look at the person
    assert _looks(referral) == []
    referral_get(user=people["provider"], pk=referral.pk, purpose="Checking the contact details before phoning")
    referral_get(user=people["police"], pk=referral.pk)
    first, second = _looks(referral)
    assert first.actor == people["provider"] and first.purpose == "Checking the contact details before phoning"
    assert first.details["what"] == "referral with identifying details"
    assert second.actor == people["police"] and second.purpose == f"Following up referral {referral.reference} on the referrer's side"
    with pytest.raises(InvalidInput):
        referral_get(user=people["police"], pk=referral.pk, purpose="why")
    assert len(_looks(referral)) == 2


def test_a_referral_raised_from_a_tasking_or_case_must_name_one_the_referrer_may_see(people, refer):
    with pytest.raises(InvalidInput) as refused:
        refer(source="tasking", source_id="999999")
    assert "no tasking 999999 that you may see" in refused.value.field_errors["source_id"][0].lower()
    from_victim_focus = refer(source="victim_focus", person_key="0123456789abcdef0123456789abcdef")
    assert from_victim_focus.person_key == "0123456789abcdef0123456789abcdef"
    with pytest.raises(InvalidInput):
        refer(person_key="not-a-key")
