"""Pages of co-designed district plans: the four-step guided flow, versions, comparison, the logic model and exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rocc.org.models import Agency
from rocc.strategy.codesign import (
    STEP_QUESTIONS,
    STEPS,
    chain_removal,
    stray_boxes,
    version_progress,
)
from rocc.strategy.compare import versions_compare
from rocc.strategy.forms import (
    AnswersForm,
    BarrierForm,
    BoxActivitiesForm,
    DistrictPlanForm,
    MonitoringRowForm,
    PartForm,
    PriorityActionForm,
)
from rocc.strategy.logic_model import logic_model
from rocc.strategy.logic_model_pdf import logic_model_pdf
from rocc.strategy.logic_model_png import logic_model_png
from rocc.strategy.models import (
    Activity,
    BarrierStatus,
    ElementKind,
    Framework,
    PlanMove,
)
from rocc.strategy.rules import plan_moves
from rocc.strategy.selectors import plans as plans_selectors
from rocc.strategy.selectors import register as register_selectors
from rocc.strategy.services import plans as plans_services
from rocc.strategy.services import register as register_services
from rocc.strategy.views.common import XLSX, error_messages, read_allowed
from rocc.strategy.workbooks import monitoring_workbook


@login_required
def district_plans(request):
    read_allowed(request)
    units = plans_selectors.units_for_editing(user=request.user)
    form = DistrictPlanForm(request.POST or None, units=units)
    if request.method == "POST":
        if not units.exists():
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = plans_services.district_plan_create(
                    user=request.user,
                    framework=Framework.objects.get(code=request.POST.get("framework", "rocc")),
                    unit=form.cleaned_data["unit"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as error:
                form.add_error(None, error_messages(error))
            else:
                messages.success(request, "Plan created. Start with step 1: the focus areas.")
                return redirect("strategy:plan_step", code=plan.code, step=1)
    plans = []
    for plan in plans_selectors.district_plan_list(user=request.user):
        version = plans_selectors.plan_version_get(user=request.user, plan=plan)
        plans.append((plan, version, plans_selectors.plan_current_version(user=request.user, plan=plan)))
    return render(request, "strategy/district_plans.html", {"plans": plans, "form": form, "may_create": units.exists()}, status=400 if form.errors else 200)


def _plan_context(request, plan, version=None) -> dict:
    version = version or plans_selectors.plan_version_get(user=request.user, plan=plan)
    return {
        "plan": plan,
        "version": version,
        "progress": version_progress(version),
        "may_edit": request.user.has_perm("strategy.edit_district_plan", plan),
        "moves": plan_moves(request.user, plan),
        "versions": list(plans_selectors.plan_versions(user=request.user, plan=plan)),
        "current": plans_selectors.plan_current_version(user=request.user, plan=plan),
    }


@login_required
def district_plan_detail(request, code: str):
    read_allowed(request)
    plan = plans_selectors.district_plan_get(user=request.user, code=code)
    return render(request, "strategy/district_plan.html", _plan_context(request, plan))


@login_required
def plan_version_detail(request, code: str, number: int):
    """One version in full, laid out as the framework's tables."""
    read_allowed(request)
    plan = plans_selectors.district_plan_get(user=request.user, code=code)
    version = plans_selectors.plan_version_get(user=request.user, plan=plan, number=number)
    context = _plan_context(request, plan, version)
    context.update(content=plans_selectors.plan_version_content(version), chain_rows=plans_selectors.chain_rows(version), questions=STEP_QUESTIONS)
    return render(request, "strategy/plan_version.html", context)


def _step_forms(request, plan, version, step: int, bound: dict | None = None) -> dict:
    bound = bound or {}
    content = plans_selectors.plan_version_content(version)
    forms = {"part": bound.get("part") or PartForm()}
    if step in STEP_QUESTIONS:
        forms["answers"] = bound.get("answers") or AnswersForm(initial=content["answers"], questions=STEP_QUESTIONS[step])
    if step == 3:
        forms["action"] = bound.get("action") or PriorityActionForm()
        forms["action"].offer_existing(content["elements"])
        forms["stray"] = stray_boxes(version)
        forms["activities"] = Activity.objects.filter(plan__framework=plan.framework).select_related("plan").order_by("plan__code", "number")
        forms["indicators"] = sorted(plans_selectors.measures_indicators_all().items(), key=lambda item: item[1].casefold())
    if step == 4:
        forms["monitoring"] = bound.get("monitoring") or MonitoringRowForm(
            outcomes=content["outcomes"], agencies=Agency.objects.all(), indicators=plans_selectors.measures_indicators_all()
        )
    return {"content": content, "forms": forms}


