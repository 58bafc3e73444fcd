"""Pages for frameworks and action plans: overview, framework, plan (with its workbook in and out), activity with its
update form, search. Co-designed plans, barriers and initiatives are in views_plans.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rocc.measures.selectors import indicator_get
from rocc.org.models import OrgUnit
from rocc.strategy.forms import ActionPlanWorkbookForm, MilestoneForm, ProgressUpdateForm
from rocc.strategy.models import ActivityStatus
from rocc.strategy.selectors import frameworks as frameworks_selectors
from rocc.strategy.selectors import plans as plans_selectors
from rocc.strategy.services import frameworks as frameworks_services
from rocc.strategy.views.common import XLSX, read_allowed
from rocc.strategy.workbooks import WorkbookInvalid, action_plan_workbook
from rocc.strategy.workbooks import action_plan_template as template


def _stale_days(request) -> int:
    try:
        return max(1, int(request.GET.get("stale_days", frameworks_selectors.DEFAULT_STALE_DAYS)))
    except ValueError:
        return frameworks_selectors.DEFAULT_STALE_DAYS


@login_required
def overview(request):
    read_allowed(request)
    plans = list(frameworks_selectors.action_plan_list(user=request.user))
    return render(
        request,
        "strategy/overview.html",
        {
            "frameworks": frameworks_selectors.framework_list(user=request.user),
            "plans": plans,
            "district_plans": list(plans_selectors.district_plan_list(user=request.user)),
            "may_import": request.user.has_perm("strategy.change_framework"),
        },
    )


@login_required
def framework_detail(request, code: str):
    read_allowed(request)
    framework = frameworks_selectors.framework_get(user=request.user, code=code)
    plans = frameworks_selectors.action_plan_list(user=request.user).filter(framework=framework)
    return render(request, "strategy/framework.html", {"framework": framework, "plans": plans})


@login_required
def plan_detail(request, code: str):
    read_allowed(request)
    plan = frameworks_selectors.action_plan_get(user=request.user, code=code)
    stale_days = _stale_days(request)
    activities = list(frameworks_selectors.activity_list(user=request.user, plan=plan))
    flags = frameworks_selectors.activity_flags(user=request.user, activities=activities, stale_after_days=stale_days)
    rows = [(activity, flags[activity.pk]) for activity in activities]
    counts = {label: sum(1 for a in activities if a.status == value) for value, label in ActivityStatus.choices}
    return render(
        request,
        "strategy/plan.html",
        {
            "plan": plan,
            "rows": rows,
            "stale_days": stale_days,
            "counts": counts,
            "flagged": sum(1 for _, f in rows if f.any),
        },
    )


def _activity_page(request, activity, update_form=None, milestone_form=None, status=200):
    flags = frameworks_selectors.activity_flags(user=request.user, activities=[activity], stale_after_days=_stale_days(request))[activity.pk]
    may_update = request.user.has_perm("strategy.update_activity", activity)
    return render(
        request,
        "strategy/activity.html",
        {
            "activity": activity,
            "plan": activity.plan,
            "flags": flags,
            "may_update": may_update,
            "milestones": activity.milestones.all(),
            "updates": activity.progress_updates.select_related("author"),
            "update_form": update_form or ProgressUpdateForm(initial={"version": activity.version, "status": activity.status}),
            "milestone_form": milestone_form or MilestoneForm(),
            "uses": frameworks_selectors.activity_uses(user=request.user, activity=activity),
        },
        status=status,
    )


@login_required
def activity_detail(request, code: str, number: int):
    read_allowed(request)
    activity = frameworks_selectors.activity_get(user=request.user, plan_code=code, number=number)
    if request.method != "POST":
        return _activity_page(request, activity)
    form = ProgressUpdateForm(request.POST)
    if not form.is_valid():
        return _activity_page(request, activity, update_form=form, status=400)
    link = form.cleaned_data["evidence_link"]
    try:
        frameworks_services.activity_status_update(
            user=request.user,
            activity=activity,
            version=form.cleaned_data["version"],
            status=form.cleaned_data["status"],
            narrative=form.cleaned_data["narrative"],
            evidence_links=[link] if link else [],
        )
    except frameworks_services.ActivityChanged as changed:
        form.add_error(None, changed.message)
        return _activity_page(request, activity, update_form=form, status=409)
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _activity_page(request, activity, update_form=form, status=400)
    messages.success(request, "Progress update recorded.")
    return redirect("strategy:activity", code=code, number=number)


@login_required
@require_POST
def milestone_add(request, code: str, number: int):
    read_allowed(request)
    activity = frameworks_selectors.activity_get(user=request.user, plan_code=code, number=number)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        return _activity_page(request, activity, milestone_form=form, status=400)
    frameworks_services.milestone_add(user=request.user, activity=activity, title=form.cleaned_data["title"], due_date=form.cleaned_data["due_date"])
    messages.success(request, "Milestone added.")
    return redirect("strategy:activity", code=code, number=number)


@login_required
@require_POST
def milestone_complete(request, code: str, number: int, milestone_id: int):
    read_allowed(request)
    activity = frameworks_selectors.activity_get(user=request.user, plan_code=code, number=number)
    milestone = activity.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404("No such milestone")
    frameworks_services.milestone_complete(user=request.user, milestone=milestone)
    messages.success(request, f"Milestone “{milestone.title}” marked done.")
    return redirect("strategy:activity", code=code, number=number)


@login_required
def action_plan_xlsx(request, code: str):

    read_allowed(request)
    plan = frameworks_selectors.action_plan_get(user=request.user, code=code)
    response = HttpResponse(action_plan_workbook(plan, frameworks_selectors.activity_list(user=request.user, plan=plan)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{plan.code}.xlsx"'
    return response


@login_required
def action_plan_template(request):

    read_allowed(request)
    response = HttpResponse(template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="action-plan-template.xlsx"'
    return response


@login_required
def action_plan_import(request):
    """Upload a filled-in action-plan template; every problem is listed by sheet and cell and nothing changes."""

    read_allowed(request)
    if not request.user.has_perm("strategy.change_framework"):
        raise PermissionDenied
    form = ActionPlanWorkbookForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            plan = frameworks_services.action_plan_workbook_import(user=request.user, data=upload.read(), source=upload.name)
        except WorkbookInvalid as invalid:
            problems = [str(p) for p in invalid.problems]
        else:
            messages.success(request, f"Imported {plan.title}.")
            return redirect("strategy:plan", code=plan.code)
    return render(request, "strategy/action_plan_import.html", {"form": form, "problems": problems}, status=400 if problems or form.errors else 200)


@login_required
def search(request):
    read_allowed(request)
    query = request.GET.get("q", "").strip()
    results = list(frameworks_selectors.activity_search(user=request.user, query=query)) if query else []
    plans = plans_selectors.district_plan_search(user=request.user, query=query) if query else []
    return render(request, "strategy/search.html", {"q": query, "results": results, "plans": plans})


@login_required
@require_POST
def curve_actions_edit(request, indicator: str, unit: str):
    """Pick the action-plan activities and taskings of a turn-the-curve action plan, then back to the curve."""
    read_allowed(request)
    found = indicator_get(user=request.user, code=indicator)
    place = get_object_or_404(OrgUnit, code=unit)
    try:
        activity_ids = [int(v) for v in request.POST.getlist("activities")]
        tasking_ids = [int(v) for v in request.POST.getlist("taskings")]
    except ValueError:
        raise ValidationError({"actions": "Pick activities and taskings from the lists offered."}) from None
    frameworks_services.curve_actions_set(user=request.user, indicator=found, unit=place, activity_ids=activity_ids, tasking_ids=tasking_ids)
    messages.success(request, "The curve's picked actions were saved.")
    return redirect(f"{reverse('measures:indicator', args=[found.code])}?unit={place.code}#narrative")
