"""The strategy API through the test client: reading frameworks, plans and activities; progress updates with 201, 403, 404, 409, 422."""

import pytest

from rocc.core.tokens import token_issue
from rocc.strategy.models import ProgressUpdate
from rocc.strategy.tests.catalogue import measures_catalogue  # noqa: F401  (a fixture)
from rocc.testing import api_call as call


@pytest.fixture
def server(year_two):
    return "/api/strategy"


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


def test_the_openapi_document_describes_the_strategy_endpoints(year_two):
    status, document = call("/api/openapi.json")
    assert status == 200
    for path in ["/api/strategy/frameworks/{code}", "/api/strategy/plans/{code}/activities/{number}", "/api/strategy/plans/{code}/activities/{number}/updates"]:
        assert path in document["paths"], path
    assert {"201", "403", "409", "422"} <= set(document["paths"]["/api/strategy/plans/{code}/activities/{number}/updates"]["post"]["responses"])


def test_a_coordinator_co_designs_a_plan_over_the_api_and_the_gate_lists_the_gaps(server, make_user, measures_catalogue):
    token = token_issue(user=make_user("regional_coordinator", units=["rotorua"], username="tui-api"), name="test")
    base = f"{server}/district-plans"
    status, created = call(base, token, {"unit": "rotorua", "title": "Rotorua plan", "code": "rotorua-plan"})
    assert status == 201 and created["number"] == 1 and created["status"] == "draft"
    status, refused = call(f"{base}/rotorua-plan/agree", token, {})
    assert status == 422 and refused["errors"]["gaps"][0] == "step 1: No focus area yet: agree at least one issue for the community."
    assert call(f"{base}/rotorua-plan/focus-areas", token, {"text": "Meth harm to whānau"})[0] == 200
    assert call(f"{base}/rotorua-plan/conditions", token, {"text": "Strong local leadership"})[0] == 200
    status, body = call(
        f"{base}/rotorua-plan/priority-actions",
        token,
        {"activity": "Whānau navigation", "output": "Whānau navigated", "outcome": "More whānau reach services", "impact": "Improved whānau wellbeing"},
    )
    outcome = next(b["key"] for b in body["logic_model"] if b["kind"] == "outcome")
    status, body = call(
        f"{base}/rotorua-plan/monitoring",
        token,
        {
            "outcome": outcome,
            "indicator_name": "Referrals",
            "indicator_code": "mf-whanau-support-referrals",
            "data_source": "Provider reporting",
            "responsible_agency": "Ministry of Magic",
        },
    )
    assert status == 422 and "responsible_agency" in body["errors"]
    call(
        f"{base}/rotorua-plan/monitoring",
        token,
        {
            "outcome": outcome,
            "indicator_name": "Referrals",
            "indicator_code": "mf-whanau-support-referrals",
            "data_source": "Provider reporting",
            "responsible_agency": "MSD",
        },
    )
    status, agreed = call(f"{base}/rotorua-plan/agree", token, {})
    assert status == 200 and agreed["status"] == "agreed" and agreed["agreed_by"] == "tui-api"
    status, edited = call(f"{base}/rotorua-plan/answers", token, {"answers": {"timeframes": "By June"}}, "PUT")
    assert status == 200 and edited["number"] == 2 and edited["status"] == "draft"
    status, versions = call(f"{base}/rotorua-plan/versions", token)
    assert [(v["number"], v["status"]) for v in versions] == [(1, "agreed"), (2, "draft")]
    status, links = call(f"{server}/indicators/mf-whanau-support-referrals/links", token)
    assert any("Rotorua plan" in link["label"] for link in links)


def test_district_plans_outside_scope_are_404_and_readers_get_403(server, make_user):
    manager = token_issue(user=make_user("programme_manager"), name="test")
    assert call(f"{server}/district-plans", manager, {"unit": "christchurch", "title": "Christchurch plan", "code": "chch"})[0] == 201
    coordinator = token_issue(user=make_user("regional_coordinator", units=["rotorua"]), name="test")
    assert call(f"{server}/district-plans/chch", coordinator)[0] == 404
    assert call(f"{server}/district-plans/chch/focus-areas", coordinator, {"text": "x"})[0] == 404
    assert call(f"{server}/district-plans", coordinator, {"unit": "christchurch", "title": "Not mine"})[0] == 403
    viewer = token_issue(user=make_user("viewer", units=["canterbury"]), name="test")
    assert call(f"{server}/district-plans/chch", viewer)[0] == 200
    assert call(f"{server}/district-plans/chch/focus-areas", viewer, {"text": "x"})[0] == 403
    status, example = call(f"{server}/district-plans/example-district-plan", viewer)
    assert status == 200 and example["is_example"] is True and len(example["monitoring"]) == 5


