"""The logic model is live: an outcome box carries, for the plan's own unit, its indicator's latest figure, period,
target and status — the same cell the scorecard shows, through the same disclosure gate — and "open the indicator"
keeps the plan's unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from rocc.events.testing import event_store, events_create  # noqa: F401  (event_store is a fixture)
from rocc.measures.models import Indicator
from rocc.measures.selectors import scorecard_for
from rocc.measures.services import indicator_compute_from_events, measures_defaults_load
from rocc.org.models import Agency, OrgUnit
from rocc.strategy.logic_model import figure_text, logic_model
from rocc.strategy.models import ChainElement, Framework
from rocc.strategy.services.plans import district_plan_create, monitoring_row_add, priority_action_add
from rocc.testing import load_once


@pytest.fixture
def coordinator(make_user):
    return make_user("regional_coordinator", units=["waitemata"], username="waitemata-coordinator")


@pytest.fixture
def live_plan(strategy, event_store, coordinator, make_user):
    """A Waitematā plan whose outcome is monitored by the shipped burglary indicator, computed from stored events."""
    load_once(measures_defaults_load)
    analyst = make_user("analyst", units=["waitemata"], username="waitemata-analyst")
    rows = [
        {"event_id": f"B{m}-{i}", "date": f"2024-{m:02d}-{i + 1:02d}", "offence_code": "0711", "unit": "North Shore"} for m in (1, 2, 3) for i in range(4 + m)
    ]
    events_create(user=analyst, rows=rows)
    indicator_compute_from_events(indicator=Indicator.objects.get(code="events-burglary"), date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 3, 31))
    waitemata = OrgUnit.objects.get(code="waitemata")
    plan = district_plan_create(user=coordinator, framework=Framework.objects.get(code="rocc"), unit=waitemata, title="Waitematā safer homes")
    priority_action_add(
        user=coordinator,
        plan=plan,
        activity="Prevention visits after a burglary",
        output="Homes visited",
        outcome="Fewer burglaries of whānau homes",
        impact="Whānau feel safe at home",
    )
    outcome = ChainElement.objects.get(version__plan=plan, kind="outcome")
    monitoring_row_add(
        user=coordinator,
        plan=plan,
        outcome_key=outcome.key,
        indicator_name="Burglary victimisations",
        indicator_code="events-burglary",
        data_source="Event store",
        responsible_agency=Agency.objects.get(short_name="Police"),
    )
    return plan


def test_an_outcome_box_shows_its_indicators_latest_figure_as_the_scorecard_does(live_plan, coordinator):
    model = logic_model(user=coordinator, version=live_plan.versions.get())
    box = next(b for b in model.boxes if b.kind == "outcome")
    [indicator] = box.indicators
    cell = scorecard_for(user=coordinator, units=[live_plan.scope_unit], indicator=Indicator.objects.get(code="events-burglary"))["rows"][0]["cells"][0]
    assert cell["value"] == 7  # March 2024: 7 burglaries
    assert indicator["figure"] == figure_text(cell) and indicator["figure"].startswith("7 (")
    assert indicator["url"].endswith("?unit=waitemata")
    assert any(line.startswith("Burglary victimisations: 7") for line in box.info_lines)


def test_the_logic_model_page_and_the_scorecard_show_the_same_figure(live_plan, coordinator):
    client = Client()
    client.force_login(coordinator)
    html = client.get(f"/strategy/district-plans/{live_plan.code}/v1/logic-model/").content.decode()
    model = logic_model(user=coordinator, version=live_plan.versions.get())
    figure = next(b for b in model.boxes if b.kind == "outcome").indicators[0]["figure"]
    assert figure in html and f'href="{reverse("measures:indicator", args=["events-burglary"])}?unit=waitemata"' in html
