"""The releases API through the test client with bearer tokens: the office freezes, schedules and revises (a freeze
or revision is asked of the worker, answered 202 with where to follow it); a provider gives and withdraws consent;
others are refused."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client
from django.utils import timezone

from rocc.core.tokens import token_issue
from rocc.releases import services
from rocc.releases.models import ReleaseFreeze
from rocc.testing import api_call


def test_the_office_freezes_schedules_and_revises_through_the_api(world, draft, django_capture_on_commit_callbacks):
    release = draft()
    token = token_issue(user=world["manager"], name="test")
    with django_capture_on_commit_callbacks(execute=True):
        status, asked = api_call(f"/api/releases/{release.slug}/freeze", token, payload={})
    assert status == 202 and asked["kind"] == "freeze" and asked["status"] == "queued" and asked["made"] is None
    status, frozen = api_call(asked["url"], token)
    assert status == 200 and frozen["status"] == "done" and frozen["progress"] == 100 and frozen["made"]["number"] == 1
    status, current = api_call(f"/api/releases/{release.slug}", token)
    go_live = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    status, scheduled = api_call(f"/api/releases/{release.slug}/schedule", token, payload={"go_live_at": go_live, "version": current["version"]})
    assert status == 200 and scheduled["stage"] == "embargoed"
    status, refused = api_call(f"/api/releases/{release.slug}/revise", token, payload={"note": "x", "version": scheduled["version"]})
    assert status == 409, "only a live release is revised"
    status, stale = api_call(f"/api/releases/{release.slug}/schedule", token, payload={"go_live_at": go_live, "version": 1})
    assert status == 409


def test_freeze_and_revise_ask_the_worker_and_answer_202_with_where_to_follow_it(live, world, django_capture_on_commit_callbacks):
    release = live()
    token = token_issue(user=world["manager"], name="test")
    client = Client()
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            f"/api/releases/{release.slug}/revise",
            data=json.dumps({"note": "A return was corrected.", "version": release.version}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    asked = response.json()
    job = ReleaseFreeze.objects.get(release=release)
    assert response.status_code == 202 and response["Location"] == asked["url"] == f"/api/releases/{release.slug}/freezes/{job.pk}"
    assert asked["status"] == "queued" and asked["kind"] == "revise" and asked["note"] == "A return was corrected."
    assert release.versions.count() == 1, "the request computes nothing: the worker does"
    status, busy = api_call(f"/api/releases/{release.slug}/revise", token, payload={"note": "Again.", "version": release.version})
    assert status == 409 and "being computed already" in busy["detail"]

    for callback in queued:  # the commit enqueues the task; the inline backend runs it as `rocc worker` would
        callback()
    status, done = api_call(asked["url"], token)
    assert status == 200 and done["status"] == "done" and done["progress"] == 100 and done["finished_at"]
    assert done["made"]["number"] == 2 and done["made"]["note"] == "A return was corrected." and done["made"]["published_at"]
    assert release.versions.count() == 2


def test_a_freeze_that_fails_says_why_through_the_api_and_stores_nothing(world, draft, django_capture_on_commit_callbacks):
    release = draft()
    token = token_issue(user=world["manager"], name="test")
    with django_capture_on_commit_callbacks() as queued:
        status, asked = api_call(f"/api/releases/{release.slug}/freeze", token, payload={"version": release.version})
    assert status == 202
    release.refresh_from_db()
    services.release_update(
        user=world["manager"],
        release=release,
        version=release.version,
        title="Progress to June 2025 (renamed)",
        reference_date=release.reference_date,
        planned_for=release.planned_for,
        indicator_codes=["assaults"],
    )
    for callback in queued:
        callback()
    status, failed = api_call(asked["url"], token)
    assert status == 200 and failed["status"] == "failed" and failed["made"] is None
    assert "Nothing was stored" in failed["error"] and "changed this release" in failed["error"]
    assert not release.versions.exists()


def test_the_freeze_endpoints_refuse_what_the_page_refuses(live, world, draft):
    release = live()
    manager = token_issue(user=world["manager"], name="test")
    status, answer = api_call(f"/api/releases/{release.slug}/revise", manager, payload={"note": "  ", "version": release.version})
    assert status == 422 and answer["errors"]["note"]
    second = draft("second")
    assert api_call(f"/api/releases/{second.slug}/freeze", manager, payload={"version": second.version - 1})[0] == 409, "a stale version"
    coordinator = token_issue(user=world["waitemata_coordinator"], name="test")
    assert api_call(f"/api/releases/{second.slug}/freeze", coordinator, payload={})[0] == 403
    assert not ReleaseFreeze.objects.exists()
    job = services.release_freeze_request(user=world["manager"], release=second)
    assert api_call(f"/api/releases/{second.slug}/freezes/{job.pk}", coordinator)[0] == 200, "coordinators preview releases"
    assert api_call(f"/api/releases/{release.slug}/freezes/{job.pk}", manager)[0] == 404, "another release's freeze"
    assert api_call(f"/api/releases/{second.slug}/freezes/{job.pk + 1000}", manager)[0] == 404
    assert api_call(f"/api/releases/{second.slug}/freezes/{job.pk}", token_issue(user=world["ngo"], name="t"))[0] == 403


def test_the_openapi_document_says_freeze_and_revise_answer_202_with_the_job(db):
    document = Client().get("/api/openapi.json").json()
    for operation in ("/api/releases/{slug}/freeze", "/api/releases/{slug}/revise"):
        answers = document["paths"][operation]["post"]["responses"]
        assert "202" in answers and "200" not in answers
        assert answers["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/FreezeOut")
    follow = document["paths"]["/api/releases/{slug}/freezes/{freeze_id}"]["get"]["responses"]
    assert follow["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/FreezeOut")
    fields = document["components"]["schemas"]["FreezeOut"]["properties"]
    assert {"url", "status", "progress", "stage", "error", "made"} <= set(fields)


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
