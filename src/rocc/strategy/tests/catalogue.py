"""Indicators of the Measures catalogue that the co-design tests' monitoring rows choose (a row names one of the
catalogue's indicators, never free text): the shipped codes, defined here without the shipped figures."""

from __future__ import annotations

import datetime as dt

import pytest

CATALOGUE = {
    "mf-whanau-support-referrals": "Number of referrals / assessments",
    "mf-community-hub-referrals": "Increase in referrals / assessments",
    "mf-meth-wastewater": "Drops in mL per 10,000 people of methamphetamine in wastewater",
}


def catalogue_define() -> dict[str, str]:
    """Define the catalogue's indicators these tests choose (those not defined already)."""
    from rocc.measures.models import Indicator
    from rocc.measures.services import indicator_define

    for code, name in CATALOGUE.items():
        if not Indicator.objects.filter(code=code).exists():
            indicator_define(
                user=None,
                code=code,
                name=name,
                effective_from=dt.date(2000, 1, 1),
                kind="how_much",
                unit_label="referrals",
                numerator_label=name,
                polarity="higher",
                period_type="month",
                data_source="Provider reporting",
            )
    return CATALOGUE


@pytest.fixture
def measures_catalogue(defaults) -> dict[str, str]:
    return catalogue_define()
