"""Framework YAML files: located problems for bad input, all-or-nothing import, and export → import → export round trips."""

from importlib import resources

import pytest
from django.core.exceptions import PermissionDenied

from rocc.strategy.files import FrameworkFileInvalid, framework_file_check
from rocc.strategy.models import ActionPlan, Activity, Framework
from rocc.strategy.selectors import frameworks as frameworks_selectors
from rocc.strategy.services.frameworks import framework_file_import

SHIPPED = resources.files("rocc.strategy.defaults").joinpath("rocc.yaml").read_text(encoding="utf-8")

SMALL = """\
code: smallville
name: Smallville community safety framework
jurisdiction: Smallville
mandate: Keep people safe.
goal: Fewer harms.
objectives:
  - link: resilience
    statement: Build resilience.
action_plans:
  - code: smallville-2026
    title: Smallville plan 2026
    year: 1
    unit: canterbury
    focus_areas:
      - kind: RESILIENCE
        statement: Build resilience.
        activities:
          - number: 1
            priority_action_area: Prevention
            title: Whānau hubs
            lead: [MSD]
            support: [All]
          - number: 2
            priority_action_area: Prevention
            title: Youth programme
            lead: [OT]
"""


def _problems(text: str) -> list[str]:
    parsed, problems = framework_file_check(text, source="plan.yaml")
    assert (parsed is None) == bool(problems)
    return [str(p) for p in problems]


def test_the_shipped_file_is_valid(defaults):
    assert _problems(SHIPPED) == []


def test_a_wrong_type_is_located_by_line_and_column(defaults):
    assert _problems(SMALL.replace("year: 1", "year: one")) == [
        "plan.yaml:12:11: 'action_plans.0.year': input should be a valid integer (got 'one')",
    ]


def test_an_unknown_agency_and_a_duplicate_number_are_each_located(defaults):
    text = SMALL.replace("lead: [OT]", "lead: [Ministry of Magic]").replace("- number: 2", "- number: 1")
    assert _problems(text) == [
        "plan.yaml:23:21: activity number 1 is used twice in the plan",
        "plan.yaml:26:20: no agency is called 'Ministry of Magic' (use a short name, name or alias from the agency list, or All)",
    ]


def test_an_unknown_field_a_missing_field_and_an_unknown_unit_are_located(defaults):
    assert _problems(SMALL.replace("goal: Fewer harms.\n", "goals: Fewer harms.\n")) == [
        "plan.yaml:1:1: 'goal' is missing",
        "plan.yaml:5:1: unknown field 'goals'",
    ]
    assert _problems(SMALL.replace("unit: canterbury", "unit: gotham")) == ["plan.yaml:13:11: no organisational unit has the code 'gotham'"]
    assert _problems("code: [unclosed") == ["plan.yaml:1:16: not valid YAML: expected ',' or ']', but got '<stream end>'"]


def test_an_import_with_any_problem_changes_nothing(defaults, make_user):
    manager = make_user("programme_manager")
    with pytest.raises(FrameworkFileInvalid) as refused:
        framework_file_import(user=manager, text=SMALL.replace("lead: [OT]", "lead: [Nobody]"), source="plan.yaml")
    assert "plan.yaml:26:20: no agency is called 'Nobody'" in str(refused.value)
    assert Framework.objects.count() == 0 and ActionPlan.objects.count() == 0 and Activity.objects.count() == 0


def test_a_second_framework_is_imported_beside_the_shipped_one(year_two, make_user):
    framework = framework_file_import(user=make_user("programme_manager"), text=SMALL, source="plan.yaml")
    assert set(Framework.objects.values_list("code", flat=True)) == {"rocc", "smallville"}
    hubs = Activity.objects.get(plan__code="smallville-2026", number=1)
    assert framework.name == "Smallville community safety framework" and hubs.all_agencies_support
    assert [a.short_name for a in hubs.lead_agencies] == ["MSD"]


def test_only_the_national_office_imports(defaults, make_user):
    with pytest.raises(PermissionDenied):
        framework_file_import(user=make_user("regional_coordinator", units=["canterbury"]), text=SMALL, source="plan.yaml")
    assert Framework.objects.count() == 0


def test_export_then_import_then_export_gives_an_identical_file(year_two, make_user):
    manager = make_user("programme_manager")
    first = frameworks_selectors.framework_export(user=manager, code="rocc")
    # Importing it as a new framework beside the original and exporting that gives the same file.
    copy = first.replace("code: rocc\n", "code: rocc-copy\n", 1).replace("code: rocc-year-2\n", "code: rocc-copy-year-2\n", 1)
    copy = copy.replace("code: example-district-plan\n", "code: example-copy\n", 1)
    copy = copy.replace("name: Resilience to Organised Crime in Communities (ROCC) strategic framework", "name: ROCC copy", 1)
    framework_file_import(user=manager, text=copy, source="copy.yaml")
    assert frameworks_selectors.framework_export(user=manager, code="rocc-copy") == copy
    # Importing the original's own export over it changes nothing.
    framework_file_import(user=manager, text=first, source="rocc.yaml")
    assert frameworks_selectors.framework_export(user=manager, code="rocc") == first
    assert "Te Tiriti o Waitangi" in first and "whānau-centred" in first
