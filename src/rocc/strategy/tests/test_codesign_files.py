"""Co-designed plans in framework files: the shipped example round-trips, and bad input (wrong type, unknown agency,
a cycle, unknown references, a plan marked agreed with gaps) is refused with its line and column, changing nothing."""

import pytest

from rocc.strategy.files import FrameworkFileInvalid, framework_file_check
from rocc.strategy.models import DistrictPlan, PlanVersion
from rocc.strategy.selectors import frameworks as frameworks_selectors
from rocc.strategy.services.frameworks import framework_file_import

HEAD = """\
code: smallville
name: Smallville community safety framework
jurisdiction: Smallville
mandate: Keep people safe.
goal: Fewer harms.
district_plans:
  - code: rotorua-plan
    title: Rotorua plan
    unit: rotorua
    version: 1
    status: {status}
    focus_areas: [Meth harm to whānau]
    conditions: [Strong local leadership]
    answers:
      stakeholders: Iwi, hapū, NGOs and agencies
    logic_model:
      - id: navigation
        kind: activity
        text: Whānau navigation
        leads_to: [navigated]
      - id: navigated
        kind: output
        text: Whānau navigated
        leads_to: [access]
      - id: access
        kind: outcome
        text: More whānau reach services
        leads_to: [wellbeing]
      - id: wellbeing
        kind: impact
        text: Improved whānau wellbeing
        leads_to: []
    monitoring:
      - outcome: access
        indicator_code: mf-whanau-support-referrals
        indicator_name: Referrals
        baseline: Last year's referrals
        data_source: Provider reporting
        responsible_agency: MSD
"""
GOOD = HEAD.format(status="draft")


def _problems(text):
    parsed, problems = framework_file_check(text, source="plan.yaml")
    return [str(p) for p in problems]


def test_a_district_plan_file_is_valid_and_imports_as_a_draft(defaults, make_user):
    assert _problems(GOOD) == []
    framework_file_import(user=make_user("programme_manager"), text=GOOD, source="plan.yaml")
    version = PlanVersion.objects.get(plan__code="rotorua-plan")
    assert version.status == "draft" and version.elements.count() == 4 and version.monitoring.get().responsible_agency.short_name == "MSD"


def test_bad_district_plans_are_refused_with_every_problem_located(defaults):
    text = GOOD.replace("version: 1", "version: first").replace("responsible_agency: MSD", "responsible_agency: Ministry of Magic")
    assert _problems(text) == ["plan.yaml:10:14: 'district_plans.0.version': input should be a valid integer (got 'first')"]
    text = (
        GOOD.replace("leads_to: [wellbeing]", "leads_to: [wellbeing, navigation]")
        .replace("responsible_agency: MSD", "responsible_agency: Ministry of Magic")
        .replace("leads_to: [navigated]", "leads_to: [navigated, nowhere]")
        .replace("stakeholders:", "stakeholder:")
    )
    assert _problems(text) == [
        "plan.yaml:15:7: unknown question 'stakeholder' (the questions are: stakeholders, key_actions, partnership, timeframes, success, wellbeing_outcomes, balance, government_priorities, organisational_goals)",
        "plan.yaml:20:31: unknown reference: no box of this plan has the id 'nowhere'",
        "plan.yaml:28:31: a chain runs activity → output → outcome → impact: the outcome 'access' cannot lead to the activity 'navigation'",
        "plan.yaml:28:19: the chain goes round in a circle: access → navigation → navigated → access",
        "plan.yaml:39:29: no agency is called 'Ministry of Magic' (use a short name, name or alias from the agency list)",
    ]


def test_a_cycle_and_an_unknown_outcome_are_located(defaults):
    text = GOOD.replace("leads_to: [wellbeing]", "leads_to: [wellbeing, access-2]") + ""
    text = text.replace(
        """      - id: wellbeing""",
        """      - id: access-2
        kind: outcome
        text: Longer-term access
        leads_to: [access]
      - id: wellbeing""",
    ).replace("- outcome: access\n", "- outcome: missing\n")
    assert _problems(text) == [
        "plan.yaml:28:19: the chain goes round in a circle: access → access-2 → access",
        "plan.yaml:38:18: unknown reference: no box of this plan has the id 'missing'",
    ]


