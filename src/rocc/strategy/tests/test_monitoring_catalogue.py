"""The monitoring framework and Measures never disagree: a row's indicator is one of the Measures catalogue's (never
free text), the plan shows the baseline Measures measures progress from in the plan's unit beside the group's own,
and Measures links to the plan version in force, not a draft."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from rocc.measures.models import BaselineKind, Indicator, TargetKind
from rocc.measures.services import target_set
from rocc.org.models import Agency, OrgUnit
from rocc.strategy.models import ChainElement, Framework
from rocc.strategy.selectors import plans as plans_selectors
from rocc.strategy.services.plans import district_plan_create, monitoring_row_add, plan_agree, plan_part_add, priority_action_add
from rocc.strategy.tests.catalogue import measures_catalogue  # noqa: F401  (a fixture)

CODE = "mf-whanau-support-referrals"


@pytest.fixture
def coordinator(make_user):
    return make_user("regional_coordinator", units=["bay-of-plenty"], username="tui")


@pytest.fixture
def plan(strategy, coordinator, measures_catalogue):
    plan = district_plan_create(
        user=coordinator, framework=Framework.objects.get(code="rocc"), unit=OrgUnit.objects.get(code="rotorua"), title="Rotorua community plan"
    )
    plan_part_add(user=coordinator, plan=plan, part="focus_areas", text="Methamphetamine harm to whānau")
    plan_part_add(user=coordinator, plan=plan, part="conditions", text="Strong local governance and leadership")
    priority_action_add(
        user=coordinator,
        plan=plan,
        activity="Whānau support and navigation",
        output="Whānau receiving intensive support",
        outcome="Increase in whānau support and access to services",
        impact="Improved whānau wellbeing",
    )
    return plan


def _outcome(plan) -> str:
    return ChainElement.objects.filter(version__plan=plan, kind="outcome").order_by("-version__number").first().key


def _row(plan, coordinator, **kwargs):
    return monitoring_row_add(
        user=coordinator,
        plan=plan,
        outcome_key=_outcome(plan),
        data_source="Provider reporting",
        responsible_agency=Agency.objects.get(short_name="MSD"),
        **kwargs,
    )


def test_a_row_names_an_indicator_of_the_catalogue_and_takes_its_name(plan, coordinator):
    row = _row(plan, coordinator, indicator_code=CODE)
    assert (row.indicator_code, row.indicator_name) == (CODE, Indicator.objects.get(code=CODE).name)
    worded = _row(plan, coordinator, indicator_code=CODE, indicator_name="Referrals to the hub")
    assert worded.indicator_name == "Referrals to the hub", "the group's own wording is kept beside the catalogue's indicator"


@pytest.mark.parametrize("code", ["", "hub-referrals", "Number of referrals / assessments"])
def test_a_row_whose_indicator_is_not_in_the_catalogue_is_refused_and_adds_nothing(plan, coordinator, code):
    with pytest.raises(ValidationError) as refused:
        _row(plan, coordinator, indicator_code=code, indicator_name="Hub referrals")
    assert "Choose the indicator from the Measures catalogue" in str(refused.value.message_dict["indicator_code"])
    assert plan.versions.get().monitoring.count() == 0


def test_the_step_page_offers_the_catalogues_indicators_and_no_free_text(client, plan, coordinator):
    client.force_login(coordinator)
    url = f"/strategy/district-plans/{plan.code}/steps/4/"
    page = client.get(url).content.decode()
    assert '<select name="indicator_code"' in page and f'<option value="{CODE}">' in page
    assert 'name="indicator_name"' not in page
    refused = client.post(url, {"action": "monitoring", "outcome": _outcome(plan), "indicator_code": "made-up", "data_source": "Provider reporting"})
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    added = client.post(url, {"action": "monitoring", "outcome": _outcome(plan), "indicator_code": CODE, "data_source": "Provider reporting"})
    assert added.status_code == 302
    assert [(r.indicator_code, r.indicator_name) for r in plan.versions.get().monitoring.all()] == [(CODE, Indicator.objects.get(code=CODE).name)]


def test_the_plan_shows_the_baseline_measures_uses_in_its_unit_beside_the_groups_own(client, plan, coordinator):
    _row(plan, coordinator, indicator_code=CODE, baseline="Number of referrals / assessments")
    client.force_login(coordinator)
    url = f"/strategy/district-plans/{plan.code}/steps/4/"
    page = client.get(url).content.decode()
    assert "Measures has no baseline for Rotorua yet" in page
    target_set(
        user=None,
        indicator=Indicator.objects.get(code=CODE),
        unit=OrgUnit.objects.get(code="rotorua"),
        baseline_kind=BaselineKind.FIXED_PERIOD,
        baseline_period_end=dt.date(2024, 6, 30),
        baseline_label="year ended June 2024",
        target_kind=TargetKind.CHANGE,
        target_change_percent=20,
        target_date=dt.date(2026, 6, 30),
    )
    page = client.get(url).content.decode()
    assert "Number of referrals / assessments<br>" in page
    assert "Baseline in Measures for Rotorua: year ended June 2024" in page
    assert f'href="/measures/indicators/{CODE}/?unit=rotorua"' in page, "the indicator opens on the plan's unit"


def test_measures_links_to_the_version_in_force_not_the_draft(client, plan, coordinator):
    _row(plan, coordinator, indicator_code=CODE)
    [draft_only] = [link for link in plans_selectors.indicator_links(user=coordinator, indicator_code=CODE) if "Rotorua" in link["label"]]
    assert "version 1 (draft, not yet agreed)" in draft_only["label"] and "/v1/" in draft_only["url"]
    agreed = plan_agree(user=coordinator, plan=plan)
    plan_part_add(user=coordinator, plan=plan, part="conditions", text="Sustained investment")  # opens the draft, version 2
    assert plan.versions.filter(status="draft").get().number == agreed.number + 1
    [link] = [link for link in plans_selectors.indicator_links(user=coordinator, indicator_code=CODE) if "Rotorua" in link["label"]]
    assert "version 1 (agreed, in force)" in link["label"] and f"/district-plans/{plan.code}/v1/boxes/" in link["url"]
    client.force_login(coordinator)
    page = client.get(f"/measures/indicators/{CODE}/").content.decode()
    assert f"/strategy/district-plans/{plan.code}/v1/boxes/" in page
    assert f"/strategy/district-plans/{plan.code}/v2/" not in page
