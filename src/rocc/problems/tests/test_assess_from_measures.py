"""Assess uses the same measures as everyone else: an outcome measure names an indicator of the catalogue and its
before and after periods, and its figures for the case's area, its comparison area and the area around it come from
the event store (for an event-based indicator such as the shipped burglary one) or from the indicator's series; a
figure changed from the measures needs a reason, which is kept with where each figure came from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from rocc.events.testing import event_store, events_create  # noqa: F401
from rocc.measures.models import Observation
from rocc.org.models import OrgUnit
from rocc.problems import services
from rocc.problems.models import Stage
from rocc.testing import load_once

BEFORE = {"before_from": dt.date(2024, 1, 1), "before_to": dt.date(2024, 3, 31)}
AFTER = {"after_from": dt.date(2024, 4, 1), "after_to": dt.date(2024, 6, 30)}


def _at_assess(case, comparison: str):
    case.stage = Stage.ASSESS
    case.comparison_unit = OrgUnit.objects.get(code=comparison)
    case.save()
    return case


@pytest.fixture
def measures(defaults):
    """The shipped indicators with their figures (the catalogue an outcome measure chooses from)."""
    from rocc.measures.services import measures_defaults_load

    return load_once(measures_defaults_load)


@pytest.fixture
def analyst(measures, make_user):
    return make_user("analyst", units=["waitemata"], username="waitemata-analyst")


@pytest.fixture
def burglaries(event_store, analyst):
    """Burglaries (and one assault) in Waitematā's three areas, before (Jan–Mar 2024) and after (Apr–Jun 2024)."""
    rows = []

    def add(unit, month, count, code="0711"):
        for i in range(count):
            rows.append({"event_id": f"{unit}-{month}-{code}-{i}", "date": f"2024-{month:02d}-{i + 1:02d}", "offence_code": code, "unit": unit})

    add("North Shore", 2, 5)
    add("North Shore", 5, 2)
    add("North Shore", 5, 1, code="0211")  # an assault: not a burglary
    add("West Auckland", 1, 4)
    add("West Auckland", 4, 4)
    add("Rodney", 3, 3)
    add("Rodney", 6, 5)
    events_create(user=analyst, rows=rows)


@pytest.fixture
def north_shore_case(bank, analyst):
    case = services.case_open(
        actor=analyst, title="Burglary on the North Shore", description="", scope_unit=OrgUnit.objects.get(code="north-shore"), owner=analyst
    )
    return _at_assess(case, "west-auckland")


def test_an_event_based_indicator_fills_the_case_comparison_and_surrounding_areas_from_the_event_store(burglaries, north_shore_case, analyst):
    measure = services.outcome_measure_add(actor=analyst, case=north_shore_case, description="Burglaries", indicator_code="events-burglary", **BEFORE, **AFTER)
    figures = [getattr(measure, f"{p}_{a}") for a in ("target", "comparison", "buffer") for p in ("before", "after")]
    # The surrounding area is Waitematā less the North Shore and less West Auckland: Rodney.
    assert figures == [5, 2, 4, 4, 3, 5]
    assert measure.indicator.code == "events-burglary" and {s["source"] for s in measure.sources.values()} == {"events"}
    assert measure.result["wdd"] is not None and measure.result["wdq"] is not None
    assert measure.override_reason == ""


def test_a_figure_changed_from_the_measures_needs_a_reason_which_is_recorded(burglaries, north_shore_case, analyst):
    with pytest.raises(ValidationError) as refused:
        services.outcome_measure_add(
            actor=analyst, case=north_shore_case, description="Burglaries", indicator_code="events-burglary", before_target=6, **BEFORE, **AFTER
        )
    assert "override_reason" in refused.value.message_dict and not north_shore_case.outcome_measures.exists()
    measure = services.outcome_measure_add(
        actor=analyst,
        case=north_shore_case,
        description="Burglaries",
        indicator_code="events-burglary",
        before_target=6,
        override_reason="One burglary was recorded in February under the wrong area.",
        **BEFORE,
        **AFTER,
    )
    assert measure.before_target == 6 and measure.after_target == 2
    assert measure.sources["before_target"] == {"source": "entered", "filled": 5.0, "note": ""}
    assert measure.override_reason.startswith("One burglary")


