"""The Tasking & Coordination API through the test client with bearer tokens: a product through routing to a completed tasking,
refusals (403, 404, 409, 422) that change nothing, scores and rankings, deconfliction alerts, and the agenda."""

import datetime as dt
import json

import pytest

from rocc.core.tokens import token_issue
from rocc.tasking.models import RiskScore, RoutingDecision, Tasking
from rocc.testing import api_call as call

NEXT_WEEK = (dt.date.today() + dt.timedelta(days=7)).isoformat()


@pytest.fixture
def api(people):
    base = "/api/tasking"
    tokens = {}

    def as_(name: str):
        if name not in tokens:
            tokens[name] = token_issue(user=people[name], name="test")
        token = tokens[name]
        return lambda path, payload=None, method=None: call(base + path, token, payload, method)

    return as_


def test_a_product_goes_through_routing_and_scoring_to_a_completed_tasking_over_the_api(api, ratings):
    analyst, occc, district = api("waitemata_analyst"), api("occc"), api("waitemata_tc")
    status, product = analyst(
        "/products",
        {
            "kind": "district_insights",
            "title": "Supply to rangatahi",
            "summary": "Seen at two schools.",
            "handling_caveat": "IN-CONFIDENCE: Police only",
            "product_date": dt.date.today().isoformat(),
            "source_unit": "Waitemata",
        },
    )
    assert status == 201 and product["source_unit"] == "waitemata" and product["reference"].startswith("IP-")

    status, report = occc("/reports", {"title": "Rangatahi recruitment", "summary": "Two schools.", "products": [product["id"]]})
    assert status == 201 and report["status"] == "new" and report["version"] == 1

    status, refused = occc(f"/reports/{report['id']}/routing", {"version": 1, "direction": "district", "district": "waitemata", "rationale": ""})
    assert status == 422 and refused["errors"] == {"rationale": ["Give the rationale for this routing: it is required."]}
    status, decision = occc(
        f"/reports/{report['id']}/routing",
        {"version": 1, "direction": "district", "district": "waitemata", "rationale": "District levers: schools and whānau."},
    )
    assert status == 201 and decision["to_forum"] == "waitemata-tc" and decision["to_district"] == "waitemata" and decision["decided_by"] == "occc-chair"
    status, stale = occc(f"/reports/{report['id']}/routing", {"version": 1, "direction": "national", "rationale": "From an old copy."})
    assert status == 409 and "changed since you opened it (by occc-chair at" in stale["detail"]
    assert RoutingDecision.objects.count() == 1

    status, refused = district("/scores", {"subject_type": "report", "subject_id": report["id"], "ratings": ratings(likelihood=6)})
    assert status == 422 and refused["errors"]["ratings.likelihood"] == ["Likelihood: 6 is outside its scale, which runs from 1 to 5."]
    assert RiskScore.objects.count() == 0
    status, score = district("/scores", {"subject_type": "report", "subject_id": report["id"], "ratings": ratings()})
    assert status == 201 and score["score"] == 32.81 and score["methodology_version"] == 1
    status, ranked = district("/rankings")
    assert status == 200 and [(r["rank"], r["kind"], r["subject_id"]) for r in ranked] == [(1, "report", report["id"])]

    status, refused = district(
        "/taskings", {"title": "Schools liaison", "description": "Work with the two schools.", "tasked_unit": "waitemata", "report": report["id"]}
    )
    assert status == 422 and set(refused["errors"]) == {"owner", "due_date"} and Tasking.objects.count() == 0
    status, tasking = district(
        "/taskings",
        {
            "title": "Schools liaison",
            "description": "Work with the two schools.",
            "tasked_unit": "waitemata",
            "report": report["id"],
            "owner": "waitemata-analyst",
            "due_date": NEXT_WEEK,
        },
    )
    assert status == 201 and tasking["forum"] == "waitemata-tc" and tasking["overdue"] is False

    status, _ = analyst(f"/taskings/{tasking['id']}/updates", {"version": 1, "status": "completed", "note": "Done.", "result": "Both schools on board."})
    assert status == 201
    status, done = analyst(f"/taskings/{tasking['id']}")
    assert done["status"] == "completed" and done["result"] == "Both schools on board." and [u["status"] for u in done["updates"]] == ["completed", "open"]


