"""The strategy API over real HTTP: reading frameworks, plans and activities; progress updates with 201, 403, 404, 409, 422."""

import json
import urllib.error
import urllib.request

import pytest

from rocc.core.tokens import token_issue
from rocc.strategy.models import ProgressUpdate


def call(url: str, token: str, payload: dict | None = None) -> tuple[int, dict | list]:
    data = json.dumps(payload).encode() if payload is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode())


@pytest.fixture
def server(live_server, year_two):
    return live_server.url + "/api/strategy"


def test_a_reader_gets_the_framework_the_plan_and_its_activities(server, make_user):
    token = token_issue(user=make_user("viewer"), name="test")
    status, framework = call(f"{server}/frameworks/rocc", token)
    assert status == 200 and [o["link"] for o in framework["objectives"]] == ["resilience", "demand", "supply"]
    assert len(framework["principles"]) == 6 and len(framework["barriers"]) == 10
    status, plans = call(f"{server}/plans", token)
    assert status == 200 and [p["code"] for p in plans] == ["rocc-year-2"]
    status, activities = call(f"{server}/plans/rocc-year-2/activities", token)
    assert status == 200 and [a["number"] for a in activities] == list(range(1, 16))
    eight = activities[7]
    assert eight["lead_agencies"] == ["Oranga Tamariki", "Police", "Manatū Hauora", "MoE", "MSD", "MOJ"]
    assert activities[9]["all_agencies_lead"] is True and activities[9]["support_agencies"] == ["ROCC"]
    status, six = call(f"{server}/plans/rocc-year-2/activities/6", token)
    assert status == 200 and six["description"] == "" and six["status"] == "description_pending"
    assert six["milestones"] == [] and six["progress_updates"] == []
    assert call(f"{server}/plans/rocc-year-2/activities/16", token)[0] == 404


def test_a_programme_manager_posts_an_update_and_a_stale_version_gets_409(server, make_user):
    token = token_issue(user=make_user("programme_manager", username="manager-api"), name="test")
    url = f"{server}/plans/rocc-year-2/activities/11/updates"
    status, created = call(url, token, {"version": 1, "status": "on_track", "narrative": "Group established.", "evidence_links": ["https://example.org/tor"]})
    assert status == 201 and created["author"] == "manager-api" and created["evidence_links"] == ["https://example.org/tor"]
    status, refused = call(url, token, {"version": 1, "status": "off_track", "narrative": "From an old copy."})
    assert status == 409 and "changed since you opened it (by manager-api at" in refused["detail"]
    status, eleven = call(f"{server}/plans/rocc-year-2/activities/11", token)
    assert eleven["status"] == "on_track" and eleven["version"] == 2 and len(eleven["progress_updates"]) == 1


def test_roles_that_may_not_write_get_403_and_bad_input_gets_422(server, make_user):
    token = token_issue(user=make_user("analyst"), name="test")
    url = f"{server}/plans/rocc-year-2/activities/11/updates"
    assert call(url, token, {"version": 1, "status": "on_track", "narrative": "x"})[0] == 403
    manager = token_issue(user=make_user("programme_manager"), name="test")
    status, body = call(url, manager, {"version": 1, "status": "finished", "narrative": "x"})
    assert status == 422 and "status" in body["errors"]
    assert ProgressUpdate.objects.count() == 0


def test_a_plan_outside_the_users_scope_is_404_for_reading_and_writing(server, district_plan, make_user):
    district_plan("canterbury")
    district_plan("north-shore")
    token = token_issue(user=make_user("regional_coordinator", units=["waitemata"]), name="test")
    assert call(f"{server}/plans/canterbury-plan", token)[0] == 404
    assert call(f"{server}/plans/canterbury-plan/activities/1/updates", token, {"version": 1, "status": "on_track", "narrative": "x"})[0] == 404
    status, _ = call(f"{server}/plans/north-shore-plan/activities/1/updates", token, {"version": 1, "status": "on_track", "narrative": "Hired."})
    assert status == 201


def test_the_openapi_document_describes_the_strategy_endpoints(live_server, year_two):
    with urllib.request.urlopen(live_server.url + "/api/openapi.json", timeout=10) as response:
        document = json.loads(response.read().decode())
    for path in ["/api/strategy/frameworks/{code}", "/api/strategy/plans/{code}/activities/{number}", "/api/strategy/plans/{code}/activities/{number}/updates"]:
        assert path in document["paths"], path
    assert {"201", "403", "409", "422"} <= set(document["paths"]["/api/strategy/plans/{code}/activities/{number}/updates"]["post"]["responses"])
