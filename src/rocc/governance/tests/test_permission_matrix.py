"""The governance permission matrix: every role × action, written out cell by cell."""

import pytest
from django.http import Http404

from rocc.core.errors import Refused
from rocc.governance.models import ReportPack
from rocc.governance.selectors import pack_get, pack_list
from rocc.org.models import OrgUnit

# Y: allowed; N: refused. The actor's regional roles are scoped to Waitematā (a district); Canterbury is another
# district; Rodney is an area inside Waitematā (packs are made for the nation or a region, never an area).
ACTIONS = [
    "see packs",
    "make national",
    "make waitemata",
    "make canterbury",
    "make rodney",
    "get national",
    "get waitemata",
    "get canterbury",
]
EXPECTED = {
    #                       see mkN mkW mkC mkR getN getW getC
    "administrator": "Y   Y   Y   Y   N   Y    Y    Y",
    "programme_manager": "Y   Y   Y   Y   N   Y    Y    Y",
    "regional_coordinator": "Y   N   Y   N   N   N    Y    N",
    "analyst": "N   N   N   N   N   N    N    N",
    "provider_reporter": "N   N   N   N   N   N    N    N",
    "tc_member": "N   N   N   N   N   N    N    N",
    "viewer": "N   N   N   N   N   N    N    N",
    "no role": "N   N   N   N   N   N    N    N",
    "anonymous": "N   N   N   N   N   N    N    N",
}


@pytest.fixture
def packs(actors):
    by = actors["programme_manager"]
    made = {}
    for code in ("nz", "waitemata", "canterbury"):
        unit = OrgUnit.objects.get(code=code)
        made[code] = ReportPack.objects.create(unit=unit, period_start="2026-07-01", period_end="2026-09-30", period_label="Jul–Sep 2026", requested_by=by)
    return made


def _can_get(user, pack) -> bool:
    try:
        pack_get(user=user, pk=pack.pk)
    except (Http404, Refused):
        return False
    assert user.has_perm("governance.download_pack", pack)
    return True


def _can_list(user) -> bool:
    try:
        pack_list(user=user)
    except Refused:
        return False
    return True


def _cell(user, action, packs) -> str:
    verb, _, target = action.partition(" ")
    if verb == "see":
        allowed = _can_list(user) and user.has_perm("governance.view_packs")
    elif verb == "make":
        allowed = user.has_perm("governance.generate_pack", OrgUnit.objects.get(code={"national": "nz"}.get(target, target)))
    else:
        allowed = _can_get(user, packs[{"national": "nz"}.get(target, target)])
    return "Y" if allowed else "N"


def test_governance_permission_matrix_is_exactly_as_decided(actors, packs):
    differences = [
        f"{role}: {action} expected {expected} got {got}"
        for role, user in actors.items()
        for action, expected, got in zip(ACTIONS, EXPECTED[role].split(), [_cell(user, a, packs) for a in ACTIONS])
        if expected != got
    ]
    assert not differences, "governance permission matrix changed:\n" + "\n".join(differences)


def test_a_coordinator_lists_only_their_regions_packs(actors, packs):
    listed = {p.unit.code for p in pack_list(user=actors["regional_coordinator"])}
    assert listed == {"waitemata"}
    assert {p.unit.code for p in pack_list(user=actors["programme_manager"])} == {"nz", "waitemata", "canterbury"}