@login_required
def plan_step(request, code: str, step: int):
    """One of the four co-design steps of the plan's working version, with what is still missing."""
    read_allowed(request)
    if step not in {1, 2, 3, 4}:
        raise Http404("There are four steps")
    plan = plans_selectors.district_plan_get(user=request.user, code=code)
    bound, problems = {}, []
    if request.method == "POST":
        try:
            bound = _step_post(request, plan, step)
        except ValidationError as error:
            problems = error_messages(error)
        if not bound and not problems:
            return redirect("strategy:plan_step", code=code, step=step)
    context = _plan_context(request, plan)
    version = context["version"]
    context.update(_step_forms(request, plan, version, step, bound))
    context.update(
        step=step,
        step_info=STEPS[step - 1],
        step_progress=context["progress"][step - 1],
        problems=problems,
        questions=STEP_QUESTIONS.get(step, []),
        previous_step=step - 1 if step > 1 else None,
        next_step=step + 1 if step < 4 else None,
        chain_rows=plans_selectors.chain_rows(version) if step == 3 else [],
    )
    return render(request, "strategy/plan_step.html", context, status=400 if (problems or bound) else 200)


def _step_post(request, plan, step: int) -> dict:
    """Carry out one edit of a step; returns bound forms with errors to show again (empty when it worked)."""
    user, post, action = request.user, request.POST, request.POST.get("action", "")
    part = {1: "focus_areas", 2: "conditions"}.get(step)
    if action == "add" and part:
        form = PartForm(post)
        if not form.is_valid():
            return {"part": form}
        plans_services.plan_part_add(user=user, plan=plan, part=part, text=form.cleaned_data["text"])
        messages.success(request, "Added.")
    elif action == "edit" and part:
        plans_services.plan_part_edit(user=user, plan=plan, part=part, order=int(post.get("order", 0)), text=post.get("text", ""), seen=post.get("seen"))
        messages.success(request, "Changed.")
    elif action == "remove" and part:
        plans_services.plan_part_remove(user=user, plan=plan, part=part, order=int(post.get("order", 0)), seen=post.get("seen"))
        messages.success(request, "Removed.")
    elif action == "answers" and step in STEP_QUESTIONS:
        for code, _ in STEP_QUESTIONS[step]:
            plans_services.plan_answer_set(user=user, plan=plan, question=code, text=post.get(code, ""))
        messages.success(request, "Answers saved.")
    elif action == "chain" and step == 3:
        form = PriorityActionForm(post)
        if not form.is_valid():
            return {"action": form}
        plans_services.priority_action_add(user=user, plan=plan, **form.cleaned_data)
        messages.success(request, "Priority action added.")
    elif action == "remove-box" and step == 3:
        plans_services.chain_element_remove(user=user, plan=plan, key=post.get("key", ""), seen=post.get("seen"))
        messages.success(request, "Box removed.")
    elif action == "edit-box" and step == 3:
        kind_is_activity = post.get("owner") is not None or post.get("timeframe") is not None
        plans_services.chain_element_edit(
            user=user,
            plan=plan,
            key=post.get("key", ""),
            text=post.get("text", ""),
            owner=post.get("owner", "").strip() if kind_is_activity else None,
            timeframe=post.get("timeframe", "").strip() if kind_is_activity else None,
        )
        messages.success(request, "Box changed.")
    elif action == "box-figure" and step == 3:
        plans_services.chain_element_edit(user=user, plan=plan, key=post.get("key", ""), reported_indicator_code=post.get("reported_indicator_code", ""))
        messages.success(
            request, "The output's reported figure was linked." if post.get("reported_indicator_code") else "The output's reported figure was unlinked."
        )
    elif action == "box-activities" and step == 3:
        form = BoxActivitiesForm(post, activities=Activity.objects.filter(plan__framework=plan.framework))
        if not form.is_valid():
            raise ValidationError({"activities": "Choose activities of this framework's action plans."})
        plans_services.chain_element_edit(user=user, plan=plan, key=form.cleaned_data["key"], activities=list(form.cleaned_data["activities"]))
        messages.success(request, "Linked activities saved.")
    elif action == "monitoring" and step == 4:
        # The working version's outcomes: a draft opened by the write below copies them with the same keys.
        outcomes = plans_selectors.plan_version_content(plans_selectors.plan_version_get(user=user, plan=plan))["outcomes"]
        form = MonitoringRowForm(post, outcomes=outcomes, agencies=Agency.objects.all(), indicators=plans_selectors.measures_indicators_all())
        if not form.is_valid():
            return {"monitoring": form}
        data = form.cleaned_data
        plans_services.monitoring_row_add(
            user=user,
            plan=plan,
            outcome_key=data["outcome"],
            indicator_code=data["indicator_code"],
            baseline=data["baseline"],
            data_source=data["data_source"],
            responsible_agency=data["responsible_agency"],
            responsibility=data["responsibility"],
        )
        messages.success(request, "Monitoring row added.")
    elif action == "remove-row" and step == 4:
        plans_services.monitoring_row_remove(user=user, plan=plan, order=int(post.get("order", 0)), seen=post.get("seen"))
        messages.success(request, "Monitoring row removed.")
    else:
        raise ValidationError({"action": f"Unknown action '{action}' for step {step}."})
    return {}