def test_an_activity_edit_with_a_stale_version_gets_409_and_a_framework_file_with_problems_422(server, make_user):
    token = token_issue(user=make_user("programme_manager", username="pm-edit"), name="test")
    url = f"{server}/plans/rocc-year-2/activities/6"
    status, six = call(url, token, {"version": 1, "title": "Community prevention", "description": "Now written."}, "PATCH")
    assert status == 200 and six["version"] == 2 and six["title"] == "Community prevention"
    status, refused = call(url, token, {"version": 1, "title": "Other", "description": "Old copy."}, "PATCH")
    assert status == 409 and "by pm-edit" in refused["detail"]
    status, body = call(f"{server}/frameworks", token, {"yaml": "code: x\nname: X\njurisdiction: Y\nmandate: m\n"})
    assert status == 422 and body["problems"] == ["request:1:1: 'goal' is missing"]
    viewer = token_issue(user=make_user("viewer"), name="test")
    assert call(f"{server}/frameworks", viewer, {"yaml": "code: x"})[0] == 403


def test_a_region_raises_and_escalates_a_barrier_and_the_centre_responds_and_closes_it_over_the_api(server, make_user):
    coordinator = token_issue(user=make_user("regional_coordinator", units=["bay-of-plenty"]), name="test")
    centre = token_issue(user=make_user("programme_manager"), name="test")
    outsider = token_issue(user=make_user("regional_coordinator", units=["canterbury"]), name="test")
    status, raised = call(
        f"{server}/barriers",
        coordinator,
        {"unit": "bay-of-plenty", "severity": 3, "framework_barrier": 1, "description": "Information sharing stalls at the district boundary."},
    )
    assert status == 201 and raised["status"] == "raised" and raised["framework_barrier"]
    status, refused = call(f"{server}/barriers", outsider, {"unit": "bay-of-plenty", "severity": 3, "title": "X", "description": "Y"})
    assert status == 403
    status, bad = call(f"{server}/barriers", coordinator, {"unit": "bay-of-plenty", "severity": 9, "title": "X", "description": "Y"})
    assert status == 422 and "severity" in bad["errors"]
    pk = raised["id"]
    assert call(f"{server}/barriers/{pk}/respond", centre, {"response": "Too early"})[0] == 422  # not escalated yet
    assert call(f"{server}/barriers/{pk}/escalate", coordinator, {})[1]["status"] == "escalated"
    assert call(f"{server}/barriers/{pk}/respond", coordinator, {"response": "Mine"})[0] == 403  # only the centre responds
    assert call(f"{server}/barriers/{pk}/respond", centre, {"response": "A national protocol is being agreed."})[1]["status"] == "responded"
    status, closed = call(f"{server}/barriers/{pk}/close", centre, {})
    assert status == 200 and closed["status"] == "closed" and closed["response"] == "A national protocol is being agreed."
    assert call(f"{server}/barriers/{pk}", outsider)[0] == 404


def test_initiatives_are_recorded_over_the_api_and_the_gap_matrix_counts_them(server, make_user):
    coordinator = token_issue(user=make_user("regional_coordinator", units=["bay-of-plenty"]), name="test")
    reader = token_issue(user=make_user("viewer", units=["bay-of-plenty"]), name="test")
    body = {
        "name": "Rangatahi mentoring",
        "provider": "Te Arawa whānau services",
        "unit": "bay-of-plenty",
        "focus_area": "DEMAND",
        "funding_amount": 120000,
        "start_date": "2025-07-01",
        "end_date": "2026-06-30",
    }
    status, made = call(f"{server}/initiatives", coordinator, body)
    assert status == 201 and made["unit"] == "bay-of-plenty" and made["funding_amount"] == 120000
    assert call(f"{server}/initiatives", reader, {**body, "name": "Another"})[0] == 403
    status, bad = call(f"{server}/initiatives", coordinator, {**body, "end_date": "2025-01-01"})
    assert status == 422 and "end_date" in bad["errors"]
    status, changed = call(f"{server}/initiatives/{made['id']}", coordinator, {**body, "funding_amount": 90000}, "PUT")
    assert status == 200 and changed["funding_amount"] == 90000
    status, gaps = call(f"{server}/initiatives/gaps", reader)
    column = gaps["districts"].index("bay-of-plenty")
    assert status == 200 and gaps["rows"]["DEMAND"][column] == 1 and gaps["rows"]["SUPPLY"][column] == 0
