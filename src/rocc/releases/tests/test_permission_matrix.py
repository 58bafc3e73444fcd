"""The releases permission matrix: every role × release action, each move asked on a release at the stage it starts
from (and refused at the others), cell by cell."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rocc.releases.models import Release, ReleaseStatus

# Y: allowed; I: only in scope (Waitematā, or the actor's own agency); N: never.
ACTIONS = [
    "releases.view_manage",
    "releases.preview_release",
    "releases.create_release",
    "releases.edit_release",
    "releases.freeze_release",
    "releases.schedule_release",
    "releases.unschedule_release",
    "releases.revise_release",
    "releases.cancel_release",
    "releases.choose_district_indicator",
    "releases.district_indicators_release",
    "releases.use_consent",
    "releases.decide_consent",
    "releases.view_consents",
]
EXPECTED = {
    #                       view prev new edit frz sch uns rev can dist dsr use dec cons
    "administrator": "Y Y Y Y Y Y Y Y Y Y Y N N Y",
    "programme_manager": "Y Y Y Y Y Y Y Y Y Y Y N N Y",
    "regional_coordinator": "Y Y N N N N N N N I Y N N N",
    "analyst": "N N N N N N N N N N N N N N",
    "provider_reporter": "N N N N N N N N N N N Y I N",
    "tc_member": "N N N N N N N N N N N N N N",
    "viewer": "N N N N N N N N N N N N N N",
    "no role": "N N N N N N N N N N N N N N",
    "anonymous": "N N N N N N N N N N N N N N",
}
# The stage each move is asked at (it must also be refused at every other stage).
STAGE_OF = {
    "releases.edit_release": "draft",
    "releases.freeze_release": "draft",
    "releases.schedule_release": "draft",
    "releases.unschedule_release": "embargoed",
    "releases.revise_release": "live",
    "releases.cancel_release": "draft",
    "releases.district_indicators_release": "draft",
}


@pytest.fixture
def objects(defaults):
    from rocc.org.models import Agency, OrgUnit
    from rocc.returns.models import DataSet, DataSetProvider

    now = timezone.now()

    def release(slug, status, go_live):
        return Release.objects.create(
            slug=slug, title=slug, reference_date=dt.date(2025, 6, 30), planned_for=dt.date(2025, 9, 1), status=status, go_live_at=go_live
        )

    releases = {
        "draft": release("draft", ReleaseStatus.DRAFT, None),
        "embargoed": release("embargoed", ReleaseStatus.SCHEDULED, now + dt.timedelta(days=1)),
        "live": release("live", ReleaseStatus.SCHEDULED, now - dt.timedelta(days=1)),
        "cancelled": release("cancelled", ReleaseStatus.CANCELLED, None),
    }
    data_set = DataSet.objects.create(code="matrix", name="Matrix data set", first_period_start=dt.date(2024, 7, 1))
    other = Agency.objects.create(short_name="Waitaha PHO", name="Waitaha Primary Health Organisation", kind="pho")
    own = DataSetProvider.objects.create(data_set=data_set, agency=Agency.objects.get(short_name="MSD"), unit=OrgUnit.objects.get(code="waitemata"))
    theirs = DataSetProvider.objects.create(data_set=data_set, agency=other, unit=OrgUnit.objects.get(code="canterbury"))
    return {
        "releases": releases,
        "units": (OrgUnit.objects.get(code="waitemata"), OrgUnit.objects.get(code="canterbury")),
        "assignments": (own, theirs),
    }


def _cell(user, action, objects) -> str:
    if action in STAGE_OF:
        stage = STAGE_OF[action]
        allowed = user.has_perm(action, objects["releases"][stage])
        for other_stage, release in objects["releases"].items():
            if other_stage != stage and action != "releases.cancel_release":
                assert not user.has_perm(action, release), f"{action} allowed at stage {other_stage}"
        if action == "releases.cancel_release":
            assert not user.has_perm(action, objects["releases"]["live"]) and not user.has_perm(action, objects["releases"]["cancelled"])
        return "Y" if allowed else "N"
    pair = {"releases.choose_district_indicator": objects["units"], "releases.decide_consent": objects["assignments"]}.get(action)
    if pair is None:
        return "Y" if user.has_perm(action) else "N"
    inside, outside = (user.has_perm(action, obj) for obj in pair)
    if inside and outside:
        return "Y"
    assert not outside, f"{action} allows the out-of-scope object but not the in-scope one"
    return "I" if inside else "N"


def test_releases_permission_matrix_is_exactly_as_decided(actors, objects):
    differences = [
        f"{role}: {action} expected {expected} got {got}"
        for role, user in actors.items()
        for action, expected, got in zip(ACTIONS, EXPECTED[role].split(), [_cell(user, a, objects) for a in ACTIONS])
        if expected != got
    ]
    assert not differences, "releases permission matrix changed:\n" + "\n".join(differences)


def test_the_services_refuse_what_the_matrix_refuses(actors, objects):
    from django.core.exceptions import PermissionDenied

    from rocc.releases.services import release_create, release_freeze

    for role, user in actors.items():
        allowed = EXPECTED[role].split()[ACTIONS.index("releases.freeze_release")] == "Y"
        if allowed:
            continue
        with pytest.raises(PermissionDenied):
            release_freeze(user=user, release=objects["releases"]["draft"])
        with pytest.raises(PermissionDenied):
            release_create(user=user, title="x", reference_date=dt.date(2025, 6, 30), planned_for=dt.date(2025, 7, 1))
