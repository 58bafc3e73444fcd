"""Action plans from the Excel template: export → import gives the same plan, and a bad workbook is refused with
every problem located by sheet and cell, changing nothing."""

import io

import pytest
from openpyxl import load_workbook

from rocc.strategy.models import ActionPlan
from rocc.strategy.selectors import frameworks as frameworks_selectors
from rocc.strategy.services.frameworks import action_plan_workbook_import
from rocc.strategy.workbooks import WorkbookInvalid, action_plan_template, action_plan_workbook


def _workbook(year_two, user, **plan_cells):
    book = load_workbook(io.BytesIO(action_plan_workbook(year_two, frameworks_selectors.activity_list(user=user, plan=year_two))))
    for cell, value in plan_cells.items():
        book["Plan"][cell] = value
    return book


def _bytes(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_exported_action_plan_imports_as_a_copy_with_the_same_activities(year_two, make_user):
    manager = make_user("programme_manager")
    book = _workbook(year_two, manager, B2="rocc-year-2-copy", B3="Year Two copy", B4=9)
    copy = action_plan_workbook_import(user=manager, data=_bytes(book), source="copy.xlsx")
    original = [
        (a.number, a.title, a.description, [x.short_name for x in a.lead_agencies], a.all_agencies_support, [(s.title, s.note) for s in a.sub_activities.all()])
        for a in frameworks_selectors.activity_list(user=manager, plan=year_two)
    ]
    copied = [
        (a.number, a.title, a.description, [x.short_name for x in a.lead_agencies], a.all_agencies_support, [(s.title, s.note) for s in a.sub_activities.all()])
        for a in frameworks_selectors.activity_list(user=manager, plan=copy)
    ]
    assert copied == original and copy.year == 9


def test_a_bad_workbook_names_each_sheet_and_cell_and_imports_nothing(year_two, make_user):
    manager = make_user("programme_manager")
    book = _workbook(year_two, manager, B2="new-plan", B4="three")
    sheet = book["Activities"]
    sheet["E2"] = "Police; Ministry of Magic"
    sheet["C4"] = "2. Duplicate number"
    with pytest.raises(WorkbookInvalid) as refused:
        action_plan_workbook_import(user=manager, data=_bytes(book), source="plan.xlsx")
    assert [str(p) for p in refused.value.problems] == [
        "plan.xlsx: sheet 'Plan', cell B4: year: input should be a valid integer (got 'three')",
    ]
    book["Plan"]["B4"] = 3
    with pytest.raises(WorkbookInvalid) as refused:
        action_plan_workbook_import(user=manager, data=_bytes(book), source="plan.xlsx")
    assert [str(p) for p in refused.value.problems] == [
        "plan.xlsx: sheet 'Activities', cell E2: no agency is called 'Ministry of Magic' (use a short name, name or alias from the agency list, or All)",
        "plan.xlsx: sheet 'Activities', cell C4: activity number 2 is used twice in the plan",
    ]
    sheet["C4"], sheet["E2"], sheet["G5"], sheet["A6"] = "Three", "Police", "Finished", "SOMETHING: x"
    with pytest.raises(WorkbookInvalid) as refused:
        action_plan_workbook_import(user=manager, data=_bytes(book), source="plan.xlsx")
    assert [str(p) for p in refused.value.problems] == [
        "plan.xlsx: sheet 'Activities', cell C4: expected the activity's number and title, like '1. Operation Cobalt' (got 'Three')",
        "plan.xlsx: sheet 'Activities', cell G5: unknown status 'Finished'; use one of: Not started, On track, At risk, Off track, Complete, Description yet to be finalised",
        "plan.xlsx: sheet 'Activities', cell A6: expected a focus area like 'SUPPLY: its statement' (one of SUPPLY, DEMAND, RESILIENCE, ENABLE)",
    ]
    assert not ActionPlan.objects.filter(code="new-plan").exists()


def test_the_template_imports_and_a_regional_coordinator_may_not_import(defaults, make_user):
    with pytest.raises(Exception) as refused:
        action_plan_workbook_import(user=make_user("regional_coordinator"), data=action_plan_template(), source="t.xlsx")
    assert "Only the programme office" in str(refused.value)
    from rocc.strategy.services.frameworks import strategy_defaults_load

    strategy_defaults_load()
    plan = action_plan_workbook_import(user=make_user("programme_manager"), data=action_plan_template(), source="t.xlsx")
    activity = plan.activities.get()
    assert (plan.code, activity.title, [s.note for s in activity.sub_activities.all()]) == ("rocc-year-3", "Operation Cobalt", ["", "a footnote"])
    assert [a.short_name for a in activity.support_agencies] == ["MSD", "Kāinga Ora"]


def test_not_a_workbook_is_refused(defaults, make_user):
    with pytest.raises(WorkbookInvalid) as refused:
        action_plan_workbook_import(user=make_user("programme_manager"), data=b"plain text", source="notes.txt")
    assert "not an Excel workbook" in str(refused.value)
