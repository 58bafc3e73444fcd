"""Victim Focus: the count and tier are national, the details stay within the looker's scope, every answer says
what it searched, the look is audited with its purpose, and the tier rule is the analysis library's."""

from __future__ import annotations

import datetime as dt
import shutil

import numpy as np
import pytest

from rocc.analysis.repeat_victims import repeat_victims
from rocc.audit.models import AuditEntry, AuditKind
from rocc.events.offences import anzsoc, victim_focus_settings
from rocc.events.pseudonym import person_key
from rocc.events.selectors import victim_focus_for, victim_focus_lookup
from rocc.events.testing import events_create
from rocc.org.scope import Scope

CODES = ["0211", "0711", "1211", "0811", "1311", "071", "021"]
AS_OF = "2024-07-01"
HISTORY = [
    # Held at the district (not at an area): it counts for an officer of one of its areas.
    {"event_id": "D1", "date": "2024-02-01", "offence_code": "1211", "unit": "Waitematā", "victim": "PRN-5"},
    {"event_id": "N1", "date": "2024-03-01", "offence_code": "0711", "unit": "North Shore", "victim": "PRN-5"},
    # Another district's event counts too.
    {"event_id": "C1", "date": "2024-05-01", "offence_code": "0211", "unit": "Christchurch", "victim": "PRN-5"},
    # Older than 12 months: not counted.
    {"event_id": "O1", "date": "2023-05-01", "offence_code": "0211", "unit": "North Shore", "victim": "PRN-5"},
]


@pytest.fixture
def history(event_store, make_user):
    return events_create(user=make_user("administrator", username="loader"), rows=HISTORY)


def test_lookup_matches_repeat_victims_for_every_person(event_store, make_user):
    """The oracle: the population analysis with the lookup's own serious list (division codes) and ANZSOC."""
    rng = np.random.default_rng(11)
    units = ["North Shore", "Rodney", "Christchurch"]
    rows = []
    for i in range(300):
        rows.append(
            {
                "event_id": f"R{i}",
                "date": (dt.date(2023, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))).isoformat(),
                "offence_code": CODES[int(rng.integers(0, len(CODES)))],
                "unit": units[int(rng.integers(0, 3))],
                "victim": f"P{int(rng.integers(0, 40))}",
            }
        )
    events_create(user=make_user("administrator", username="loader"), rows=rows)
    as_of = dt.date(2024, 6, 30)
    settings = victim_focus_settings()
    oracle = repeat_victims(
        persons=[r["victim"] for r in rows],
        dates=[r["date"] for r in rows],
        offences=[r["offence_code"] for r in rows],
        as_of=as_of,
        window_days=settings["window_days"],
        serious_codes=settings["serious_codes"],
        classification=anzsoc(),
    )
    serious_seen = 0
    for person in sorted({r["victim"] for r in rows}):
        expected = oracle.victim(person)
        found = victim_focus_for(person_key(person), scope=Scope(role=None, unit_paths=("/nz/",), agency_id=None), as_of=as_of)
        if expected is None:
            assert found.count == 0 and found.tier is None
            continue
        serious_seen += expected["serious"]
        assert (found.count, found.tier, found.response, found.serious) == (expected["count"], expected["tier"], expected["response"], expected["serious"])
        assert {o["code"]: o["count"] for o in found.offences} == expected["offences"]
        assert (found.first.isoformat(), found.last.isoformat()) == (expected["first"], expected["last"])
    assert serious_seen  # the serious list (divisions) really selected events


def test_an_area_officer_counts_district_held_and_other_district_events_and_sees_details_only_in_scope(history, make_user):
    officer = make_user("analyst", units=["north-shore"])
    found = victim_focus_lookup(user=officer, identifier="PRN-5", purpose="attending a burglary on the Shore", as_of=AS_OF)
    assert found.count == 3 and found.tier == "serious and repeat victim"
    assert {o["code"]: o["count"] for o in found.offences} == {"0211": 1, "0711": 1, "1211": 1}
    assert [(e["date"].isoformat(), e["offence_code"], e["unit_name"]) for e in found.events] == [("2024-03-01", "0711", "North Shore")]
    assert found.outside_scope == 2
    assert (found.first, found.last, found.units) == (dt.date(2024, 3, 1), dt.date(2024, 3, 1), ["north-shore"])
    assert "2 of them are outside your scope" in found.answer


