"""The strategy permission matrix: every role × action × in-scope / out-of-scope object, written out cell by cell."""

import pytest

from rocc.strategy.models import Activity

# Y: allowed (for both objects); I: only the in-scope object; N: never.
# "update national" is an activity of the national Year Two plan; "update district" an activity of a
# North Shore plan (in scope for a Waitematā user) against one of a Canterbury plan (out of scope).
ACTIONS = ["strategy.view_strategy", "strategy.change_framework", "update national", "update district"]
EXPECTED = {
    #                        view chg nat dis
    "administrator":        "Y    Y   Y   Y",
    "programme_manager":    "Y    Y   Y   Y",
    "regional_coordinator": "Y    N   N   I",
    "analyst":              "Y    N   N   N",
    "provider_reporter":    "Y    N   N   N",
    "tc_member":            "Y    N   N   N",
    "viewer":               "Y    N   N   N",
    "no role":              "N    N   N   N",
    "anonymous":            "N    N   N   N",
}


@pytest.fixture
def objects(year_two, district_plan):
    national = Activity.objects.get(plan=year_two, number=1)
    inside = Activity.objects.get(plan=district_plan("north-shore"))
    outside = Activity.objects.get(plan=district_plan("canterbury"))
    return {"update national": (national, national), "update district": (inside, outside)}


def _cell(user, action, objects) -> str:
    if action not in objects:
        return "Y" if user.has_perm(action) else "N"
    inside, outside = objects[action]
    allowed_inside = user.has_perm("strategy.update_activity", inside)
    allowed_outside = user.has_perm("strategy.update_activity", outside)
    if allowed_inside and allowed_outside:
        return "Y"
    if allowed_inside:
        return "I"
    assert not allowed_outside, f"{action} allows the out-of-scope object but not the in-scope one"
    return "N"


def test_strategy_permission_matrix_is_exactly_as_decided(actors, objects):
    differences = [
        f"{role}: {action} expected {expected} got {got}"
        for role, user in actors.items()
        for action, expected, got in zip(ACTIONS, EXPECTED[role].split(), [_cell(user, a, objects) for a in ACTIONS])
        if expected != got
    ]
    assert not differences, "strategy permission matrix changed:\n" + "\n".join(differences)
