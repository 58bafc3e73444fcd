"""Co-designed district plans through the real services: the four steps, the agree gate listing every gap,
frozen agreed versions, new drafts, the lifecycle, chain rules and the example plan."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rocc.org.models import Agency, OrgUnit
from rocc.strategy.codesign import version_gaps
from rocc.strategy.compare import versions_compare
from rocc.strategy.models import ChainElement, DistrictPlan, Framework, PlanVersion
from rocc.strategy.selectors import plans as plans_selectors
from rocc.strategy.services.plans import (
    PlanNotAgreeable,
    chain_element_add,
    chain_element_edit,
    district_plan_create,
    monitoring_row_add,
    plan_activate,
    plan_agree,
    plan_answer_set,
    plan_part_add,
    plan_part_edit,
    plan_review_start,
    priority_action_add,
)
from rocc.strategy.tests.catalogue import measures_catalogue  # noqa: F401  (a fixture)


@pytest.fixture
def coordinator(make_user):
    return make_user("regional_coordinator", units=["bay-of-plenty"], username="tui")


@pytest.fixture
def plan(strategy, coordinator, measures_catalogue):
    return district_plan_create(
        user=coordinator, framework=Framework.objects.get(code="rocc"), unit=OrgUnit.objects.get(code="rotorua"), title="Rotorua community plan"
    )


def _complete(plan, user):
    """Fill every step with what the agree gate needs."""
    plan_part_add(user=user, plan=plan, part="focus_areas", text="Methamphetamine harm to whānau")
    plan_part_add(user=user, plan=plan, part="conditions", text="Strong local governance and leadership")
    priority_action_add(
        user=user,
        plan=plan,
        activity="Whānau support and navigation",
        output="Whānau receiving intensive support",
        outcome="Increase in whānau support and access to services",
        impact="Improved whānau wellbeing",
    )
    outcome = ChainElement.objects.get(version__plan=plan, version__status="draft", kind="outcome")
    monitoring_row_add(
        user=user,
        plan=plan,
        outcome_key=outcome.key,
        indicator_name="Number of referrals / assessments",
        indicator_code="mf-whanau-support-referrals",
        data_source="Provider reporting",
        responsible_agency=Agency.objects.get(short_name="Te Whatu Ora"),
    )


def test_a_new_plan_starts_as_an_empty_draft_whose_agreement_lists_every_gap(plan, coordinator):
    with pytest.raises(PlanNotAgreeable) as refused:
        plan_agree(user=coordinator, plan=plan)
    messages = [f"{g.step}: {g.message}" for g in refused.value.gaps]
    assert messages == [
        "1: No focus area yet: agree at least one issue for the community.",
        "2: No condition for success yet: agree what is needed to succeed.",
        "3: No priority action yet: add at least one chain Activity → Output → Outcome → Impact.",
    ]
    assert plan.versions.get().status == "draft"


def test_the_gate_names_each_action_without_outcome_or_impact_and_each_outcome_without_a_complete_indicator(plan, coordinator):
    plan_part_add(user=coordinator, plan=plan, part="focus_areas", text="Gang violence")
    plan_part_add(user=coordinator, plan=plan, part="conditions", text="Community owns the response")
    priority_action_add(user=coordinator, plan=plan, activity="Targeted enforcement", output="Warrants and arrests")
    priority_action_add(user=coordinator, plan=plan, activity="Community hubs", output="Established hubs", outcome="Increased access to services")
    outcome = ChainElement.objects.get(version__plan=plan, kind="outcome")
    monitoring_row_add(user=coordinator, plan=plan, outcome_key=outcome.key, indicator_code="mf-community-hub-referrals", indicator_name="Hub referrals")
    with pytest.raises(PlanNotAgreeable) as refused:
        plan_agree(user=coordinator, plan=plan)
    assert [g.message for g in refused.value.gaps] == [
        "Priority action “Targeted enforcement” has no outcome.",
        "Priority action “Targeted enforcement” has no impact.",
        "Priority action “Community hubs” has no impact.",
        "Outcome “Increased access to services”: indicator “Hub referrals” has no data source and no responsible organisation.",
    ]


def test_an_agreed_version_is_frozen_and_the_next_edit_opens_a_new_draft(plan, coordinator):
    _complete(plan, coordinator)
    agreed = plan_agree(user=coordinator, plan=plan)
    assert (agreed.number, agreed.status, agreed.agreed_by) == (1, "agreed", coordinator) and agreed.agreed_at
    plan_part_edit(user=coordinator, plan=plan, part="focus_areas", order=1, text="Methamphetamine harm to whānau and tamariki")
    versions = list(plan.versions.order_by("number"))
    assert [(v.number, v.status) for v in versions] == [(1, "agreed"), (2, "draft")]
    assert [p.text for p in versions[0].focus_areas.all()] == ["Methamphetamine harm to whānau"]
    assert [p.text for p in versions[1].focus_areas.all()] == ["Methamphetamine harm to whānau and tamariki"]
    # The copy keeps the chains and the monitoring rows, linked to the copied boxes.
    assert versions[1].elements.count() == 4 and versions[1].monitoring.get().outcome.version == versions[1]
    sections = {s.title: s for s in versions_compare(versions[0], versions[1])}
    assert [(line.left, line.right, line.change) for line in sections["1. Focus areas"].lines] == [
        ("Methamphetamine harm to whānau", "Methamphetamine harm to whānau and tamariki", "changed")
    ]
    assert sections["4. Monitoring framework"].changed == 0


def test_the_lifecycle_runs_agreed_active_under_review_and_a_new_agreement_supersedes(plan, coordinator):
    _complete(plan, coordinator)
    plan_agree(user=coordinator, plan=plan)
    assert plan_activate(user=coordinator, plan=plan).status == "active"
    assert plan_review_start(user=coordinator, plan=plan).status == "under_review"
    plan_answer_set(user=coordinator, plan=plan, question="timeframes", text="Hubs open by June")
    second = plan_agree(user=coordinator, plan=plan)
    assert [(v.number, v.status) for v in plan.versions.order_by("number")] == [(1, "superseded"), (2, "agreed")]
    assert plans_selectors.plan_current_version(user=coordinator, plan=plan) == second
    with pytest.raises(ValidationError):
        plan_review_start(user=coordinator, plan=plan)  # only an active version goes under review


def test_links_only_run_forward_and_a_cycle_is_refused(plan, coordinator):
    a = chain_element_add(user=coordinator, plan=plan, kind="outcome", text="Short-term outcome")
    b = chain_element_add(user=coordinator, plan=plan, kind="outcome", text="Long-term outcome", led_from=[a.key])
    with pytest.raises(ValidationError) as refused:
        chain_element_edit(user=coordinator, plan=plan, key=b.key, leads_to=[a.key])
    assert "go round in a circle" in str(refused.value)
    activity = chain_element_add(user=coordinator, plan=plan, kind="activity", text="Hubs")
    with pytest.raises(ValidationError) as refused:
        chain_element_edit(user=coordinator, plan=plan, key=a.key, leads_to=[b.key, activity.key])
    assert "cannot lead to activity" in str(refused.value)
    assert [t.key for t in ChainElement.objects.get(pk=a.pk).leads_to.all()] == [b.key]


def test_a_coordinator_edits_only_plans_of_their_own_district(plan, make_user):
    other = make_user("regional_coordinator", units=["canterbury"])
    with pytest.raises(PermissionDenied):
        plan_part_add(user=other, plan=plan, part="focus_areas", text="x")
    with pytest.raises(PermissionDenied):
        district_plan_create(user=other, framework=plan.framework, unit=OrgUnit.objects.get(code="rotorua"), title="Not mine")
    with pytest.raises(PermissionDenied):
        plan_part_add(user=make_user("viewer", units=["bay-of-plenty"]), plan=plan, part="focus_areas", text="x")
    assert plan.versions.get().focus_areas.count() == 0


def test_the_shipped_example_is_the_frameworks_worked_plan_and_its_gaps_are_the_unnamed_providers(strategy, make_user):
    example = DistrictPlan.objects.get(code="example-district-plan")
    version = example.versions.get()
    assert example.is_example and version.status == "draft"
    assert version.focus_areas.count() == 10 and version.conditions.count() == 11
    rows = plans_selectors.chain_rows(version)
    assert [(r["activity"].text, r["impact"].text) for r in rows][0] == ("Whānau support and navigation", "Improved whānau wellbeing")
    assert len(rows) == 5 and version.monitoring.count() == 5
    blocking = [g.message for g in version_gaps(version) if g.blocking]
    assert blocking == [
        "Outcome “Increase in whānau support and access to services”: indicator “Number of referrals / assessments” has no responsible organisation.",
        "Outcome “Increase in access to counselling”: indicator “Increase in referrals / assessments” has no responsible organisation.",
        "Outcome “Increased access to services and integration of services”: indicator “Increase in referrals / assessments” has no responsible organisation.",
    ]


def test_indicator_links_list_the_outcomes_that_use_a_code_within_the_users_scope(plan, coordinator, make_user):
    _complete(plan, coordinator)
    links = plans_selectors.indicator_links(user=coordinator, indicator_code="mf-whanau-support-referrals")
    labels = [link["label"] for link in links]
    assert any("Example district plan" in label and "(example)" in label for label in labels)
    assert any("Rotorua community plan" in label for label in labels)
    assert all(link["kind"] == "outcome" and link["url"].startswith("/strategy/district-plans/") for link in links)
    outsider = make_user("viewer", units=["canterbury"])
    assert not any("Rotorua" in link["label"] for link in plans_selectors.indicator_links(user=outsider, indicator_code="mf-whanau-support-referrals"))
    assert plans_selectors.indicator_links(user=coordinator, indicator_code="no-such-code") == []


def test_search_finds_plans_with_or_without_macrons(plan, coordinator):
    plan_part_add(user=coordinator, plan=plan, part="focus_areas", text="Whānau disruption from methamphetamine")
    for query in ["whanau disruption", "WHĀNAU DISRUPTION"]:
        found = {p.code for p, _, _ in plans_selectors.district_plan_search(user=coordinator, query=query)}
        assert plan.code in found


def test_only_one_draft_exists_at_a_time(plan, coordinator):
    _complete(plan, coordinator)
    plan_agree(user=coordinator, plan=plan)
    plan_part_add(user=coordinator, plan=plan, part="conditions", text="One")
    plan_part_add(user=coordinator, plan=plan, part="conditions", text="Two")
    assert PlanVersion.objects.filter(plan=plan, status="draft").count() == 1
    assert [c.text for c in plan.versions.get(status="draft").conditions.all()] == ["Strong local governance and leadership", "One", "Two"]


def test_a_box_rolls_up_its_activities_and_indicators_and_passes_the_worst_down_the_chain(strategy, year_two, make_user):
    from rocc.measures.models import Indicator, StatusSnapshot
    from rocc.strategy.logic_model import logic_model
    from rocc.strategy.models import Activity
    from rocc.strategy.services.frameworks import activity_status_update

    manager = make_user("programme_manager")
    plan = DistrictPlan.objects.get(code="example-district-plan")
    navigation = Activity.objects.get(plan=year_two, number=5)
    activity_status_update(user=manager, activity=navigation, version=1, status="on_track", narrative="Rolling out.")
    chain_element_edit(user=manager, plan=plan, key="whanau-support", activities=[navigation])
    version = plan.versions.get()
    boxes = {b.key: b for b in logic_model(user=manager, version=version).boxes}
    assert boxes["whanau-support"].status == "on_track" and boxes["improved-whanau-wellbeing"].status == "on_track"
    assert boxes["targeted-enforcement"].status == "none"

    indicator = Indicator.objects.filter(code="mf-meth-wastewater").first() or Indicator.objects.create(
        code="mf-meth-wastewater", name="Methamphetamine in wastewater"
    )
    StatusSnapshot.objects.create(indicator=indicator, unit=plan.scope_unit, period_type="month", status="off_track")
    boxes = {b.key: b for b in logic_model(user=manager, version=version).boxes}
    assert boxes["reduced-drug-supply"].status == "off_track" and boxes["reduced-harm-from-offending"].status == "off_track"
    assert boxes["reduced-drug-supply"].indicators[0]["defined"] is True
    assert boxes["warrants-arrests-seizures"].status == "none"  # nothing upstream of it is off track
