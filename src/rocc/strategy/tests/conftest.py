"""Fixtures of the strategy tests: the shipped framework and Year Two plan, and a plan of a district."""

import pytest

from rocc.conftest import PASSWORD  # noqa: F401  (re-exported for the tests here)
from rocc.testing import load_once


@pytest.fixture
def strategy(defaults):
    from rocc.strategy.services.frameworks import strategy_defaults_load

    return load_once(strategy_defaults_load)


@pytest.fixture
def year_two(strategy):
    from rocc.strategy.models import ActionPlan

    return ActionPlan.objects.get(code="rocc-year-2")


@pytest.fixture
def district_plan(strategy):
    """A small plan of a district: the national plan alone cannot show what "in scope" means for a coordinator."""
    from rocc.org.models import OrgUnit
    from rocc.strategy.models import ActionPlan, Activity, FocusArea, Framework, PriorityActionArea

    def make(unit_code: str):
        unit = OrgUnit.objects.get(code=unit_code)
        plan = ActionPlan.objects.create(
            framework=Framework.objects.get(code="rocc"), code=f"{unit_code}-plan", title=f"{unit.name} action plan", year=2, scope_unit=unit
        )
        focus = FocusArea.objects.create(plan=plan, kind="RESILIENCE", statement="Strengthen whānau wellbeing", order=1)
        area = PriorityActionArea.objects.create(focus_area=focus, title="Whānau support and navigation", order=1)
        Activity.objects.create(plan=plan, priority_action_area=area, number=1, title="Whānau navigators", description="Navigators for whānau.")
        return plan

    return make
