"""The releases API through the test client with bearer tokens: the office freezes, schedules and revises; a provider
gives and withdraws consent; others are refused."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rocc.core.tokens import token_issue
from rocc.testing import api_call


def test_the_office_freezes_schedules_and_revises_through_the_api(world, draft):
    release = draft()
    token = token_issue(user=world["manager"], name="test")
    status, frozen = api_call(f"/api/releases/{release.slug}/freeze", token, payload={})
    assert status == 200 and frozen["number"] == 1
    status, current = api_call(f"/api/releases/{release.slug}", token)
    go_live = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    status, scheduled = api_call(f"/api/releases/{release.slug}/schedule", token, payload={"go_live_at": go_live, "version": current["version"]})
    assert status == 200 and scheduled["stage"] == "embargoed"
    status, refused = api_call(f"/api/releases/{release.slug}/revise", token, payload={"note": "x", "version": scheduled["version"]})
    assert status == 409, "only a live release is revised"
    status, stale = api_call(f"/api/releases/{release.slug}/schedule", token, payload={"go_live_at": go_live, "version": 1})
    assert status == 409


def test_others_are_refused_and_a_provider_decides_its_own_consent(world, draft):
    release = draft()
    coordinator = token_issue(user=world["waitemata_coordinator"], name="test")
    assert api_call(f"/api/releases/{release.slug}/freeze", coordinator, payload={})[0] == 403
    ngo = token_issue(user=world["ngo"], name="test")
    assert api_call("/api/releases/", ngo)[0] == 403
    status, decided = api_call(f"/api/releases/consents/mine/{world['data_set'].code}", ngo, payload={"given": True})
    assert status == 200 and decided["given"] and decided["decided_by"] == "ngo-reporter"
    status, mine = api_call("/api/releases/consents/mine", ngo)
    assert status == 200 and [c["agency"] for c in mine] == ["Te Whare Āwhina"]
    assert api_call("/api/releases/consents/mine", token_issue(user=world["manager"], name="t"))[0] == 403
