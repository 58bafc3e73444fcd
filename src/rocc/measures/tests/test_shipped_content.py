"""The shipped indicators, targets and figures: loaded idempotently, and rocc's computed rates equal the published ones."""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources

import pytest

from rocc.measures.models import Indicator, Observation, SourceKind, StatusSnapshot, Target
from rocc.measures.series import series_build
from rocc.measures.services import measures_defaults_load
from rocc.org.models import OrgUnit
from rocc.org.services import unit_resolve
from rocc.testing import load_once


@pytest.fixture
def shipped(defaults):
    from rocc.strategy.services.frameworks import strategy_defaults_load

    load_once(strategy_defaults_load)
    return measures_defaults_load()


def test_loading_the_shipped_content_twice_adds_nothing(shipped):
    counts = (Indicator.objects.count(), Observation.objects.count(), Target.objects.count())
    again = measures_defaults_load()
    assert (Indicator.objects.count(), Observation.objects.count(), Target.objects.count()) == counts
    assert again.indicators == shipped.indicators


def test_the_five_monitoring_framework_outcomes_have_indicators(shipped):
    codes = {"mf-whanau-support-referrals", "mf-counselling-referrals", "mf-community-hub-referrals", "mf-job-seekers", "mf-meth-wastewater"}
    assert codes <= set(Indicator.objects.values_list("code", flat=True))
    assert Indicator.objects.get(code="mf-job-seekers").current.responsible_agency.short_name == "MSD"


def test_better_public_services_measures_carry_their_published_progress(shipped):
    total = Indicator.objects.get(code="bps-total-crime-rate")
    nz = OrgUnit.objects.get(code="nz")
    series = series_build(indicator=total, unit=nz)
    sep_2016 = series.at(dt.date(2016, 9, 30))
    assert sep_2016.value == pytest.approx(86.0)  # published: −14% on year ended June 2011
    assert series.at(dt.date(2011, 6, 30)).value == 100.0
    target = Target.objects.get(indicator=total, unit=nz)
    assert target.target_change_percent == -20 and target.target_date == dt.date(2018, 6, 30)


def test_computed_youth_court_rates_equal_the_published_rates_for_every_row(shipped):
    indicator = Indicator.objects.get(code="youth-court-appearances")
    text = resources.files("rocc.measures.defaults").joinpath("youth_court_appearances_by_district_2011_2021.csv").read_text(encoding="utf-8")
    checked = 0
    by_unit = {}
    for row in csv.DictReader(text.splitlines()):
        if row["rate"] == "NA":
            continue
        unit = unit_resolve(row["district"])
        if unit.pk not in by_unit:
            by_unit[unit.pk] = series_build(indicator=indicator, unit=unit, as_reported=True)
        point = by_unit[unit.pk].at(dt.date(int(row["year"]), 6, 30))
        assert point is not None, row
        assert point.value == pytest.approx(float(row["rate"]), rel=1e-9), row
        checked += 1
    assert checked == 132


def test_national_youth_rate_is_summed_counts_over_summed_populations(shipped):
    indicator = Indicator.objects.get(code="youth-court-appearances")
    text = resources.files("rocc.measures.defaults").joinpath("youth_court_appearances_by_district_2011_2021.csv").read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(text.splitlines()) if r["year"] == "2015" and r["pop"] != "NA"]
    expected = sum(float(r["count"]) for r in rows) / sum(float(r["pop"]) for r in rows) * 10000
    mean_of_rates = sum(float(r["rate"]) for r in rows) / len(rows)
    point = series_build(indicator=indicator, unit=OrgUnit.objects.get(code="nz")).at(dt.date(2015, 6, 30))
    assert point.value == pytest.approx(expected)
    assert point.value != pytest.approx(mean_of_rates)


def test_victimisation_rates_use_approximate_populations_and_say_so(shipped):
    indicator = Indicator.objects.get(code="person-victimisations")
    series = series_build(indicator=indicator, unit=OrgUnit.objects.get(code="waitemata"))
    assert series.points and all(p.is_approximate for p in series.points if p.value is not None)
    obs = Observation.objects.filter(indicator=indicator, source=SourceKind.IMPORT).first()
    assert obs.is_approximate


def test_statuses_are_computed_for_the_national_and_district_scorecards(shipped):
    assert StatusSnapshot.objects.filter(unit__code="nz").count() == Indicator.objects.count()
    assert StatusSnapshot.objects.filter(indicator__code="youth-court-appearances").count() == 13
