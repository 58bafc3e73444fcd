"""The problems permission matrix: every role × action × in-scope / out-of-scope case, written out cell by cell."""

import pytest

from rocc.org.models import Agency, OrgUnit
from rocc.problems import selectors
from rocc.problems.services import case_open

# Y: allowed for both objects; I: only the in-scope one (a North Shore case for Waitematā users, against a
# Canterbury case); P: only the case the user's agency is a partner on; N: never.
ACTIONS = ["view", "open", "work", "library", "questions", "listed"]
EXPECTED = {
    #                        view open work lib  qns  listed
    "administrator": "Y    Y    Y    Y    Y    Y",
    "programme_manager": "Y    Y    Y    Y    N    Y",
    "regional_coordinator": "I    I    I    Y    N    I",
    "analyst": "I    I    I    Y    N    I",
    "provider_reporter": "P    N    N    N    N    P",
    "tc_member": "I    N    N    Y    N    I",
    "viewer": "I    N    N    Y    N    I",
    "no role": "N    N    N    N    N    N",
    "anonymous": "N    N    N    N    N    N",
}


@pytest.fixture
def cases(bank, make_user):
    national = make_user("programme_manager", username="matrix-pm")
    inside = case_open(actor=national, title="Inside", description="", scope_unit=OrgUnit.objects.get(code="north-shore"), owner=national)
    outside = case_open(actor=national, title="Outside", description="", scope_unit=OrgUnit.objects.get(code="canterbury"), owner=national)
    outside.partner_agencies.add(Agency.objects.get(short_name="MSD"))  # the provider's agency partners on this one
    return inside, outside


def _pair(a: bool, b: bool) -> str:
    return "Y" if a and b else "I" if a else "P" if b else "N"


def _cell(user, action, inside, outside) -> str:
    if action == "view":
        return _pair(user.has_perm("problems.view_case", inside), user.has_perm("problems.view_case", outside))
    if action == "open":
        return _pair(user.has_perm("problems.open_case", inside.scope_unit), user.has_perm("problems.open_case", outside.scope_unit))
    if action == "work":
        return _pair(user.has_perm("problems.work_on_case", inside), user.has_perm("problems.work_on_case", outside))
    if action == "library":
        return "Y" if user.has_perm("problems.view_library") else "N"
    if action == "questions":
        return "Y" if user.has_perm("problems.manage_questions") else "N"
    visible = set(selectors.cases_visible_to(user).values_list("pk", flat=True))
    return _pair(inside.pk in visible, outside.pk in visible)


def test_problems_permission_matrix_is_exactly_as_decided(actors, cases):
    inside, outside = cases
    differences = [
        f"{role}: {action} expected {expected} got {got}"
        for role, user in actors.items()
        for action, expected, got in zip(ACTIONS, EXPECTED[role].split(), [_cell(user, a, inside, outside) for a in ACTIONS])
        if expected != got
    ]
    assert not differences, "problems permission matrix changed:\n" + "\n".join(differences)


def test_a_cases_owner_works_on_it_even_without_a_coordinating_role(bank, make_user):
    manager = make_user("programme_manager", username="pm-owner")
    member = make_user("tc_member", units=["waitemata"], username="tc-owner")
    case = case_open(actor=manager, title="Owned by a T&C member", description="", scope_unit=OrgUnit.objects.get(code="waitemata"), owner=member)
    assert member.has_perm("problems.work_on_case", case)
    assert not make_user("tc_member", units=["waitemata"]).has_perm("problems.work_on_case", case)
