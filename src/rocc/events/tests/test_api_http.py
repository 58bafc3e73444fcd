"""The events API through the test client: the Victim Focus lookup (200, 403, 422), audited with its purpose; batches."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from rocc.audit.models import AuditEntry, AuditKind
from rocc.core.tokens import token_issue
from rocc.events.pseudonym import person_key
from rocc.events.testing import events_create
from rocc.testing import api_call as get


@pytest.fixture
def server(event_store, make_user):
    events_create(
        user=make_user("administrator", username="loader"),
        rows=[
            {"event_id": "A1", "date": "2024-02-01", "offence_code": "0711", "unit": "North Shore", "victim": "NHI ABC1234"},
            {"event_id": "A2", "date": "2024-05-20", "offence_code": "0711", "unit": "North Shore", "victim": "NHI ABC1234"},
            {"event_id": "A3", "date": "2024-05-21", "offence_code": "0811", "unit": "Christchurch", "victim": "NHI ABC1234"},
        ],
    )
    return "/api/events"


def lookup(server, token, **params):
    return get(f"{server}/victim-focus?{urllib.parse.urlencode(params)}", token)


def test_an_analyst_looks_up_a_person_and_the_lookup_is_audited(server, make_user):
    analyst = make_user("analyst", units=["waitemata"], username="desk")
    token = token_issue(user=analyst, name="frontline desk")
    status, body = lookup(server, token, person="nhi abc1234", purpose="attending a burglary report", as_of="2024-06-01")
    assert status == 200, body
    # National: the Christchurch theft counts; its details stay outside a Waitematā scope.
    assert body["count"] == 3 and body["tier"] == "serious and repeat victim"  # burglary counts as serious by default
    burglary = "Unlawful entry with intent/burglary, break and enter"
    assert body["offences"] == [
        {"code": "0711", "title": burglary, "division": "07", "division_title": burglary, "count": 2},
        {"code": "0811", "title": "Motor vehicle theft and related offences", "division": "08", "division_title": "Theft and related offences", "count": 1},
    ]
    assert [(e["date"], e["unit_code"]) for e in body["events"]] == [("2024-02-01", "north-shore"), ("2024-05-20", "north-shore")]
    assert body["outside_scope"] == 1 and "1 of them is outside your scope" in body["answer"]
    assert body["person_key"] == person_key("NHI ABC1234") and body["first"] == "2024-02-01" and body["last"] == "2024-05-20"
    assert body["search"]["store"] == "national" and len(body["search"]["imports"]) == 1
    assert "from 3 Jun 2023 to 1 Jun 2024 (365 days)" in body["search"]["statement"]
    assert "ABC1234" not in json.dumps(body)
    entry = AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).order_by("-id").first()
    assert entry.actor == analyst and entry.purpose == "attending a burglary report" and entry.object_id == body["person_key"]
    assert body["search"]["statement"] in entry.details["what"]


def test_a_negative_answer_says_what_was_searched_too(server, make_user):
    token = token_issue(user=make_user("analyst", units=["waitemata"]), name="frontline desk")
    status, body = lookup(server, token, person="NHI ZZZ9999", purpose="attending a burglary report", as_of="2024-06-01")
    assert status == 200, body
    assert body["count"] == 0 and body["tier"] is None and body["events"] == [] and body["outside_scope"] == 0
    assert body["answer"] == "No victimisation recorded in the past 12 months."
    assert body["search"]["statement"].startswith("Searched the whole national event store (1 import")
    assert body["search"]["person_key"] == person_key("NHI ZZZ9999")


def test_other_roles_get_403_and_a_missing_purpose_gets_422(server, make_user):
    coordinator = token_issue(user=make_user("regional_coordinator", units=["waitemata"]), name="t")
    assert lookup(server, coordinator, person="NHI ABC1234", purpose="just curious here")[0] == 403
    analyst = token_issue(user=make_user("analyst", units=["waitemata"]), name="t")
    status, body = lookup(server, analyst, person="NHI ABC1234", purpose="x")
    assert status == 422 and "purpose" in body["errors"]
    assert get(f"{server}/victim-focus?person=NHI", analyst)[0] == 422  # no purpose at all
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count() == 0


def test_batches_are_listed_for_their_importer(server, make_user):
    from django.contrib.auth import get_user_model

    loader = token_issue(user=get_user_model().objects.get(username="loader"), name="t")
    status, batches = get(f"{server}/batches", loader)
    assert status == 200 and [b["rows_imported"] for b in batches] == [3] and batches[0]["status"] == "done"
    viewer = token_issue(user=make_user("viewer"), name="t")
    assert get(f"{server}/batches", viewer)[0] == 403
