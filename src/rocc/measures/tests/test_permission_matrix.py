"""Who may do what with measures: every role (and no role, and anonymous) against every action."""

from __future__ import annotations

from rocc.org.models import OrgUnit

ACTIONS = [
    "view_measures",
    "change_definition",
    "set_indicator_owner",
    "set_target",
    "edit_narrative",
    "record_observation",
    "import_populations",
    "recompute_statuses",
    "unit_level_output",
]
# Expected answers for a Waitematā unit (the regional actors work in Waitematā) and for Northland (outside their scope).
MATRIX = {
    #                       view  define owner target story record import recompute unit-level   (Waitematā)
    "administrator": (1, 1, 1, 1, 1, 1, 1, 1, 1),
    "programme_manager": (1, 1, 1, 1, 1, 1, 0, 1, 1),
    "regional_coordinator": (1, 0, 0, 1, 1, 0, 0, 0, 1),
    "analyst": (1, 0, 0, 0, 0, 1, 1, 1, 1),
    "provider_reporter": (1, 0, 0, 0, 0, 0, 0, 0, 0),
    "tc_member": (1, 0, 0, 0, 0, 0, 0, 0, 1),
    "viewer": (1, 0, 0, 0, 0, 0, 0, 0, 0),
    "no role": (0, 0, 0, 0, 0, 0, 0, 0, 0),
    "anonymous": (0, 0, 0, 0, 0, 0, 0, 0, 0),
}
OUTSIDE_SCOPE_ALLOWED = {"administrator", "programme_manager"}  # unit-scoped actions in Northland


def _allowed(user, action: str, unit) -> bool:
    if action == "unit_level_output":
        return user.has_perm("org.view_unit_level_output", unit)
    return user.has_perm(f"measures.{action}", unit)


def test_permission_matrix_roles_by_actions(actors):
    # One test over the whole matrix: building the actors is the slow part.
    waitemata, northland = OrgUnit.objects.get(code="waitemata"), OrgUnit.objects.get(code="northland")
    for role, expected in MATRIX.items():
        got = tuple(int(_allowed(actors[role], action, waitemata)) for action in ACTIONS)
        assert got == expected, (role, dict(zip(ACTIONS, got, strict=True)))
        # Unit-scoped actions stop at the edge of the actor's scope (Northland is outside it).
        for action in ("set_indicator_owner", "set_target", "edit_narrative", "record_observation", "unit_level_output"):
            assert _allowed(actors[role], action, northland) == (role in OUTSIDE_SCOPE_ALLOWED), (role, action)


def test_setting_an_indicators_owner_is_scoped_for_those_who_change_definitions(make_user):
    """The same people who change definitions, within their scope: a programme manager scoped to Waitematā may make an
    indicator Waitematā's own (or take it back out of it) but not Northland's, nor make it national."""
    waitemata, northland, nz = (OrgUnit.objects.get(code=c) for c in ("waitemata", "northland", "nz"))
    scoped = make_user("programme_manager", units=["waitemata"])
    national = make_user("programme_manager")
    expected = {
        #                       Waitematā Northland national
        "scoped manager": (scoped, (1, 0, 0)),
        "national manager": (national, (1, 1, 1)),
    }
    for who, (user, answers) in expected.items():
        got = tuple(int(user.has_perm("measures.set_indicator_owner", unit)) for unit in (waitemata, northland, nz))
        assert got == answers, (who, got)
