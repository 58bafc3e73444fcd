"""Fixtures of the tasking tests: the shipped forums and methodology, the OCCC, district people, and ready-made records."""

import datetime as dt

import pytest

from rocc.conftest import PASSWORD  # noqa: F401  (re-exported for the tests here)
from rocc.testing import load_once


@pytest.fixture
def tasking(defaults):
    from rocc.tasking.services.defaults import tasking_defaults_load

    return load_once(tasking_defaults_load)


PEOPLE = {
    "occc": ("tc_member", ["nz"], "occc-chair"),
    "manager": ("programme_manager", [], "programme-manager"),
    "waitemata_tc": ("tc_member", ["waitemata"], "waitemata-tc"),
    "waitemata_analyst": ("analyst", ["waitemata"], "waitemata-analyst"),
    "canterbury_tc": ("tc_member", ["canterbury"], "canterbury-tc"),
    "canterbury_analyst": ("analyst", ["canterbury"], "canterbury-analyst"),
}


class _People(dict):
    """Made on first use: hashing a password is slow, and most tests need only a few of these people."""

    def __init__(self, make_user):
        super().__init__()
        self.make_user = make_user

    def __missing__(self, name):
        role, units, username = PEOPLE[name]
        self[name] = self.make_user(role, units=units, username=username)
        return self[name]


@pytest.fixture
def people(tasking, make_user):
    """The OCCC chair (a T&C member with national scope), the programme manager, and a T&C member and an analyst in
    Waitematā and in Canterbury."""
    return _People(make_user)


@pytest.fixture
def unit():
    from rocc.org.models import OrgUnit

    return lambda code: OrgUnit.objects.get(code=code)


@pytest.fixture
def forum():
    from rocc.tasking.models import Forum

    return lambda code: Forum.objects.get(code=code)


@pytest.fixture
def make_product(people, unit):
    from rocc.tasking.services.products import product_receive

    def make(actor=None, district="waitemata", kind="district_insights", title="Methamphetamine supply through a North Shore address", **extra):
        actor = actor or people["waitemata_analyst"]
        values = {
            "kind": kind,
            "title": title,
            "summary": "Repeat sightings of patched members; supply to young people.",
            "handling_caveat": "IN-CONFIDENCE: Police only",
            "product_date": dt.date.today() - dt.timedelta(days=2),
        }
        if kind in {"district_insights", "district_scanning"}:
            values["source_unit"] = unit(district)
        values.update(extra)
        return product_receive(actor=actor, **values)

    return make


@pytest.fixture
def make_report(people, make_product):
    from rocc.tasking.services.reports import report_compile

    def make(products=None, title="Supply to young people in Waitematā", actor=None):
        return report_compile(actor=actor or people["occc"], title=title, summary="Compiled from district products.", products=products or [make_product()])

    return make


@pytest.fixture
def ratings():
    """A full set of ratings under the shipped methodology, with overrides."""

    def make(**overrides):
        values = {"physical": 2, "psychological": 2, "financial": 1, "community": 3, "likelihood": 4, "confidence": 3, "organisational-position": 3}
        values.update({k.replace("_", "-"): v for k, v in overrides.items()})
        return values

    return make
