"""The API through the test client: authentication, scoping (404 outside scope), and the locally served OpenAPI docs."""

from __future__ import annotations

import pytest

from rocc.core.tokens import token_issue
from rocc.testing import api_call as get


@pytest.fixture
def server(defaults):
    return ""


def test_an_unauthenticated_request_gets_401(server):
    for path in ["/api/org/units", "/api/org/me", "/api/audit/entries"]:
        assert get(server + path)[0] == 401, path
    assert get(server + "/api/org/units", token="rocc_not-a-real-token")[0] == 401


def test_a_token_reads_reference_data(server, make_user):
    token = token_issue(user=make_user("viewer"), name="test")
    status, units = get(server + "/api/org/units?level=district", token)
    assert status == 200 and len(units) == 12
    assert {"code": "waitemata", "name": "Waitematā", "level": "district", "parent": "nz", "aliases": ["Waitemata"]} in units
    status, populations = get(server + "/api/org/units/waitemata/populations", token)
    assert status == 200 and populations[0]["value"] == 575550 and populations[0]["is_approximate"] is True
    status, groups = get(server + "/api/org/groups", token)
    assert status == 200 and len(groups) == 14


def test_an_out_of_scope_object_is_404_and_an_in_scope_one_is_200(server, make_user):
    coordinator = make_user("regional_coordinator", units=["waitemata"])
    near = make_user("viewer", units=["north-shore"])
    far = make_user("viewer", units=["canterbury"])
    token = token_issue(user=coordinator, name="test")
    assert get(f"{server}/api/org/users/{near.pk}", token)[0] == 200
    assert get(f"{server}/api/org/users/{far.pk}", token)[0] == 404
    assert get(f"{server}/api/org/users/999999", token)[0] == 404
    status, listed = get(f"{server}/api/org/users", token)
    assert {u["username"] for u in listed} == {coordinator.username, near.username}


def test_audit_entries_are_scoped_and_verification_is_for_administrators(server, make_user):
    analyst = make_user("analyst")
    token = token_issue(user=analyst, name="test")
    status, page = get(server + "/api/audit/entries", token)
    assert status == 200 and all(item["actor_name"] == analyst.username for item in page["items"])
    assert get(server + "/api/audit/verify", token)[0] == 403
    admin_token = token_issue(user=make_user("administrator"), name="test")
    status, result = get(server + "/api/audit/verify", admin_token)
    assert status == 200 and result["ok"] is True


def test_the_openapi_document_describes_every_endpoint(server):
    status, document = get(server + "/api/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.1")
    for path in ["/api/org/agencies", "/api/org/units/{code}", "/api/org/users/{user_id}", "/api/audit/entries"]:
        assert path in document["paths"], path
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"apiKey", "http"}


def test_the_api_docs_are_served_without_any_external_asset(server):
    status, page = get(server + "/api/docs")
    assert status == 200 and "swagger" in page.lower()
    assert "cdn." not in page and "https://" not in page
