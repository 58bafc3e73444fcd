"""The provider-returns permission matrix: every role × action, with an in-scope and an out-of-scope return, cell by cell."""

import datetime as dt

import pytest

from rocc.org.models import Agency, OrgUnit
from rocc.returns.models import DataSet, ProviderReturn

# Y: allowed (for both returns); I: only the in-scope return; N: never.
# The in-scope return is MSD's for Waitematā (the actors' provider reports for MSD; the regional actors work in
# Waitematā); the out-of-scope one is another agency's for Canterbury.
ACTIONS = [
    "returns.use_returns",
    "returns.review_returns",
    "returns.manage_data_sets",
    "returns.view_reporting_performance",
    "returns.view_return",
    "returns.edit_return",
    "returns.approve_return",
]
EXPECTED = {
    #                        use rev mng perf view edit appr
    "administrator": "Y   Y   Y   Y    Y    Y    Y",
    "programme_manager": "Y   Y   Y   Y    Y    N    Y",
    "regional_coordinator": "Y   Y   N   Y    I    N    I",
    "analyst": "N   N   N   N    N    N    N",
    "provider_reporter": "Y   N   N   N    I    I    N",
    "tc_member": "N   N   N   N    N    N    N",
    "viewer": "N   N   N   N    N    N    N",
    "no role": "N   N   N   N    N    N    N",
    "anonymous": "N   N   N   N    N    N    N",
}
OBJECT_ACTIONS = {"returns.view_return", "returns.edit_return", "returns.approve_return"}


@pytest.fixture
def returns(defaults):
    data_set = DataSet.objects.create(code="matrix", name="Matrix data set", first_period_start=dt.date(2024, 7, 1))
    other = Agency.objects.create(short_name="Waitaha PHO", name="Waitaha Primary Health Organisation", kind="pho")

    def make(agency, unit_code):
        return ProviderReturn.objects.create(
            data_set=data_set,
            provider=agency,
            unit=OrgUnit.objects.get(code=unit_code),
            period_start=dt.date(2025, 3, 1),
            period_end=dt.date(2025, 3, 31),
            due_date=dt.date(2025, 4, 20),
        )

    return make(Agency.objects.get(short_name="MSD"), "waitemata"), make(other, "canterbury")


def _cell(user, action, returns) -> str:
    if action not in OBJECT_ACTIONS:
        return "Y" if user.has_perm(action) else "N"
    inside, outside = returns
    allowed_inside, allowed_outside = user.has_perm(action, inside), user.has_perm(action, outside)
    if allowed_inside and allowed_outside:
        return "Y"
    if allowed_inside:
        return "I"
    assert not allowed_outside, f"{action} allows the out-of-scope return but not the in-scope one"
    return "N"


def test_provider_returns_permission_matrix_is_exactly_as_decided(actors, returns):
    differences = [
        f"{role}: {action} expected {expected} got {got}"
        for role, user in actors.items()
        for action, expected, got in zip(ACTIONS, EXPECTED[role].split(), [_cell(user, a, returns) for a in ACTIONS])
        if expected != got
    ]
    assert not differences, "provider returns permission matrix changed:\n" + "\n".join(differences)


def test_the_selectors_scope_returns_as_the_matrix_says(actors, returns):
    from rocc.returns.selectors import return_list

    inside, outside = returns
    seen = {role: set(return_list(user=user).values_list("pk", flat=True)) for role, user in actors.items()}
    assert seen["administrator"] == seen["programme_manager"] == {inside.pk, outside.pk}
    assert seen["regional_coordinator"] == seen["provider_reporter"] == {inside.pk}
    assert all(seen[role] == set() for role in ("analyst", "tc_member", "viewer", "no role", "anonymous"))
