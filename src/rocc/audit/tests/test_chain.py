"""The audit trail: every change kept with who, when and what; looks at person-level data with a purpose;
entries that cannot be changed or deleted through rocc, and a chain that shows any tampering."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from rocc.audit import chain
from rocc.audit.models import AuditEntry
from rocc.audit.services import person_access_record
from rocc.org.models import Agency


def test_changing_a_record_keeps_who_when_and_what_changed(defaults, make_user):
    from auditlog.context import set_actor

    admin = make_user("administrator")
    agency = Agency.objects.get(short_name="SWA")
    with set_actor(admin):
        agency.description = "Leads the Sector Insights Coordination Group."
        agency.save()
    entry = AuditEntry.objects.filter(kind="change", object_type="org.agency", object_id=str(agency.pk)).first()
    assert entry.actor == admin and entry.actor_name == admin.username
    assert entry.details["changes"]["description"] == ["", "Leads the Sector Insights Coordination Group."]
    assert entry.at is not None


def test_a_look_at_person_level_data_is_logged_with_user_purpose_and_what(defaults, make_user):
    analyst = make_user("analyst")
    entry = person_access_record(
        user=analyst, subject_type="events.person", subject_id="p_7f3a", purpose="Victim Focus check for a call-out", what="repeat-victim lookup"
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.kind, stored.actor, stored.purpose, stored.details["what"]) == (
        "person_access",
        analyst,
        "Victim Focus check for a call-out",
        "repeat-victim lookup",
    )


def test_a_look_at_person_level_data_without_a_purpose_is_refused_and_not_logged(defaults, make_user):
    analyst = make_user("analyst")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="State why"):
        person_access_record(user=analyst, subject_type="events.person", subject_id="p_1", purpose="  ", what="lookup")
    assert AuditEntry.objects.count() == before


def test_the_database_refuses_a_person_access_entry_without_purpose(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.bulk_create([AuditEntry(at="2026-01-01T00:00:00Z", kind="person_access", prev_hash="x" * 64, hash="y" * 64)])


def test_audit_entries_cannot_be_changed_or_deleted_through_the_application(defaults):
    entry = chain.append(kind="system", object_repr="test")
    entry.purpose = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(purpose="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


@pytest.fixture
def trail(defaults):
    """A trail of sixty entries after the shipped content's own."""
    for n in range(60):
        chain.append(kind="system", object_repr=f"entry {n}")


def test_an_untouched_chain_verifies(trail):
    result = chain.verify()
    assert result.ok and result.checked == AuditEntry.objects.count() and result.checked > 50


def _raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_detects_an_entry_changed_behind_rocc_s_back(trail):
    target = AuditEntry.objects.order_by("id")[5]
    _raw("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["forged", target.id])
    result = chain.verify()
    assert not result.ok
    assert any(f"entry #{target.id}: its content no longer matches its hash" in p for p in result.problems)


def test_verify_detects_an_entry_removed_from_the_middle(trail):
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [ids[10]])
    result = chain.verify()
    assert not result.ok
    assert any(f"entry #{ids[11]}: does not follow entry #{ids[9]}" in p for p in result.problems)


def test_verify_detects_entries_removed_from_the_end(trail):
    newest = AuditEntry.objects.order_by("-id").first()
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [newest.id])
    result = chain.verify()
    assert not result.ok
    assert any("removed from the end" in p for p in result.problems)


def test_verify_with_a_checkpoint_detects_a_rewritten_chain(trail):
    noted = AuditEntry.objects.order_by("-id").first()
    assert chain.verify(checkpoint=(noted.id, noted.hash)).ok
    assert not chain.verify(checkpoint=(noted.id, "0" * 64)).ok
    assert not chain.verify(checkpoint=(noted.id + 1000, noted.hash)).ok


def test_the_chain_cannot_fork_two_entries_on_one_predecessor(trail):
    last = AuditEntry.objects.order_by("-id").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.bulk_create([AuditEntry(at=last.at, kind="system", prev_hash=last.prev_hash, hash="f" * 64)])


def test_sign_ins_and_failed_sign_ins_are_on_the_trail(client, make_user):
    from rocc.conftest import PASSWORD

    user = make_user("viewer")
    client.post("/accounts/login/", {"username": user.username, "password": "wrong-password-123"})
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    events = list(AuditEntry.objects.filter(kind="auth").order_by("id").values_list("details__event", flat=True))
    assert events[-2:] == ["sign-in failed", "signed in"]
