"""The releases permission matrix: every role × release action, each move asked on a release at the stage it starts
from (and refused at the others), cell by cell."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rocc.releases.models import Release, ReleaseStatus

# Y: allowed; I: only in scope (Waitematā, or the actor's own agency; for publishing a district's indicator, only
# Waitematā's own indicators for Waitematā: not a national indicator, nor Canterbury's); N: never.
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
    "releases.publish_district_indicator",
    "releases.district_indicators_release",
    "releases.use_consent",
    "releases.decide_consent",
    "releases.view_consents",
]
EXPECTED = {
    #                       view prev new edit frz sch uns rev can dist pub dsr use dec cons
    "administrator": "Y Y Y Y Y Y Y Y Y Y Y Y N N Y",
    "programme_manager": "Y Y Y Y Y Y Y Y Y Y Y Y N N Y",
    "regional_coordinator": "Y Y N N N N N N N I I Y N N N",
    "analyst": "N N N N N N N N N N N N N N N",
    "provider_reporter": "N N N N N N N N N N N N Y I N",
    "tc_member": "N N N N N N N N N N N N N N N",
    "viewer": "N N N N N N N N N N N N N N N",
    "no role": "N N N N N N N N N N N N N N N",
    "anonymous": "N N N N N N N N N N N N N N N",
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
    from rocc.measures.models import Indicator
    from rocc.org.models import Agency, OrgUnit
    from rocc.releases.models import DistrictIndicator
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
    waitemata, canterbury = OrgUnit.objects.get(code="waitemata"), OrgUnit.objects.get(code="canterbury")
    national = Indicator.objects.create(code="matrix-national", name="A national indicator")
    waitemata_own = Indicator.objects.create(code="matrix-waitemata", name="Waitematā's own indicator", owner_unit=waitemata)
    canterbury_own = Indicator.objects.create(code="matrix-canterbury", name="Canterbury's own indicator", owner_unit=canterbury)
    draft = releases["draft"]
    return {
        "releases": releases,
        "units": (waitemata, canterbury),
        "assignments": (own, theirs),
        # Publishing a district's indicator: Waitematā's own for Waitematā, then every choice that is not a
        # Waitematā coordinator's to make.
        "district_choices": (
            DistrictIndicator(release=draft, unit=waitemata, indicator=waitemata_own),
            DistrictIndicator(release=draft, unit=waitemata, indicator=national),
            DistrictIndicator(release=draft, unit=waitemata, indicator=canterbury_own),
            DistrictIndicator(release=draft, unit=canterbury, indicator=canterbury_own),
            DistrictIndicator(release=draft, unit=canterbury, indicator=national),
        ),
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
    if action == "releases.publish_district_indicator":
        inside, *outside = (user.has_perm(action, choice) for choice in objects["district_choices"])
        if inside and all(outside):
            return "Y"
        assert not any(outside), f"{action} allows a choice outside the actor's own district's own indicators"
        return "I" if inside else "N"
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