@login_required
def priority_action_remove(request, code: str, key: str):
    """Removing a priority action asks first: the page lists the boxes that go with it and those that stay because
    other priority actions share them; confirming removes exactly what was shown, or nothing if the plan changed."""
    read_allowed(request)
    plan = plans_selectors.district_plan_get(user=request.user, code=code)
    if not request.user.has_perm("strategy.edit_district_plan", plan):
        raise PermissionDenied
    problems = []
    if request.method == "POST":
        try:
            removal = plans_services.priority_action_remove(user=request.user, plan=plan, key=key, seen=request.POST.get("seen", ""))
        except ValidationError as error:
            problems = error_messages(error)
        else:
            messages.success(
                request,
                f"Removed the priority action “{removal.action.text}” and {len(removal.removed) - 1} "
                f"box{'es' if len(removal.removed) != 2 else ''} no other priority action used"
                + (f"; kept {len(removal.kept)} shared with other priority actions." if removal.kept else "."),
            )
            return redirect("strategy:plan_step", code=code, step=3)
    version = plans_selectors.plan_version_get(user=request.user, plan=plan)
    action = version.elements.filter(key=key, kind=ElementKind.ACTIVITY).first()
    if action is None:
        if problems:
            messages.error(request, " ".join(problems))
            return redirect("strategy:plan_step", code=code, step=3)
        raise Http404("No such priority action")
    return render(
        request,
        "strategy/priority_action_remove.html",
        {
            "plan": plan,
            "version": version,
            "removal": chain_removal(version, action),
            "problems": problems,
        },
        status=400 if problems else 200,
    )


_MOVE_DONE = {
    PlanMove.AGREE: "The plan is agreed: version {n} is frozen.",
    PlanMove.ACTIVATE: "Version {n} is active.",
    PlanMove.REVIEW: "Version {n} is under review; changes go to a new draft.",
    PlanMove.DRAFT: "Draft version {n} opened: the agreed version stays as it was.",
    PlanMove.DISCARD: "Draft version {n} was discarded.",
}


_MOVE_DONE = {
    PlanMove.AGREE: "The plan is agreed: version {n} is frozen.",
    PlanMove.ACTIVATE: "Version {n} is active.",
    PlanMove.REVIEW: "Version {n} is under review; changes go to a new draft.",
    PlanMove.DRAFT: "Draft version {n} opened: the agreed version stays as it was.",
    PlanMove.DISCARD: "Draft version {n} was discarded.",
}


@login_required
@require_POST
def plan_lifecycle(request, code: str, move: str):
    read_allowed(request)
    plan = plans_selectors.district_plan_get(user=request.user, code=code)
    if move not in plans_services.PLAN_MOVE_SERVICES:
        raise Http404("No such step in a plan's life")
    service, done = plans_services.PLAN_MOVE_SERVICES[move], _MOVE_DONE[move]
    working = plans_selectors.plan_version_get(user=request.user, plan=plan)
    try:
        version = service(user=request.user, plan=plan) or working
    except plans_services.PlanNotAgreeable as refused:
        context = _plan_context(request, plan)
        context["refusal"] = refused.gaps
        return render(request, "strategy/district_plan.html", context, status=400)
    except ValidationError as error:
        messages.error(request, " ".join(error_messages(error)))
        return redirect("strategy:district_plan", code=code)
    messages.success(request, done.format(n=version.number))
    return redirect("strategy:district_plan", code=code)


