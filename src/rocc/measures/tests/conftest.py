"""Fixtures of the measures tests: a small world of figures built through the real services."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def small_world(defaults):
    """An indicator 'assaults' (per 10,000, monthly, lower is better) with 2019–2020 figures for every district, a
    national baseline (year ended June 2019) and target (−20% by June 2021), and statuses computed."""
    from rocc.measures.models import BaselineKind, SourceKind, TargetKind
    from rocc.measures.periods import month_end
    from rocc.measures.services import ObservationInput, indicator_define, observations_record_many, statuses_recompute, target_set
    from rocc.org.models import OrgUnit

    indicator = indicator_define(
        user=None,
        code="assaults",
        name="Serious assaults",
        effective_from=dt.date(2000, 1, 1),
        kind="population",
        unit_label="per 10,000 people",
        numerator_label="Serious assaults",
        denominator_kind="population",
        factor=10000,
        polarity="lower",
        period_type="month",
        data_source="Test data",
    )
    items = []
    for i, unit in enumerate(OrgUnit.objects.filter(level="district")):
        for year in (2019, 2020):
            for month in range(1, 13):
                start = dt.date(year, month, 1)
                count = 4 if unit.code == "waitemata" else 40 + i + month % 3
                items.append(ObservationInput(indicator=indicator, unit=unit, period_start=start, period_end=month_end(start), numerator=count))
    observations_record_many(items=items, source=SourceKind.IMPORT)
    nz = OrgUnit.objects.get(code="nz")
    target_set(
        user=None,
        indicator=indicator,
        unit=nz,
        period_type="year_ended",
        baseline_kind=BaselineKind.FIXED_PERIOD,
        baseline_period_end=dt.date(2019, 6, 30),
        baseline_label="year ended June 2019",
        target_kind=TargetKind.CHANGE,
        target_change_percent=-20,
        target_date=dt.date(2021, 6, 30),
        description="20% fewer by June 2021",
    )
    statuses_recompute()
    return indicator