def test_a_plan_marked_agreed_must_pass_the_gate_and_the_refusal_changes_nothing(defaults, make_user):
    make_user("regional_coordinator", units=["rotorua"], username="tui")
    text = HEAD.format(status="agreed").replace("    focus_areas:", "    agreed_by: tui\n    agreed_at: '2026-03-01T10:00:00+13:00'\n    focus_areas:")
    text = text.replace("        responsible_agency: MSD\n", "")
    with pytest.raises(FrameworkFileInvalid) as refused:
        framework_file_import(user=make_user("programme_manager"), text=text, source="plan.yaml")
    assert [str(p) for p in refused.value.problems] == [
        "plan.yaml:11:13: the plan is marked agreed but cannot be agreed: step 4: Outcome “More whānau reach services”: "
        "indicator “Referrals” has no responsible organisation.",
    ]
    assert not DistrictPlan.objects.exists()
    unknown_user = HEAD.format(status="agreed").replace("    focus_areas:", "    agreed_by: nobody\n    agreed_at: '2026-03-01'\n    focus_areas:")
    assert _problems(unknown_user) == [
        "plan.yaml:12:16: no user is called 'nobody'",
        "plan.yaml:13:16: '2026-03-01' has no time zone (write it like 2026-03-01T10:00:00+13:00)",
    ]


def test_an_agreed_plan_round_trips_and_importing_a_change_opens_a_new_draft(defaults, make_user):
    make_user("regional_coordinator", units=["rotorua"], username="tui")
    manager = make_user("programme_manager")
    text = HEAD.format(status="agreed").replace("    focus_areas:", "    agreed_by: tui\n    agreed_at: '2026-03-01T10:00:00+13:00'\n    focus_areas:")
    framework_file_import(user=manager, text=text, source="plan.yaml")
    first = frameworks_selectors.framework_export(user=manager, code="smallville")
    framework_file_import(user=manager, text=first, source="again.yaml")
    assert frameworks_selectors.framework_export(user=manager, code="smallville") == first
    assert PlanVersion.objects.filter(plan__code="rotorua-plan").count() == 1
    framework_file_import(user=manager, text=first.replace("Meth harm to whānau", "Meth harm to whānau and tamariki"), source="changed.yaml")
    versions = list(PlanVersion.objects.filter(plan__code="rotorua-plan").order_by("number"))
    assert [(v.number, v.status) for v in versions] == [(1, "agreed"), (2, "draft")]
    assert versions[0].focus_areas.get().text == "Meth harm to whānau"


def test_the_shipped_example_plan_exports_with_the_framework(strategy, make_user):
    text = frameworks_selectors.framework_export(user=make_user("viewer"), code="rocc")
    assert "district_plans:\n- code: example-district-plan\n" in text and "  example: true\n" in text
    assert "indicator_code: mf-meth-wastewater" in text


def test_an_outputs_reported_figure_travels_in_the_file_and_only_an_output_carries_one(defaults, make_user):
    manager = make_user("programme_manager")
    text = GOOD.replace("        text: Whānau navigated\n", "        text: Whānau navigated\n        reported_indicator: mf-whanau-support-referrals\n")
    assert _problems(text) == []
    framework_file_import(user=manager, text=text, source="plan.yaml")
    version = PlanVersion.objects.get(plan__code="rotorua-plan")
    assert version.elements.get(key="navigated").reported_indicator_code == "mf-whanau-support-referrals"
    exported = frameworks_selectors.framework_export(user=manager, code="smallville")
    assert "reported_indicator: mf-whanau-support-referrals" in exported
    on_outcome = GOOD.replace(
        "        text: More whānau reach services\n", "        text: More whānau reach services\n        reported_indicator: mf-whanau-support-referrals\n"
    )
    [problem] = _problems(on_outcome)
    assert problem.endswith("only an output carries a reported figure; 'access' is an outcome")