def test_records_outside_scope_are_404_and_forbidden_writes_are_403(api, people, make_report, unit):
    from rocc.tasking.services.reports import report_route

    report = make_report()
    report_route(actor=people["occc"], report=report, version=1, direction="district", district=unit("waitemata"), rationale="Local.")
    canterbury = api("canterbury_tc")
    assert canterbury(f"/reports/{report.pk}")[0] == 404
    assert canterbury(f"/reports/{report.pk}/routing", {"version": 2, "direction": "national", "rationale": "x"})[0] == 404
    assert canterbury("/reports") == (200, []) and canterbury("/products") == (200, [])
    status, refused = api("waitemata_tc")("/reports", {"title": "x", "summary": "y", "products": list(report.products.values_list("pk", flat=True))})
    assert status == 403 and "compile" in refused["detail"]
    status, refused = api("waitemata_analyst")(f"/reports/{report.pk}/routing", {"version": 2, "direction": "national", "rationale": "Escalate."})
    assert status == 403
    status, _ = api("waitemata_analyst")(
        "/products",
        {
            "kind": "district_insights",
            "title": "x",
            "summary": "y",
            "handling_caveat": "z",
            "product_date": dt.date.today().isoformat(),
            "source_unit": "canterbury",
        },
    )
    assert status == 403


def test_deconfliction_alerts_over_the_api_name_the_other_owner_and_nothing_of_their_record(api, people, make_product):
    mine = make_product(title="North Shore dealer network")
    theirs = make_product(actor=people["canterbury_analyst"], district="canterbury", title="Christchurch courier route")
    status, first = api("waitemata_analyst")(
        "/targets", {"subject_type": "product", "subject_id": mine.pk, "kind": "person", "identifier": "NHI ABC1234", "purpose": "Dealer network analysis"}
    )
    assert status == 201 and first["alerts_raised"] == 0
    status, refused = api("canterbury_analyst")("/targets", {"subject_type": "product", "subject_id": theirs.pk, "kind": "person", "identifier": "NHI ABC1234"})
    assert status == 422 and "purpose" in refused["errors"]
    status, second = api("canterbury_analyst")(
        "/targets", {"subject_type": "product", "subject_id": theirs.pk, "kind": "person", "identifier": "nhi abc1234", "purpose": "Courier route analysis"}
    )
    assert status == 201 and second["alerts_raised"] == 1

    status, alerts = api("waitemata_analyst")("/alerts")
    assert status == 200 and len(alerts) == 1
    alert = alerts[0]
    assert alert["basis"] == "person" and alert["other_owner"] == "canterbury-analyst" and alert["other_team"] == "Canterbury"
    assert "North Shore dealer network" in alert["own_record"] and "Christchurch" not in json.dumps(alerts)
    assert api("waitemata_analyst")(f"/products/{theirs.pk}")[0] == 404

    status, acknowledged = api("waitemata_analyst")(f"/alerts/{alert['id']}/acknowledge", {})
    assert status == 200 and acknowledged["acknowledged_by_me"] and acknowledged["open"]
    assert api("occc")(f"/alerts/{alert['id']}/acknowledge", {})[0] == 404
    status, closed = api("canterbury_analyst")(f"/alerts/{alert['id']}/acknowledge", {})
    assert closed["open"] is False


def test_the_agenda_endpoint_lists_new_reports_for_the_occc(api, people, make_report, forum):
    from rocc.tasking.services.meetings import meeting_create

    report = make_report(title="Firearms stolen from rural properties")
    meeting = meeting_create(actor=people["occc"], forum=forum("occc"), held_on=dt.date.today())
    status, agenda = api("occc")(f"/meetings/{meeting.pk}/agenda")
    assert status == 200 and agenda["forum"] == "occc" and [r["id"] for r in agenda["new_reports"]] == [report.pk]
    assert api("canterbury_tc")(f"/meetings/{meeting.pk}/agenda")[0] == 404


def test_the_openapi_document_describes_the_tasking_endpoints(tasking):
    status, document = call("/api/openapi.json")
    assert status == 200
    for path in [
        "/api/tasking/products",
        "/api/tasking/reports/{report_id}/routing",
        "/api/tasking/scores",
        "/api/tasking/rankings",
        "/api/tasking/taskings/{tasking_id}/updates",
        "/api/tasking/targets",
        "/api/tasking/alerts/{alert_id}/acknowledge",
        "/api/tasking/meetings/{meeting_id}/agenda",
    ]:
        assert path in document["paths"], path
    assert {"201", "403", "409", "422"} <= set(document["paths"]["/api/tasking/reports/{report_id}/routing"]["post"]["responses"])
