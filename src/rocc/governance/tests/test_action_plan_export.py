"""The action-plan Excel export carries the progress the pack shows: latest update, milestones due, done and
overdue, evidence links; and it still imports back."""

from __future__ import annotations

import datetime as dt
import io

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from rocc.strategy.models import ActionPlan, Activity
from rocc.strategy.services.frameworks import activity_status_update, milestone_add, milestone_complete
from rocc.strategy.workbooks import PROGRESS_HEADERS, action_plan_workbook_check
from rocc.testing import load_once


def test_the_action_plan_export_carries_each_activitys_progress(defaults, make_user):
    from rocc.strategy.services.frameworks import strategy_defaults_load

    load_once(strategy_defaults_load)
    manager = make_user("programme_manager")
    today = timezone.localdate()
    activity = Activity.objects.get(plan__code="rocc-year-2", number=1)
    activity_status_update(
        user=manager,
        activity=activity,
        version=activity.version,
        status="at_risk",
        narrative="Hui held with whānau; agreement still unsigned.",
        evidence_links=["https://example.org/hui-notes"],
        date=today - dt.timedelta(days=3),
    )
    late = milestone_add(user=manager, activity=activity, title="Agreement signed", due_date=today - dt.timedelta(days=10))
    held = milestone_add(user=manager, activity=activity, title="Hui held", due_date=today - dt.timedelta(days=5))
    milestone_complete(user=manager, milestone=held, done_date=today - dt.timedelta(days=4))

    client = Client()
    client.force_login(manager)
    response = client.get("/strategy/plans/rocc-year-2/action-plan.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Activities"]
    headers = [c.value for c in sheet[1]]
    assert headers[7:13] == PROGRESS_HEADERS
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if str(r[2]).startswith("1."))
    assert row[6] == "At risk"
    assert row[7].date() == today - dt.timedelta(days=3)
    assert row[8] == "Hui held with whānau; agreement still unsigned."
    assert row[9] == f"{late.title} ({late.due_date:%Y-%m-%d})\n{held.title} ({held.due_date:%Y-%m-%d})"
    assert row[10] == f"Hui held ({today - dt.timedelta(days=4):%Y-%m-%d})"
    assert row[11] == f"Agreement signed ({late.due_date:%Y-%m-%d})"
    assert row[12] == "https://example.org/hui-notes"
    untouched = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if str(r[2]).startswith("2."))
    assert untouched[7] is None and not untouched[9]

    # The progress columns do not stop the workbook being read back as a plan.
    _, plan = action_plan_workbook_check(response.content, source="export.xlsx")
    assert plan.code == ActionPlan.objects.get(code="rocc-year-2").code
