"""The people and services of the referrals tests, made through the real services: two providers in Waitematā and
one in Canterbury, Police and Kāinga Ora referrers, the programme office, and a referral maker."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.conftest import PASSWORD  # noqa: F401  (the browser test signs in with it)


@pytest.fixture
def people(make_user, defaults):
    from rocc.org.models import Agency

    Agency.objects.get_or_create(short_name="Te Whare Āwhina", defaults={"name": "Te Whare Āwhina Trust", "kind": "iwi"})
    Agency.objects.get_or_create(short_name="Waitaha PHO", defaults={"name": "Waitaha Primary Health Organisation", "kind": "pho"})
    Agency.objects.get_or_create(short_name="Harbour NGO", defaults={"name": "Harbour Community Trust", "kind": "ngo"})
    return {
        "police": make_user("analyst", units=["waitemata"], username="police-analyst"),
        "police_tc": make_user("tc_member", units=["waitemata"], agency="Police", username="police-tc"),
        "police_canterbury": make_user("analyst", units=["canterbury"], username="police-canterbury"),
        "kainga_ora": make_user("provider_reporter", units=["waitemata"], agency="Kāinga Ora", username="kainga-ora"),
        "provider": make_user("provider_reporter", units=["waitemata"], agency="Te Whare Āwhina", username="awhina-reporter"),
        "other_provider": make_user("provider_reporter", units=["waitemata"], agency="Harbour NGO", username="harbour-reporter"),
        "canterbury_provider": make_user("provider_reporter", units=["canterbury"], agency="Waitaha PHO", username="waitaha-reporter"),
        "msd_analyst": make_user("analyst", units=["waitemata"], agency="MSD", username="msd-analyst"),
        "coordinator": make_user("regional_coordinator", units=["waitemata"], username="waitemata-coordinator"),
        "programme": make_user("programme_manager", username="programme-office"),
        "viewer": make_user("viewer", units=["waitemata"], username="viewer"),
        "administrator": make_user("administrator", username="admin-user"),
    }


@pytest.fixture
def directory(people):
    from rocc.org.models import Agency, OrgUnit
    from rocc.referrals.services import service_save

    def unit(code):
        return OrgUnit.objects.get(code=code)

    programme = people["programme"]
    return {
        "whanau": service_save(
            user=people["provider"],
            provider=Agency.objects.get(short_name="Te Whare Āwhina"),
            name="Whānau navigation",
            offers="Intensive support and navigation for whānau affected by methamphetamine harm.",
            eligibility="Whānau in West Auckland and North Shore.",
            units_served=[unit("west-auckland"), unit("north-shore")],
            response_days=3,
        ),
        "counselling": service_save(
            user=programme,
            provider=Agency.objects.get(short_name="Harbour NGO"),
            name="Alcohol and drug counselling",
            offers="Free counselling for people using drugs, and their families.",
            units_served=[unit("waitemata")],
        ),
        "canterbury": service_save(
            user=programme,
            provider=Agency.objects.get(short_name="Waitaha PHO"),
            name="Te Ara Ora counselling",
            offers="Counselling in Canterbury.",
            units_served=[unit("canterbury")],
        ),
        "closed": service_save(
            user=programme,
            provider=Agency.objects.get(short_name="Harbour NGO"),
            name="Youth mentoring",
            offers="Mentoring for rangatahi.",
            units_served=[unit("waitemata")],
            capacity="closed",
            capacity_note="Full until March",
        ),
    }


@pytest.fixture
def refer(people, directory):
    """refer(service="whanau", by="police", unit="west-auckland", **overrides) → a referral made by the real service."""
    from rocc.org.models import OrgUnit
    from rocc.referrals.services import referral_make

    def make(service="whanau", by="police", unit="west-auckland", **overrides):
        values = {
            "reason": "Repeat victim of burglary; whānau under pressure from a gang-linked debt.",
            "needs": "Budgeting help and safety planning.",
            "urgency": "soon",
            "person_name": "Aroha Ngata",
            "contact_route": "phone",
            "contact_details": "021 555 0101",
            "lawful_basis": "consent",
            "consent_given_by": "Aroha Ngata",
            "consent_given_at": dt.date(2025, 3, 1),
            "consent_for": "Sharing her name and phone number with the provider to arrange support.",
        }
        values.update(overrides)
        return referral_make(user=people[by], service=directory[service], unit=OrgUnit.objects.get(code=unit), **values)

    return make


@pytest.fixture
def referral_indicators(defaults):
    """The shipped indicator definitions (the referral indicators among them), loaded as measures loads them."""
    from rocc.measures.services import _definitions_load

    _definitions_load()
