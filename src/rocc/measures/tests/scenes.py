"""Shared test scenes for figures that disclosure control hides from some readers."""

from __future__ import annotations

import datetime as dt

from rocc.measures.models import BaselineKind, SourceKind, TargetKind
from rocc.measures.periods import month_end
from rocc.measures.services import ObservationInput, indicator_define, observations_record_many, statuses_recompute, target_set
from rocc.org.models import OrgUnit


def northland_small_december(*, code: str, name: str):
    """A monthly Northland count, 30 a month through 2024 until a December of 2 (a small count, far off its target of
    10% more than January): off track on the true figure, suppressed for a reader whose figures go through
    disclosure control. Returns (indicator, northland)."""
    northland = OrgUnit.objects.get(code="northland")
    indicator = indicator_define(
        user=None,
        code=code,
        name=name,
        effective_from=dt.date(2000, 1, 1),
        kind="how_much",
        unit_label="visits",
        numerator_label="Visits",
        polarity="higher",
        period_type="month",
        data_source="Test data",
    )
    counts = [30] * 11 + [2]
    observations_record_many(
        items=[
            ObservationInput(indicator=indicator, unit=northland, period_start=dt.date(2024, m, 1), period_end=month_end(dt.date(2024, m, 1)), numerator=count)
            for m, count in enumerate(counts, start=1)
        ],
        source=SourceKind.IMPORT,
    )
    target_set(
        user=None,
        indicator=indicator,
        unit=northland,
        period_type="month",
        baseline_kind=BaselineKind.FIXED_PERIOD,
        baseline_period_end=dt.date(2024, 1, 31),
        baseline_label="January 2024",
        target_kind=TargetKind.CHANGE,
        target_change_percent=10,
        target_date=dt.date(2025, 12, 31),
    )
    statuses_recompute()
    return indicator, northland