def test_a_district_officer_sees_the_district_held_event_but_not_the_other_districts(history, make_user):
    officer = make_user("analyst", units=["waitemata"])
    found = victim_focus_lookup(user=officer, identifier="PRN-5", purpose="attending a burglary on the Shore", as_of=AS_OF)
    assert found.count == 3 and [e["unit_code"] for e in found.events] == ["waitemata", "north-shore"]
    assert found.outside_scope == 1


def test_every_answer_positive_or_negative_says_what_was_searched(history, make_user):
    officer = make_user("analyst", units=["north-shore"])
    positive = victim_focus_lookup(user=officer, identifier="PRN-5", purpose="attending a burglary on the Shore", as_of=AS_OF)
    negative = victim_focus_lookup(user=officer, identifier="PRN-404", purpose="attending a burglary on the Shore", as_of=AS_OF)
    assert negative.count == 0 and negative.tier is None and negative.answer == "No victimisation recorded in the past 12 months."
    for found, identifier in ((positive, "PRN-5"), (negative, "PRN-404")):
        statement = found.search.statement
        assert "the whole national event store (1 import" in statement and "in every district" in statement
        assert "from 3 Jul 2023 to 1 Jul 2024 (365 days)" in statement
        assert person_key(identifier)[:12] in statement and identifier not in statement
        assert found.search.imports == (history.pk,) and found.search.imports_not_searched == ()
        assert found.to_dict()["search"]["statement"] == statement


def test_the_audit_entry_keeps_the_purpose_what_was_searched_and_the_answer(history, make_user):
    officer = make_user("analyst", units=["north-shore"])
    found = victim_focus_lookup(user=officer, identifier="PRN-5", purpose="attending a burglary on the Shore", as_of=AS_OF)
    entry = AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS, object_type="events.person").get()
    assert entry.actor == officer and entry.purpose == "attending a burglary on the Shore" and entry.object_id == found.person_key
    assert found.search.statement in entry.details["what"] and found.answer in entry.details["what"]
    assert "PRN-5" not in str(entry.details)


def test_a_lookup_without_a_purpose_is_refused_and_records_nothing(history, make_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        victim_focus_lookup(user=make_user("analyst", units=["north-shore"]), identifier="PRN-5", purpose="", as_of=AS_OF)
    assert not AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS, object_type="events.person").exists()


def test_an_import_the_index_does_not_hold_is_said_not_searched(history, make_user, event_store):
    shutil.rmtree(event_store / "events" / "index")  # as after restoring a backup made mid-import
    found = victim_focus_lookup(user=make_user("analyst", units=["north-shore"]), identifier="PRN-5", purpose="attending a burglary on the Shore", as_of=AS_OF)
    assert found.count == 0 and found.search.imports_not_searched == (history.pk,)
    assert f"1 finished import is not in the lookup's index yet and was not searched (import {history.pk}" in found.search.statement
    assert "rocc events reindex" in found.search.statement


def test_the_serious_list_reads_division_codes_through_the_one_matcher(event_store, make_user):
    # 0711 (a burglary group) is serious because division 07 is on the list: the division selects its groups.
    settings = victim_focus_settings()
    assert "07" in settings["serious_codes"] and settings["serious"].mask(["0711", "071", "1211"]).tolist() == [True, True, False]
    events_create(
        user=make_user("administrator", username="loader"),
        rows=[
            {"event_id": "S1", "date": "2024-02-01", "offence_code": "1211", "unit": "North Shore", "victim": "PRN-7"},
            {"event_id": "S2", "date": "2024-03-01", "offence_code": "0711", "unit": "North Shore", "victim": "PRN-7"},
            {"event_id": "S3", "date": "2024-02-01", "offence_code": "1211", "unit": "North Shore", "victim": "PRN-8"},
            {"event_id": "S4", "date": "2024-03-01", "offence_code": "1311", "unit": "North Shore", "victim": "PRN-8"},
        ],
    )
    officer = make_user("analyst", units=["north-shore"])
    burgled = victim_focus_lookup(user=officer, identifier="PRN-7", purpose="attending a burglary on the Shore", as_of=AS_OF)
    assert burgled.count == 2 and burgled.serious and burgled.tier == "serious and repeat victim"
    other = victim_focus_lookup(user=officer, identifier="PRN-8", purpose="attending a burglary on the Shore", as_of=AS_OF)
    assert other.count == 2 and not other.serious and other.tier == "repeat victim"