@login_required
def plan_compare(request, code: str):
    """Two versions side by side (by default the one before the working version and the working version)."""
    read_allowed(request)
    plan = plans_selectors.district_plan_get(user=request.user, code=code)
    versions = list(plans_selectors.plan_versions(user=request.user, plan=plan))
    numbers = [v.number for v in versions]
    try:
        left = int(request.GET.get("left", numbers[-2] if len(numbers) > 1 else numbers[-1]))
        right = int(request.GET.get("right", numbers[-1]))
    except ValueError:
        raise Http404("Versions are numbers") from None
    left_version = plans_selectors.plan_version_get(user=request.user, plan=plan, number=left)
    right_version = plans_selectors.plan_version_get(user=request.user, plan=plan, number=right)
    return render(
        request,
        "strategy/plan_compare.html",
        {
            "plan": plan,
            "versions": versions,
            "left": left_version,
            "right": right_version,
            "sections": versions_compare(left_version, right_version),
        },
    )


@login_required
def plan_logic_model(request, code: str, number: int):
    read_allowed(request)
    plan = plans_selectors.district_plan_get(user=request.user, code=code)
    version = plans_selectors.plan_version_get(user=request.user, plan=plan, number=number)
    model = logic_model(user=request.user, version=version)
    if request.GET.get("format") == "svg":
        response = render(request, "strategy/_logic_model.svg", {"model": model, "standalone": True}, content_type="image/svg+xml")
        response["Content-Disposition"] = f'inline; filename="{plan.code}-v{version.number}-logic-model.svg"'
        return response
    if request.GET.get("format") == "png":
        response = HttpResponse(logic_model_png(model), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="{plan.code}-v{version.number}-logic-model.png"'
        return response
    if request.GET.get("format") == "pdf":
        response = HttpResponse(logic_model_pdf(model, base_url=request.build_absolute_uri("/")), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{plan.code}-v{version.number}-logic-model.pdf"'
        return response
    return render(request, "strategy/logic_model.html", {"plan": plan, "version": version, "model": model, "chain_rows": plans_selectors.chain_rows(version)})


@login_required
def chain_element_detail(request, code: str, number: int, key: str):
    """The record behind a logic-model box: its text, where it leads, its indicators and action-plan activities."""
    read_allowed(request)
    plan = plans_selectors.district_plan_get(user=request.user, code=code)
    version = plans_selectors.plan_version_get(user=request.user, plan=plan, number=number)
    element = version.elements.prefetch_related("leads_to", "led_from", "activities__plan").filter(key=key).first()
    if element is None:
        raise Http404("No such box")
    rows = list(element.monitoring.select_related("responsible_agency"))
    # "Open the indicator" opens it on the plan's own unit, as the logic model's boxes do.
    in_measures = plans_selectors.monitoring_in_measures(version=version, codes=[r.indicator_code for r in rows])
    indicators = [(row, in_measures[row.indicator_code]["url"] if row.indicator_code in in_measures else None) for row in rows]
    model = logic_model(user=request.user, version=version)
    box = next(b for b in model.boxes if b.key == key)
    return render(request, "strategy/chain_element.html", {"plan": plan, "version": version, "element": element, "indicators": indicators, "box": box})


@login_required
def plan_monitoring_xlsx(request, code: str, number: int):

    read_allowed(request)
    plan = plans_selectors.district_plan_get(user=request.user, code=code)
    version = plans_selectors.plan_version_get(user=request.user, plan=plan, number=number)
    response = HttpResponse(monitoring_workbook(plan, version), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{plan.code}-v{version.number}.xlsx"'
    return response


@login_required
def barriers(request):
    read_allowed(request)
    units = plans_selectors.units_for_editing(user=request.user, perm="strategy.raise_barrier")
    framework = Framework.objects.filter(code=request.GET.get("framework", "rocc")).first() or Framework.objects.first()
    form_kwargs = {
        "units": units,
        "barriers": framework.barriers.all() if framework else None,
        "plans": plans_selectors.district_plan_list(user=request.user).filter(is_example=False),
    }
    form = BarrierForm(request.POST or None, **form_kwargs)
    if request.method == "POST":
        if not units.exists():
            raise PermissionDenied
        if form.is_valid():
            try:
                barrier = register_services.barrier_raise(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error_messages(error))
            else:
                messages.success(request, "Barrier raised. Escalate it to the centre when the region cannot remove it.")
                return redirect("strategy:barrier", pk=barrier.pk)
    status = request.GET.get("status", "")
    return render(
        request,
        "strategy/barriers.html",
        {
            "barriers": register_selectors.barrier_list(user=request.user, status=status, query=request.GET.get("q", "")),
            "form": form,
            "may_raise": units.exists(),
            "status": status,
            "statuses": BarrierStatus.choices,
            "q": request.GET.get("q", ""),
        },
        status=400 if form.errors else 200,
    )
