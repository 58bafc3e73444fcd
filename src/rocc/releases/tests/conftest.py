"""Fixtures of the releases tests: an imported indicator with small counts in one district, and provider returns
from two providers (through the real returns workflow), so consent and disclosure control both have work to do."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.returns.tests.fixtures import *  # noqa: F403
from rocc.testing import load_once


@pytest.fixture(autouse=True)
def tasks_run_inline(settings):
    """The worker's task runs in the test's own process (the same code `rocc worker` runs)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def own_indicator(defaults):
    """own_indicator(code, district) → a count indicator owned by the district (its coordinators publish it), with a
    year of monthly figures there."""
    from rocc.measures.periods import month_end
    from rocc.measures.services import ObservationInput, indicator_define, observations_record_many
    from rocc.org.models import OrgUnit

    def make(code: str, district: str):
        unit = OrgUnit.objects.get(code=district)
        indicator = indicator_define(
            user=None,
            code=code,
            name=f"Hub visits ({unit.name})",
            effective_from=dt.date(2000, 1, 1),
            kind="how_much",
            unit_label="visits",
            numerator_label="Visits",
            polarity="higher",
            period_type="month",
            data_source="District records",
            owner_unit=unit,
        )
        items = [
            ObservationInput(indicator=indicator, unit=unit, period_start=dt.date(2025, m, 1), period_end=month_end(dt.date(2025, m, 1)), numerator=30 + m)
            for m in range(1, 7)
        ]
        observations_record_many(items=items, source="import")
        return indicator

    return make


@pytest.fixture
def assaults(defaults):
    """'Serious assaults' per 10,000, monthly 2024–2025 in every district (Waitematā's counts small), with a national
    target on the year-ended series, statuses computed."""
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
        for year in (2024, 2025):
            for month in range(1, 13):
                start = dt.date(year, month, 1)
                count = 1 + month % 4 if unit.code == "waitemata" else 40 + i + month % 3
                items.append(ObservationInput(indicator=indicator, unit=unit, period_start=start, period_end=month_end(start), numerator=count))
    observations_record_many(items=items, source=SourceKind.IMPORT)
    target_set(
        user=None,
        indicator=indicator,
        unit=OrgUnit.objects.get(code="nz"),
        period_type="year_ended",
        baseline_kind=BaselineKind.FIXED_PERIOD,
        baseline_period_end=dt.date(2024, 12, 31),
        baseline_label="year ended December 2024",
        target_kind=TargetKind.CHANGE,
        target_change_percent=-10,
        target_date=dt.date(2026, 12, 31),
        description="10% fewer by December 2026",
    )
    statuses_recompute()
    return indicator


MONTHS = ["2025-04", "2025-05", "2025-06"]


@pytest.fixture
def world(request, defaults):
    """Both providers' returns approved for April–June 2025 (so their figures are observations), beside the assaults
    indicator. Built through the real services once per test process (the rows replayed into later tests by
    ``load_once``): every test of a release starts from it."""

    def releases_world() -> dict:
        assaults = request.getfixturevalue("assaults")
        people, data_set = request.getfixturevalue("people"), request.getfixturevalue("data_set")
        approved_history = request.getfixturevalue("approved_history")
        approved_history({m: (20 + i, 12, 9) for i, m in enumerate(MONTHS)}, who="ngo")
        approved_history({m: (30 + i, 15, 7) for i, m in enumerate(MONTHS)}, who="pho")
        return {"assaults": assaults, "data_set": data_set, **people}

    return load_once(releases_world)


@pytest.fixture
def draft(world):
    """draft(slug="progress-2025-06") → a draft release of every published indicator as at 30 June 2025."""
    from rocc.releases.services import release_create

    def make(slug: str = "progress-2025-06", **kwargs):
        return release_create(
            user=world["manager"],
            title=kwargs.pop("title", "Progress to June 2025"),
            slug=slug,
            reference_date=kwargs.pop("reference_date", dt.date(2025, 6, 30)),
            planned_for=kwargs.pop("planned_for", dt.date(2025, 9, 1)),
            **kwargs,
        )

    return make


@pytest.fixture
def consent_all(world):
    """Both providers agree to publish the data set."""
    from rocc.releases.services import consent_decide

    def give():
        consent_decide(user=world["ngo"], data_set=world["data_set"], given=True)
        consent_decide(user=world["pho"], data_set=world["data_set"], given=True)

    return give


@pytest.fixture
def live(world, draft, consent_all):
    """live(slug=...) → a release frozen with every provider's consent and live since a minute ago."""
    from django.utils import timezone

    from rocc.releases.models import Release
    from rocc.releases.services import release_freeze, release_schedule

    def make(slug: str = "progress-2025-06", **kwargs):
        consent_all()
        release = draft(slug, **kwargs)
        release_freeze(user=world["manager"], release=release)
        release.refresh_from_db()
        now = timezone.now()
        release_schedule(user=world["manager"], release=release, go_live_at=now, version=release.version, now=now)
        return Release.objects.get(pk=release.pk)

    return make
