"""Fixtures of the provider-reporting tests: the example data set, two providers in two districts, their reporters
and approvers. Import them into a test module with ``from rocc.returns.tests.fixtures import *``."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.conftest import PASSWORD  # noqa: F401  (re-exported for the tests)
from rocc.testing import load_once

REFERRAL_CODES = ["mf-whanau-support-referrals", "mf-counselling-referrals", "mf-community-hub-referrals"]


def _indicator(code: str, name: str):
    from rocc.measures.models import Indicator, IndicatorKind, IndicatorVersion, Polarity

    indicator, created = Indicator.objects.get_or_create(code=code, defaults={"name": name})
    if created or not indicator.versions.exists():
        IndicatorVersion.objects.create(
            indicator=indicator,
            number=1,
            effective_from=dt.date(2020, 7, 1),
            kind=IndicatorKind.HOW_MUCH,
            unit_label="referrals / assessments",
            factor=1,
            polarity=Polarity.HIGHER_IS_BETTER,
            period_type="month",
            data_source="Provider reporting",
        )
    return indicator


@pytest.fixture
def referral_indicators(defaults):
    """The monitoring framework's three referral indicators, as the measures defaults define them."""
    names = [
        "Number of referrals / assessments (whānau support and navigation)",
        "Referrals / assessments for counselling",
        "Referrals / assessments through community hubs",
    ]
    return [_indicator(code, name) for code, name in zip(REFERRAL_CODES, names)]


@pytest.fixture
def providers(defaults):
    """Two provider agencies: an NGO reporting for Waitematā and a PHO reporting for Canterbury."""
    from rocc.org.models import Agency

    ngo = Agency.objects.create(short_name="Te Whare Āwhina", name="Te Whare Āwhina Whānau Services Trust", kind="ngo")
    pho = Agency.objects.create(short_name="Waitaha PHO", name="Waitaha Primary Health Organisation", kind="pho")
    return {"ngo": ngo, "pho": pho}


@pytest.fixture
def data_set(referral_indicators, providers, make_user):
    """The shipped example data set (monthly from July 2024, due 20 days after the month), with the NGO named for
    Waitematā and the PHO for Canterbury."""
    from rocc.org.models import OrgUnit
    from rocc.returns.models import DataSet
    from rocc.returns.services import data_set_provider_add, reporting_defaults_load

    load_once(reporting_defaults_load)
    found = DataSet.objects.get(code="whanau-services-returns")
    office = make_user("programme_manager", username="office-setup")
    data_set_provider_add(user=office, data_set=found, agency=providers["ngo"], unit=OrgUnit.objects.get(code="waitemata"))
    data_set_provider_add(user=office, data_set=found, agency=providers["pho"], unit=OrgUnit.objects.get(code="canterbury"))
    return found


@pytest.fixture
def people(data_set, make_user, providers):
    """The NGO's reporter, the PHO's reporter, the national programme manager and two regional coordinators."""
    return {
        "ngo": make_user("provider_reporter", units=["waitemata"], agency="Te Whare Āwhina", username="ngo-reporter"),
        "pho": make_user("provider_reporter", units=["canterbury"], agency="Waitaha PHO", username="pho-reporter"),
        "manager": make_user("programme_manager", username="manager"),
        "waitemata_coordinator": make_user("regional_coordinator", units=["waitemata"], username="waitemata-coordinator"),
        "canterbury_coordinator": make_user("regional_coordinator", units=["canterbury"], username="canterbury-coordinator"),
    }


@pytest.fixture
def open_return(data_set, people):
    """open_return(period="2025-03", who="ngo") → the provider's draft return for its unit."""
    from rocc.org.models import OrgUnit
    from rocc.returns.services import return_open

    units = {"ngo": "waitemata", "pho": "canterbury"}

    def make(period: str = "2025-03", who: str = "ngo"):
        return return_open(user=people[who], data_set=data_set, unit=OrgUnit.objects.get(code=units[who]), period=period)

    return make


@pytest.fixture
def approved_history(open_return, people):
    """approved_history(values_by_period, who="ngo") → approve a run of returns, e.g. {"2024-07": (10, 4, 2), ...}."""
    from rocc.returns.services import return_approve, return_submit, return_values_save

    def make(values_by_period: dict[str, tuple[int, int, int]], who: str = "ngo"):
        out = []
        for period, figures in values_by_period.items():
            ret = open_return(period, who)
            ret = return_values_save(user=people[who], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, figures)))
            ret = return_submit(user=people[who], provider_return=ret, version=ret.version)
            out.append(return_approve(user=people["manager"], provider_return=ret, version=ret.version))
        return out

    return make
