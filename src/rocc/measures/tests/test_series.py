"""Series are built right: parents from summed numerators and denominators, rolling years from twelve months (a missing
month makes them missing), July–June and calendar years, versions as reported or restated, zero populations."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.measures.models import Indicator, SourceKind
from rocc.measures.periods import PeriodError, month_end, period_check, period_parse, periods_between
from rocc.measures.series import series_build
from rocc.measures.services import ObservationInvalid, indicator_define, observations_record
from rocc.org.models import OrgUnit, Population


def _monthly(code="assaults", **extra) -> Indicator:
    values = {
        "kind": "population",
        "unit_label": "per 10,000",
        "numerator_label": "Assaults",
        "denominator_kind": "population",
        "factor": 10000,
        "polarity": "lower",
        "period_type": "month",
    }
    values.update(extra)
    return indicator_define(user=None, code=code, name="Assaults", effective_from=dt.date(2000, 1, 1), **values)


def _month(year, month):
    start = dt.date(year, month, 1)
    return start, month_end(start)


def _record(indicator, unit, year, month, count, **kw):
    start, end = _month(year, month)
    return observations_record(indicator=indicator, unit=unit, period_start=start, period_end=end, numerator=count, source=SourceKind.IMPORT, **kw)


@pytest.fixture
def two_districts(defaults):
    """Waitematā (population 10,000) and Northland (population 1,000) in 2020, under a national unit with no rows."""
    for code, value in (("waitemata", 10000), ("northland", 1000)):
        Population.objects.create(
            unit=OrgUnit.objects.get(code=code), period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 12, 31), value=value, source="test"
        )
    return OrgUnit.objects.get(code="waitemata"), OrgUnit.objects.get(code="northland")


@pytest.fixture
def two_district_nation(two_districts):
    """As two_districts, but the national unit's children are only these two (the others removed from the tree)."""
    OrgUnit.objects.filter(level="district").exclude(code__in=["waitemata", "northland"]).update(parent=OrgUnit.objects.get(code="waitemata"))
    return two_districts


def test_a_parent_rate_is_summed_numerators_over_summed_denominators_not_an_average_of_rates(two_district_nation):
    waitemata, northland = two_district_nation
    indicator = _monthly()
    _record(indicator, waitemata, 2020, 3, 50)  # 50 per 10,000
    _record(indicator, northland, 2020, 3, 20)  # 200 per 10,000
    point = series_build(indicator=indicator, unit=OrgUnit.objects.get(code="nz")).at(dt.date(2020, 3, 31))
    assert point.numerator == 70 and point.denominator == 11000
    assert point.value == pytest.approx(70 / 11000 * 10000)  # 63.6, where the mean of the rates would be 125


def test_a_district_missing_a_month_makes_the_parent_missing_not_smaller(two_district_nation):
    waitemata, northland = two_district_nation
    indicator = _monthly()
    _record(indicator, waitemata, 2020, 3, 50)
    _record(indicator, northland, 2020, 3, 20)
    _record(indicator, waitemata, 2020, 4, 40)  # Northland has not reported April
    series = series_build(indicator=indicator, unit=OrgUnit.objects.get(code="nz"))
    assert series.at(dt.date(2020, 4, 30)).value is None


def test_a_rolling_year_is_the_sum_of_twelve_months_and_a_missing_month_makes_it_missing(two_districts):
    waitemata, _ = two_districts
    indicator = _monthly()
    for month in range(1, 13):
        _record(indicator, waitemata, 2020, month, month)  # 1 + 2 + … + 12 = 78
    for month in (2, 3):
        _record(indicator, waitemata, 2021, month, 5)  # January 2021 is missing
    series = series_build(indicator=indicator, unit=waitemata, period_type="year_ended")
    dec = series.at(dt.date(2020, 12, 31))
    assert dec.numerator == 78 and dec.denominator == 10000 and dec.value == pytest.approx(78.0)
    assert series.at(dt.date(2021, 1, 31)) is None or series.at(dt.date(2021, 1, 31)).value is None
    assert series.at(dt.date(2021, 2, 28)) is None or series.at(dt.date(2021, 2, 28)).value is None


