"""The Tasking & Coordination overview: new reports, the user's taskings, overdue taskings, open alerts, coming meetings,
top risks and recent products."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from rocc.tasking.selectors import deconfliction as deconfliction_selectors
from rocc.tasking.selectors import meetings as meetings_selectors
from rocc.tasking.selectors import products as products_selectors
from rocc.tasking.selectors import reports as reports_selectors
from rocc.tasking.selectors import risk as risk_selectors
from rocc.tasking.selectors import taskings as taskings_selectors
from rocc.tasking.views.common import read_allowed


@login_required
def overview(request):
    read_allowed(request)
    user = request.user
    today = timezone.localdate()
    return render(
        request,
        "tasking/overview.html",
        {
            "new_reports": reports_selectors.reports_awaiting_routing(user=user)[:10],
            "my_taskings": taskings_selectors.open_taskings_owned(user=user),
            "overdue": taskings_selectors.overdue_taskings(user=user, today=today),
            "alerts": deconfliction_selectors.alert_views(user=user, open_only=True),
            "meetings": meetings_selectors.meeting_list(user=user).filter(held_on__gte=today).order_by("held_on")[:5],
            "top_risks": risk_selectors.rankings(user=user, limit=5),
            "products": products_selectors.product_list(user=user)[:5],
            "today": today,
        },
    )
