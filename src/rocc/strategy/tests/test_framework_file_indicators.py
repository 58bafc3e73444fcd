"""Framework files name a plan's indicators from the Measures catalogue: a monitoring row's indicator_code and an
output's reported_indicator are refused, with their line and column, when the catalogue has no such indicator; a row
that names only its code takes the catalogue's name, and loading it again changes nothing."""

from __future__ import annotations

import pytest

from rocc.strategy.files import FrameworkFileInvalid, framework_file_check, indicator_catalogue_for_files
from rocc.strategy.models import MonitoringRow, PlanVersion
from rocc.strategy.services.frameworks import framework_file_import
from rocc.strategy.tests.test_codesign_files import GOOD


def _problems(text):
    return [str(p) for p in framework_file_check(text, source="plan.yaml")[1]]


def test_a_monitoring_row_naming_an_indicator_not_in_the_catalogue_is_refused_at_its_line(defaults, make_user):
    text = GOOD.replace("indicator_code: mf-whanau-support-referrals", "indicator_code: referrals-we-count")
    line = text.splitlines().index("        indicator_code: referrals-we-count") + 1
    assert _problems(text) == [
        f"plan.yaml:{line}:25: 'referrals-we-count' is not an indicator of the Measures catalogue: define it under Measures first "
        "(or load the file of indicators that defines it), then name it here by its code"
    ]
    with pytest.raises(FrameworkFileInvalid):
        framework_file_import(user=make_user("programme_manager"), text=text, source="plan.yaml")
    assert not PlanVersion.objects.filter(plan__code="rotorua-plan").exists()


def test_an_outputs_reported_indicator_must_be_in_the_catalogue(defaults):
    text = GOOD.replace("        text: Whānau navigated\n", "        text: Whānau navigated\n        reported_indicator: navigations\n")
    [problem] = _problems(text)
    assert "'navigations' is not an indicator of the Measures catalogue" in problem
    line = text.splitlines().index("        reported_indicator: navigations") + 1
    assert problem.startswith(f"plan.yaml:{line}:")


def test_a_row_naming_only_its_indicator_takes_the_catalogues_name_and_reloads_unchanged(defaults, make_user):
    manager = make_user("programme_manager")
    text = GOOD.replace("        indicator_name: Referrals\n", "")
    assert _problems(text) == []
    framework_file_import(user=manager, text=text, source="plan.yaml")
    row = MonitoringRow.objects.get(version__plan__code="rotorua-plan")
    assert (row.indicator_code, row.indicator_name) == ("mf-whanau-support-referrals", indicator_catalogue_for_files()["mf-whanau-support-referrals"])
    framework_file_import(user=manager, text=text, source="plan.yaml")
    assert PlanVersion.objects.filter(plan__code="rotorua-plan").count() == 1
    assert MonitoringRow.objects.get(version__plan__code="rotorua-plan").pk == row.pk


def test_the_catalogue_files_are_checked_against_is_the_database_and_the_shipped_indicators(defaults):
    # The shipped framework is loaded before the shipped indicators (they link to its activities), so the shipped
    # indicators count before they are in the database; a catalogue given explicitly is the only one used.
    assert "mf-meth-wastewater" in indicator_catalogue_for_files()
    assert _problems(GOOD) == []
    [problem] = [str(p) for p in framework_file_check(GOOD, source="plan.yaml", catalogue={"other": "Other"})[1]]
    assert "'mf-whanau-support-referrals' is not an indicator of the Measures catalogue" in problem
