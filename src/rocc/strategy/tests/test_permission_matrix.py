"""The strategy permission matrix: every role × action × in-scope / out-of-scope object, written out cell by cell."""

import pytest

from rocc.strategy.models import Activity

# Y: allowed (for both objects); I: only the in-scope object; N: never.
# "update national" is an activity of the national Year Two plan; "update district" an activity of a
# North Shore plan (in scope for a Waitematā user) against one of a Canterbury plan (out of scope).
ACTIONS = ["strategy.view_strategy", "strategy.change_framework", "update national", "update district"]
EXPECTED = {
    #                        view chg nat dis
    "administrator": "Y    Y   Y   Y",
    "programme_manager": "Y    Y   Y   Y",
    "regional_coordinator": "Y    N   N   I",
    "analyst": "Y    N   N   N",
    "provider_reporter": "Y    N   N   N",
    "tc_member": "Y    N   N   N",
    "viewer": "Y    N   N   N",
    "no role": "N    N   N   N",
    "anonymous": "N    N   N   N",
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


# Co-designed plans, barriers and initiatives: the object is a Rotorua record (in scope for a coordinator of the
# Bay of Plenty) against a Canterbury one (out of scope). "read" is reading the plan through the selectors.
CODESIGN_ACTIONS = ["read plan", "strategy.edit_district_plan", "strategy.raise_barrier", "strategy.respond_barrier", "strategy.edit_initiative"]
CODESIGN_EXPECTED = {
    #                        read edit raise respond initiative
    "administrator": "Y    Y    Y     Y       Y",
    "programme_manager": "Y    Y    Y     Y       Y",
    "regional_coordinator": "I    I    I     N       I",
    "analyst": "I    N    N     N       N",
    "provider_reporter": "I    N    N     N       N",
    "tc_member": "I    N    N     N       N",
    "viewer": "I    N    N     N       N",
    "no role": "N    N    N     N       N",
    "anonymous": "N    N    N     N       N",
}


def test_codesign_permission_matrix_is_exactly_as_decided(strategy, make_user):
    from django.contrib.auth.models import AnonymousUser

    from rocc.org.models import OrgUnit
    from rocc.strategy.models import DistrictPlan, Framework
    from rocc.strategy.selectors import plans as plans_selectors

    framework = Framework.objects.get(code="rocc")
    inside = DistrictPlan.objects.create(framework=framework, code="rotorua", title="Rotorua", scope_unit=OrgUnit.objects.get(code="rotorua"))
    outside = DistrictPlan.objects.create(framework=framework, code="chch", title="Christchurch", scope_unit=OrgUnit.objects.get(code="christchurch"))
    bay = ["bay-of-plenty"]
    from django.contrib.auth import get_user_model

    actors = {
        "administrator": make_user("administrator"),
        "programme_manager": make_user("programme_manager"),
        "regional_coordinator": make_user("regional_coordinator", units=bay),
        "analyst": make_user("analyst", units=bay),
        "provider_reporter": make_user("provider_reporter", units=bay, agency="MSD"),
        "tc_member": make_user("tc_member", units=bay),
        "viewer": make_user("viewer", units=bay),
        "no role": get_user_model().objects.create_user("norole-2", password="x-unused-password-1"),
        "anonymous": AnonymousUser(),
    }

    def cell(user, action):
        if action == "read plan":
            readable = set(plans_selectors.district_plan_list(user=user).values_list("code", flat=True))
            allowed_in, allowed_out = "rotorua" in readable, "chch" in readable
        else:
            allowed_in, allowed_out = user.has_perm(action, inside), user.has_perm(action, outside)
        assert allowed_in or not allowed_out, f"{action} allows the out-of-scope object but not the in-scope one"
        return "Y" if allowed_in and allowed_out else ("I" if allowed_in else "N")

    differences = [
        f"{role}: {action} expected {expected} got {got}"
        for role, user in actors.items()
        for action, expected, got in zip(CODESIGN_ACTIONS, CODESIGN_EXPECTED[role].split(), [cell(user, a) for a in CODESIGN_ACTIONS])
        if expected != got
    ]
    assert not differences, "co-design permission matrix changed:\n" + "\n".join(differences)
