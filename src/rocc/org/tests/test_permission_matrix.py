"""The whole permission matrix of the foundation: every role × action × in-scope / out-of-scope object.

Each cell is written out below. A change to any rule changes a cell and fails this test, so a
permission never moves without someone deciding it should.
"""

import pytest
from django.contrib.auth import get_user_model

from rocc.org.models import Agency, OrgUnit

# Y: allowed for both objects (or allowed, for actions on no object); I: only the in-scope object; N: never.
ACTIONS = [
    "org.view_reference",
    "org.change_reference",
    "org.manage_users",
    "org.view_user_list",
    "org.view_user",
    "org.work_in_unit",
    "org.view_unit_level_output",
    "org.view_person_level",
    "org.report_for_agency",
    "org.attend_tasking",
    "audit.view_all_entries",
    "audit.verify_chain",
    "audit.view_own_entries",
]
EXPECTED = {
    #                        ref chg mng lst usr wrk out per rep att all ver own
    "administrator": "Y   Y   Y   Y   Y   Y   Y   N   Y   Y   Y   Y   Y",
    "programme_manager": "Y   N   N   Y   Y   Y   Y   N   N   Y   N   N   Y",
    "regional_coordinator": "Y   N   N   Y   I   I   I   N   N   N   N   N   Y",
    "analyst": "Y   N   N   N   N   N   I   I   N   N   N   N   Y",
    "provider_reporter": "Y   N   N   N   N   N   N   N   I   N   N   N   Y",
    "tc_member": "Y   N   N   N   N   N   I   N   N   Y   N   N   Y",
    "viewer": "Y   N   N   N   N   N   N   N   N   N   N   N   Y",
    "no role": "N   N   N   N   N   N   N   N   N   N   N   N   N",
    "anonymous": "N   N   N   N   N   N   N   N   N   N   N   N   N",
}
OBJECT_OF = {
    "org.view_user": "user",
    "org.work_in_unit": "unit",
    "org.view_unit_level_output": "unit",
    "org.view_person_level": "unit",
    "org.report_for_agency": "agency",
}


@pytest.fixture
def objects(make_user):
    return {
        # An area inside Waitematā is in scope for a Waitematā user; Canterbury is not.
        "unit": (OrgUnit.objects.get(code="north-shore"), OrgUnit.objects.get(code="canterbury")),
        "agency": (Agency.objects.get(short_name="MSD"), Agency.objects.get(short_name="Police")),
        "user": (make_user("viewer", units=["north-shore"]), make_user("viewer", units=["canterbury"])),
    }


def _cell(user, action, objects) -> str:
    kind = OBJECT_OF.get(action)
    if kind is None:
        return "Y" if user.has_perm(action) else "N"
    inside, outside = objects[kind]
    allowed_inside, allowed_outside = user.has_perm(action, inside), user.has_perm(action, outside)
    if allowed_inside and allowed_outside:
        return "Y"
    if allowed_inside:
        return "I"
    assert not allowed_outside, f"{action} allows the out-of-scope object but not the in-scope one"
    return "N"


def test_permission_matrix_of_roles_actions_and_scope_is_exactly_as_decided(actors, objects):
    actual = {role: "   ".join(_cell(user, action, objects) for action in ACTIONS) for role, user in actors.items()}
    differences = [
        f"{role}: {action} expected {exp} got {got}"
        for role in EXPECTED
        for action, exp, got in zip(ACTIONS, EXPECTED[role].split(), actual[role].split())
        if exp != got
    ]
    assert not differences, "permission matrix changed:\n" + "\n".join(differences)


def test_every_user_may_see_themselves_but_not_a_peer(actors, make_user):
    analyst = actors["analyst"]
    assert analyst.has_perm("org.view_user", analyst)
    assert not analyst.has_perm("org.view_user", make_user("analyst", units=["waitemata"]))


def test_an_inactive_user_loses_every_permission(actors):
    coordinator = actors["regional_coordinator"]
    coordinator.is_active = False
    coordinator.save()
    fresh = get_user_model().objects.get(pk=coordinator.pk)
    assert not fresh.has_perm("org.view_reference")


@pytest.mark.django_db
def test_a_permission_granted_in_djangos_own_tables_does_not_pass_a_rule(make_user):
    """Django makes view/add/change/delete permissions for every model and the admin can grant them; the rules alone
    decide, so a viewer granted Django's "view referral" and "change service" still may not, and a user still signs
    in with their password."""
    from django.contrib.auth import authenticate
    from django.contrib.auth.models import Permission
    from django.test import RequestFactory

    from rocc.conftest import PASSWORD

    viewer = make_user("viewer", units=["waitemata"])
    viewer.user_permissions.add(*Permission.objects.filter(content_type__app_label="referrals", codename__in=["view_referral", "change_service"]))
    viewer = get_user_model().objects.get(pk=viewer.pk)  # no cached permissions
    assert viewer.user_permissions.count() == 2
    assert not viewer.has_perm("referrals.view_referral") and not viewer.has_perm("referrals.change_service")
    assert not viewer.has_module_perms("referrals") or viewer.has_perm("referrals.view_directory")
    assert authenticate(RequestFactory().post("/accounts/login/"), username=viewer.username, password=PASSWORD) == viewer