def test_quarters_calendar_years_and_july_june_years_sum_their_months(two_districts):
    waitemata, _ = two_districts
    indicator = _monthly()
    for year in (2019, 2020):
        for month in range(1, 13):
            _record(indicator, waitemata, year, month, 10)
    Population.objects.create(unit=waitemata, period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 12, 31), value=10000, source="t")
    quarter = series_build(indicator=indicator, unit=waitemata, period_type="quarter").at(dt.date(2020, 6, 30))
    assert quarter.numerator == 30 and quarter.period.start == dt.date(2020, 4, 1)
    year = series_build(indicator=indicator, unit=waitemata, period_type="calendar_year").at(dt.date(2020, 12, 31))
    assert year.numerator == 120
    july_june = series_build(indicator=indicator, unit=waitemata, period_type="july_june").at(dt.date(2020, 6, 30))
    assert july_june.numerator == 120 and july_june.period.start == dt.date(2019, 7, 1)
    assert july_june.period.label == "July 2019–June 2020"


def test_a_population_of_zero_gives_no_rate(defaults):
    unit = OrgUnit.objects.get(code="waitemata")
    Population.objects.create(unit=unit, period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 12, 31), value=0, source="test")
    indicator = _monthly()
    obs = _record(indicator, unit, 2020, 5, 3)
    assert obs.value is None
    assert obs.denominator == 0
    point = series_build(indicator=indicator, unit=unit).at(dt.date(2020, 5, 31))
    assert point.numerator == 3 and point.value is None


def test_a_new_definition_applies_from_its_date_and_the_series_can_be_shown_as_reported_or_restated(two_districts):
    waitemata, _ = two_districts
    indicator = _monthly(factor=1000)
    _record(indicator, waitemata, 2020, 3, 50)  # recorded under v1: per 1,000 → 5.0
    indicator_define(
        user=None,
        code="assaults",
        name="Assaults",
        effective_from=dt.date(2020, 7, 1),
        kind="population",
        unit_label="per 10,000",
        numerator_label="Assaults",
        denominator_kind="population",
        factor=10000,
        polarity="lower",
        period_type="month",
        change_note="Per 10,000, as other rates",
    )
    later = _record(indicator, waitemata, 2020, 8, 40)  # v2: per 10,000 → 40.0
    assert later.version.number == 2
    reported = series_build(indicator=indicator, unit=waitemata, as_reported=True)
    restated = series_build(indicator=indicator, unit=waitemata)
    assert reported.at(dt.date(2020, 3, 31)).value == pytest.approx(5.0)
    assert reported.at(dt.date(2020, 3, 31)).version == 1
    assert restated.at(dt.date(2020, 3, 31)).value == pytest.approx(50.0)
    assert restated.at(dt.date(2020, 8, 31)).value == pytest.approx(40.0) == reported.at(dt.date(2020, 8, 31)).value


def test_a_figure_for_a_period_that_is_not_whole_is_refused():
    with pytest.raises(PeriodError, match="first of a month"):
        period_check("month", dt.date(2020, 1, 2), dt.date(2020, 1, 31))
    with pytest.raises(PeriodError, match="July"):
        period_check("july_june", dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert period_parse("YE2016-06").start == dt.date(2015, 7, 1)
    assert period_parse("2015/16").end == dt.date(2016, 6, 30)
    assert [p.key for p in periods_between("year_ended", dt.date(2020, 1, 1), dt.date(2020, 12, 31), year_end_month=6)] == ["YE2020-06"]


def test_recording_a_negative_count_or_a_broken_period_saves_nothing(two_districts):
    waitemata, _ = two_districts
    indicator = _monthly()
    with pytest.raises(ObservationInvalid, match="cannot be negative"):
        _record(indicator, waitemata, 2020, 1, -1)
    with pytest.raises(ObservationInvalid, match="month"):
        observations_record(
            indicator=indicator, unit=waitemata, period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 2, 29), numerator=1, source=SourceKind.IMPORT
        )
    assert indicator.observations.count() == 0


def test_recording_the_same_figure_twice_keeps_one_observation(two_districts):
    waitemata, _ = two_districts
    indicator = _monthly()
    _record(indicator, waitemata, 2020, 1, 5)
    _record(indicator, waitemata, 2020, 1, 6)
    assert indicator.observations.count() == 1
    assert indicator.observations.get().numerator == 6