def test_periods_are_checked_and_an_indicator_outside_the_catalogue_is_refused(burglaries, north_shore_case, analyst):
    with pytest.raises(ValidationError) as refused:
        services.outcome_measure_add(actor=analyst, case=north_shore_case, description="x", indicator_code="events-burglary", **BEFORE)
    assert set(refused.value.message_dict) == {"after_from", "after_to"}
    with pytest.raises(ValidationError) as refused:
        services.outcome_measure_add(
            actor=analyst,
            case=north_shore_case,
            description="x",
            indicator_code="events-burglary",
            **BEFORE,
            after_from=dt.date(2024, 3, 1),
            after_to=dt.date(2024, 6, 30),
        )
    assert "after_from" in refused.value.message_dict
    with pytest.raises(ValidationError, match="not an indicator in the catalogue"):
        services.outcome_measure_add(actor=analyst, case=north_shore_case, description="x", indicator_code="typed-in", **BEFORE, **AFTER)


def test_an_indicator_with_a_series_fills_from_its_recorded_figures(bank, defaults, analyst):
    case = services.case_open(actor=analyst, title="Violence in Waitematā", description="", scope_unit=OrgUnit.objects.get(code="waitemata"), owner=analyst)
    _at_assess(case, "northland")
    before = {"before_from": dt.date(2019, 1, 1), "before_to": dt.date(2019, 6, 30)}
    after = {"after_from": dt.date(2019, 7, 1), "after_to": dt.date(2019, 12, 31)}

    def total(unit, start, end):
        rows = Observation.objects.filter(
            indicator__code="person-victimisations", unit__code=unit, disaggregation_key="", period_start__gte=start, period_end__lte=end
        )
        return sum(r.numerator for r in rows)

    measure = services.outcome_measure_add(actor=analyst, case=case, description="Victimisations", indicator_code="person-victimisations", **before, **after)
    assert measure.before_target == total("waitemata", dt.date(2019, 1, 1), dt.date(2019, 6, 30)) > 0
    assert measure.after_comparison == total("northland", dt.date(2019, 7, 1), dt.date(2019, 12, 31))
    assert measure.sources["before_target"]["source"] == "series"
    # The series is held for districts, not for the country: the surrounding area (the country less the two
    # districts) is left empty, and says why, rather than guessed.
    assert measure.before_buffer is None and "has no figure starting" in measure.sources["before_buffer"]["note"]


def test_a_window_the_series_does_not_cover_is_not_filled_and_says_why(bank, defaults, analyst):
    case = services.case_open(actor=analyst, title="Later", description="", scope_unit=OrgUnit.objects.get(code="waitemata"), owner=analyst)
    _at_assess(case, "northland")
    with pytest.raises(ValidationError) as refused:
        services.outcome_measure_add(
            actor=analyst,
            case=case,
            description="Victimisations",
            indicator_code="person-victimisations",
            before_from=dt.date(2030, 1, 1),
            before_to=dt.date(2030, 3, 31),
            after_from=dt.date(2030, 4, 1),
            after_to=dt.date(2030, 6, 30),
        )
    assert "do not cover" in refused.value.message_dict["before_target"][0]


def test_the_shipped_event_based_indicators_compute_through_the_measures_path(burglaries):
    from rocc.measures.models import Indicator
    from rocc.measures.services import indicator_compute_from_events

    burglary = Indicator.objects.get(code="events-burglary")
    serious = Indicator.objects.get(code="events-serious-crime-victimisations")
    assert serious.current.numerator_event_filters == {"offence_codes": ["01", "02", "05", "06", "07"]}
    indicator_compute_from_events(indicator=burglary)
    feb = Observation.objects.get(indicator=burglary, unit__code="waitemata", period_start=dt.date(2024, 2, 1), disaggregation_key="")
    assert feb.numerator == 5
    # A rolling year needs 12 whole months: asked from July 2023, the year ended June 2024 is the one figure, and it
    # counts the burglaries and the assault alike.
    indicator_compute_from_events(indicator=serious, date_from=dt.date(2023, 7, 1), date_to=dt.date(2024, 6, 30))
    june = Observation.objects.get(indicator=serious, unit__code="waitemata", period_end=dt.date(2024, 6, 30), disaggregation_key="")
    assert june.numerator == 24
