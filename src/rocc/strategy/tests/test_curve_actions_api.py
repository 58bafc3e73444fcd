"""The picks of a turn-the-curve action plan through the API: list, add and remove, by the same service and rule as the
curve's page (whoever may write the curve's story picks), checked as a role matrix through the test client."""

from __future__ import annotations

import pytest

from rocc.core.tokens import token_issue
from rocc.strategy.models import CurveAction
from rocc.strategy.tests.catalogue import measures_catalogue  # noqa: F401  (a fixture)
from rocc.strategy.tests.test_activity_uses import CODE, scene  # noqa: F401  (scene is a fixture)
from rocc.testing import api_call

BASE = f"/api/strategy/curves/{CODE}/waitemata/actions"
ROLES = ("manager", "coordinator", "occc", "member", "viewer")


@pytest.fixture
def tokens(scene):
    return {role: token_issue(user=scene[role], name="test") for role in ROLES}


def _table(expected: dict[str, int], got: dict[str, int]) -> None:
    assert got == expected, "\n".join(f"{role}: expected {expected[role]}, got {got[role]}" for role in expected if got[role] != expected[role])


def test_who_may_list_add_and_remove_a_curves_picks(scene, tokens):
    listed = {role: api_call(BASE, tokens[role])[0] for role in ROLES}
    _table({"manager": 200, "coordinator": 200, "occc": 200, "member": 200, "viewer": 200}, listed)
    added = {}
    for role in ROLES:
        status, _ = api_call(BASE, tokens[role], {"activity": scene["activity"].pk})
        added[role] = status
        CurveAction.objects.filter(activity=scene["activity"]).delete()
    _table({"manager": 201, "coordinator": 201, "occc": 403, "member": 403, "viewer": 403}, added)
    removed = {}
    for role in ROLES:
        pick = CurveAction.objects.create(indicator=scene["indicator"], unit=scene["plan"].scope_unit, activity=scene["activity"])
        removed[role] = api_call(f"{BASE}/{pick.pk}", tokens[role], method="DELETE")[0]
        CurveAction.objects.filter(pk=pick.pk).delete()
    _table({"manager": 204, "coordinator": 204, "occc": 403, "member": 403, "viewer": 403}, removed)


def test_a_pick_added_through_the_api_shows_with_its_status_and_is_removed_by_its_id(scene, tokens):
    status, body = api_call(BASE, tokens["manager"], {"tasking": scene["tasking"].pk})
    assert status == 201
    [pick] = body["actions"]
    assert (pick["kind"], pick["action_id"], pick["label"]) == ("tasking", scene["tasking"].pk, str(scene["tasking"]))
    assert pick["status"].startswith(scene["tasking"].get_status_display()) and pick["case_label"] == str(scene["case"])
    # Picking the same tasking again changes nothing; an activity beside it is a second pick.
    assert len(api_call(BASE, tokens["manager"], {"tasking": scene["tasking"].pk})[1]["actions"]) == 1
    status, body = api_call(BASE, tokens["coordinator"], {"activity": scene["activity"].pk})
    # The coordinator sees no taskings: the tasking's pick is counted, not shown, and is not theirs to remove.
    assert status == 201 and [a["kind"] for a in body["actions"]] == ["activity"] and body["hidden"] == 1
    assert api_call(f"{BASE}/{pick['id']}", tokens["coordinator"], method="DELETE")[0] == 404
    # The viewer reads the same picks the page shows.
    assert api_call(BASE, tokens["viewer"])[1]["actions"] == body["actions"]
    assert api_call(f"{BASE}/{pick['id']}", tokens["manager"], method="DELETE")[0] == 204
    assert [a["kind"] for a in api_call(BASE, tokens["manager"])[1]["actions"]] == ["activity"]


def test_bad_picks_are_refused_with_the_field_named_and_change_nothing(scene, tokens, make_user):
    token = tokens["coordinator"]
    status, body = api_call(BASE, token, {"activity": 999_999})
    assert status == 422 and "No action-plan activity you may read has id 999999" in str(body["errors"]["activities"])
    status, body = api_call(BASE, token, {"activity": scene["activity"].pk, "tasking": scene["tasking"].pk})
    assert status == 422 and "not both" in str(body["errors"])
    assert api_call("/api/strategy/curves/no-such-indicator/waitemata/actions", token)[0] == 404
    outsider = token_issue(user=make_user("viewer", units=["canterbury"], username="viewer-canterbury"), name="test")
    assert api_call(BASE, outsider)[0] == 404
    assert api_call(f"{BASE}/999999", token, method="DELETE")[0] == 404
    assert not CurveAction.objects.exists()


def test_the_curve_picks_are_in_the_openapi_document(scene, tokens):
    status, document = api_call("/api/openapi.json", tokens["viewer"])
    assert status == 200
    paths = document["paths"]
    assert set(paths["/api/strategy/curves/{indicator}/{unit}/actions"]) == {"get", "post"}
    assert set(paths["/api/strategy/curves/{indicator}/{unit}/actions/{pick}"]) == {"delete"}
    assert {"201", "403", "404", "422"} <= set(paths["/api/strategy/curves/{indicator}/{unit}/actions"]["post"]["responses"])
