"""Scope and permissions: events only in the user's units, person-level data only for analysts in scope with
every read recorded with its purpose, the Victim Focus lookup's rule, and the permission matrix by role."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from rocc.audit.models import AuditEntry, AuditKind
from rocc.events.selectors import events_frame, persons_frame, victim_focus_lookup
from rocc.events.testing import events_create

ROWS = [
    {"event_id": "W1", "date": "2024-03-01", "offence_code": "0211", "unit": "North Shore", "victim": "V-1"},
    {"event_id": "W2", "date": "2024-06-01", "offence_code": "0711", "unit": "Rodney", "victim": "V-1"},
    {"event_id": "C1", "date": "2024-05-01", "offence_code": "0211", "unit": "Christchurch", "victim": "V-1"},
]


@pytest.fixture
def stored(event_store, make_user):
    events_create(user=make_user("administrator", username="loader"), rows=ROWS)


def test_events_are_only_those_in_the_users_units(stored, make_user):
    waitemata = make_user("regional_coordinator", units=["waitemata"])
    assert events_frame(user=waitemata)["event_id"].tolist() == ["W1", "W2"]
    rodney = make_user("analyst", units=["rodney"])
    assert events_frame(user=rodney)["event_id"].tolist() == ["W2"]
    national = make_user("programme_manager")
    assert events_frame(user=national)["event_id"].tolist() == ["W1", "C1", "W2"]
    assert events_frame(user=waitemata, unit_code="north-shore")["event_id"].tolist() == ["W1"]
    with pytest.raises(Http404):
        events_frame(user=waitemata, unit_code="christchurch")
    assert events_frame(user=national, offence_codes=["02"])["event_id"].tolist() == ["W1", "C1"]
    assert events_frame(user=national, date_from="2024-05-01", date_to="2024-05-31")["event_id"].tolist() == ["C1"]
    assert list(events_frame(user=national).columns) == ["event_id", "date_from", "date_to", "offence_code", "offence_division", "x", "y", "unit_code"]


def test_person_level_reads_are_for_analysts_in_scope_and_each_is_recorded_with_its_purpose(stored, make_user):
    analyst = make_user("analyst", units=["waitemata"], username="ana")
    before = AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count()
    frame = persons_frame(user=analyst, purpose="repeat victim analysis for the North Shore", role="victim")
    assert frame["event_id"].tolist() == ["W1", "W2"] and frame["person_key"].nunique() == 1
    entry = AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).order_by("-id").first()
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count() == before + 1
    assert entry.actor == analyst and entry.purpose == "repeat victim analysis for the North Shore"
    with pytest.raises(ValidationError):
        persons_frame(user=analyst, purpose="")
    with pytest.raises(Http404):
        persons_frame(user=analyst, purpose="looking outside my district", unit_code="christchurch")
    with pytest.raises(PermissionDenied):
        persons_frame(user=make_user("regional_coordinator", units=["waitemata"]), purpose="curious about victims")


def test_victim_focus_counts_the_past_12_months_nationally_with_the_tier_and_details_only_in_scope(stored, make_user):
    waitemata = make_user("analyst", units=["waitemata"])
    found = victim_focus_lookup(user=waitemata, identifier="v-1", purpose="attending a burglary", as_of="2024-07-01")
    # The Christchurch assault counts (the flag is national) but its details stay outside a Waitematā scope.
    assert found.count == 3 and found.tier == "serious and repeat victim"  # assault is serious by default
    assert found.response == "intervention plan with other agencies"
    assert [(o["code"], o["count"]) for o in found.offences] == [("0211", 2), ("0711", 1)]
    assert [(e["date"].isoformat(), e["unit_code"]) for e in found.events] == [("2024-03-01", "north-shore"), ("2024-06-01", "rodney")]
    assert found.outside_scope == 1
    later = victim_focus_lookup(user=waitemata, identifier="V-1", purpose="attending a burglary", as_of="2025-05-15")
    assert later.count == 1 and later.tier == "first-time victim" and later.response == "prevention advice"
    nobody = victim_focus_lookup(user=waitemata, identifier="V-404", purpose="attending a burglary", as_of="2024-07-01")
    assert nobody.count == 0 and nobody.tier is None and nobody.outside_scope == 0
    national = make_user("analyst", units=["nz"])
    everything = victim_focus_lookup(user=national, identifier="V-1", purpose="national check", as_of="2024-07-01")
    assert everything.count == 3 and len(everything.events) == 3 and everything.outside_scope == 0
    lookups = AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS, object_type="events.person")
    assert lookups.count() == 4 and set(lookups.values_list("purpose", flat=True)) == {"attending a burglary", "national check"}


ACTIONS = {
    "read events": lambda user: events_frame(user=user),
    "read persons": lambda user: persons_frame(user=user, purpose="permission matrix check"),
    "victim focus lookup": lambda user: victim_focus_lookup(user=user, identifier="V-1", purpose="permission matrix check"),
    "import events": lambda user: user.has_perm("events.import_events") or (_ for _ in ()).throw(PermissionDenied()),
}
ALLOWED = {
    "administrator": {"read events", "import events"},
    "programme_manager": {"read events"},
    "regional_coordinator": {"read events"},
    "analyst": {"read events", "read persons", "victim focus lookup", "import events"},
    "provider_reporter": set(),
    "tc_member": {"read events"},
    "viewer": set(),
    "no role": set(),
    "anonymous": set(),
}


def test_permission_matrix(stored, actors):
    outcomes = {}
    for role, user in actors.items():
        for action, attempt in ACTIONS.items():
            try:
                attempt(user)
                outcomes[(role, action)] = True
            except (PermissionDenied, ValidationError):
                outcomes[(role, action)] = False
    expected = {(role, action): action in ALLOWED[role] for role in actors for action in ACTIONS}
    assert outcomes == expected
