"""An indicator counted from the event store: numerators by district and month land as computed figures with
their definition version, rates use the populations, and recomputing adds nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.events.testing import event_store, events_create  # noqa: F401


@pytest.fixture
def burglary_victims(defaults):
    from rocc.measures.services import indicator_define

    return indicator_define(
        user=None,
        code="burglary-victims",
        name="Burglary victims",
        effective_from=dt.date(2000, 1, 1),
        kind="population",
        unit_label="per 10,000 people",
        numerator_label="Distinct victims of burglary",
        numerator_source="events",
        numerator_event_measure="victims",
        numerator_event_filters={"divisions": ["07"]},
        denominator_kind="population",
        factor=10000,
        polarity="lower",
        period_type="month",
        data_source="Event store",
    )


def test_numerators_counted_from_events_land_as_computed_figures_with_rates(event_store, burglary_victims, make_user):
    from rocc.measures.models import Observation
    from rocc.measures.services import indicator_compute_from_events

    analyst = make_user("analyst", units=["waitemata"])
    events_create(
        user=analyst,
        default_unit="Waitematā",
        rows=[
            {"event_id": "B1", "date": "2024-03-02", "offence_code": "0711", "victim": "P-1"},
            {"event_id": "B2", "date": "2024-03-09", "offence_code": "0711", "victim": "P-1"},  # the same victim again
            {"event_id": "B3", "date": "2024-03-20", "offence_code": "0711", "victim": "P-2"},
            {"event_id": "A1", "date": "2024-03-21", "offence_code": "0211", "victim": "P-3"},  # an assault: not counted
            {"event_id": "B4", "date": "2024-04-05", "offence_code": "0711", "victim": "P-3"},
        ],
    )
    result = indicator_compute_from_events(indicator=burglary_victims)
    figures = {o.period_start: o for o in Observation.objects.filter(indicator=burglary_victims, unit__code="waitemata", source="computed")}
    assert figures[dt.date(2024, 3, 1)].numerator == 2 and figures[dt.date(2024, 4, 1)].numerator == 1
    march = figures[dt.date(2024, 3, 1)]
    assert march.version == burglary_victims.current and march.denominator and march.denominator > 0
    assert march.value == pytest.approx(2 / march.denominator * 10000)

    again = indicator_compute_from_events(indicator=burglary_victims)
    assert again.observations == result.observations
    assert Observation.objects.filter(indicator=burglary_victims, source="computed").count() == result.observations


def test_an_indicator_not_counted_from_events_is_refused(defaults):
    from rocc.measures.services import ObservationInvalid, indicator_compute_from_events, indicator_define

    reported = indicator_define(user=None, code="reported", name="Reported", effective_from=dt.date(2000, 1, 1), period_type="month")
    with pytest.raises(ObservationInvalid, match="not counted from the event store"):
        indicator_compute_from_events(indicator=reported)
