"""The referrals permission matrix: every role × action, with a referral inside the actors' scope (made in Waitematā
by Police to MSD, the actors' provider) and one outside it (made in Canterbury to another provider), cell by cell;
then the moves each side may make on a sent referral, and a provider never seeing another provider's referrals."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.referrals.tests.fixtures import *  # noqa: F403

# Y: allowed (for both referrals); I: only the in-scope referral; N: never.
ACTIONS = [
    "referrals.view_directory",
    "referrals.view_whole_directory",
    "referrals.add_service",
    "referrals.refer",
    "referrals.use_referrals",
    "referrals.view_capacity_evidence",
    "referrals.run_expiry",
    "referrals.view_referral",
    "referrals.respond",
    "referrals.change_service",
]
EXPECTED = {
    #                     dir all add ref use evid exp view resp chg
    "administrator": "Y   Y   Y   N   N   Y    Y   N    N    Y",
    "programme_manager": "Y   Y   Y   N   N   Y    N   N    N    Y",
    "regional_coordinator": "Y   Y   Y   N   N   Y    N   N    N    Y",
    "analyst": "Y   N   N   Y   Y   N    N   I    N    N",
    "provider_reporter": "Y   N   Y   N   Y   N    N   I    I    I",
    "tc_member": "Y   N   N   Y   Y   N    N   I    N    N",
    "viewer": "N   N   N   N   N   N    N   N    N    N",
    "no role": "N   N   N   N   N   N    N   N    N    N",
    "anonymous": "N   N   N   N   N   N    N   N    N    N",
}
OBJECT_ACTIONS = {"referrals.view_referral", "referrals.respond", "referrals.change_service"}


@pytest.fixture
def two_referrals(actors, defaults):
    from rocc.org.models import Agency, OrgUnit
    from rocc.referrals.models import Referral, Service

    msd = Agency.objects.get(short_name="MSD")
    other = Agency.objects.create(short_name="Waitaha PHO", name="Waitaha Primary Health Organisation", kind="pho")
    canterbury_analyst = actors["programme_manager"]  # any user: the out-of-scope referral is not the actors' own

    def make(agency, unit_code, referrer):
        service = Service.objects.create(provider=agency, name=f"Service of {agency}", offers="Support")
        service.units_served.set([OrgUnit.objects.get(code=unit_code)])
        return Referral.objects.create(
            service=service,
            provider=agency,
            unit=OrgUnit.objects.get(code=unit_code),
            referrer=referrer,
            response_due=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
            reason="Support",
            contact_route="through_referrer",
            lawful_basis="other",
            other_basis="Recorded basis for the matrix",
        )

    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user("someone-in-canterbury", password="x-unused-password-2")
    # The in-scope referral is made by another Police referrer of Waitematā (not any actor themselves).
    police_colleague = get_user_model().objects.create_user("police-colleague", password="x-unused-password-3")
    assert canterbury_analyst
    return make(msd, "waitemata", police_colleague), make(other, "canterbury", stranger)


def _cell(user, action, referrals) -> str:
    if action not in OBJECT_ACTIONS:
        return "Y" if user.has_perm(action) else "N"
    inside, outside = referrals
    target_inside, target_outside = (inside.service, outside.service) if action == "referrals.change_service" else (inside, outside)
    allowed_inside, allowed_outside = user.has_perm(action, target_inside), user.has_perm(action, target_outside)
    if allowed_inside and allowed_outside:
        return "Y"
    if allowed_inside:
        return "I"
    assert not allowed_outside, f"{action} allows the out-of-scope referral but not the in-scope one"
    return "N"


def test_referrals_permission_matrix_is_exactly_as_decided(actors, two_referrals):
    differences = [
        f"{role}: {action} expected {expected} got {got}"
        for role, user in actors.items()
        for action, expected, got in zip(ACTIONS, EXPECTED[role].split(), [_cell(user, a, two_referrals) for a in ACTIONS])
        if expected != got
    ]
    assert not differences, "referrals permission matrix changed:\n" + "\n".join(differences)


def test_moves_on_a_sent_referral_by_side(actors, two_referrals):
    from rocc.referrals.rules import moves_for

    inside, _ = two_referrals
    assert moves_for(actors["provider_reporter"], inside) == ["accept", "decline", "close"]  # the receiving provider
    assert moves_for(actors["analyst"], inside) == ["close"]  # the referrer's side; no consent to withdraw (other basis)
    for role in ("administrator", "programme_manager", "regional_coordinator", "viewer", "no role", "anonymous"):
        assert moves_for(actors[role], inside) == [], role


def test_who_may_refer_police_roles_and_referring_agencies_not_others(make_user, defaults):
    cases = {
        ("analyst", None): True,
        ("analyst", "Police"): True,
        ("tc_member", None): True,
        ("analyst", "MSD"): False,
        ("provider_reporter", "Kāinga Ora"): True,
        ("regional_coordinator", "Kāinga Ora"): True,
        ("provider_reporter", "MSD"): False,
        ("regional_coordinator", None): False,
        ("viewer", "Kāinga Ora"): False,
        ("viewer", None): False,
    }
    got = {case: make_user(case[0], units=["waitemata"], agency=case[1]).has_perm("referrals.refer") for case in cases}
    assert got == cases


def test_the_referring_agencies_are_a_setting(make_user, defaults, settings):
    settings.ROCC_REFERRALS = {**settings.ROCC_REFERRALS, "referring_agencies": ["Police", "MSD"]}
    assert make_user("provider_reporter", units=["waitemata"], agency="MSD").has_perm("referrals.refer")
    assert not make_user("provider_reporter", units=["waitemata"], agency="Kāinga Ora").has_perm("referrals.refer")


def test_a_provider_cannot_see_another_providers_referrals(people, refer):
    from django.http import Http404

    from rocc.referrals.selectors import referral_get, referral_queue_for

    to_awhina = refer("whanau")
    to_harbour = refer("counselling")
    assert [r["id"] for r in referral_queue_for(user=people["provider"])] == [to_awhina.pk]
    assert [r["id"] for r in referral_queue_for(user=people["other_provider"])] == [to_harbour.pk]
    with pytest.raises(Http404):
        referral_get(user=people["provider"], pk=to_harbour.pk)
    with pytest.raises(Http404):
        referral_get(user=people["canterbury_provider"], pk=to_awhina.pk)
    # Nor the programme office, nor a Police referrer of another district, nor an agency that does not refer.
    for who in ("programme", "coordinator", "police_canterbury", "msd_analyst", "viewer"):
        with pytest.raises(Http404):
            referral_get(user=people[who], pk=to_awhina.pk)
