"""Every write to frameworks and action plans: the shipped defaults, framework files (with their co-designed
district plans), activity edits, progress updates and milestones. District plans' step-by-step edits are in
services_plans.py; the barrier register and initiative stocktake in services_register.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from rocc.audit.services import shipped_content_load
from rocc.core.errors import StaleRecord
from rocc.core.saving import set_if_changed
from rocc.core.text import nfc
from rocc.org.models import OrgUnit
from rocc.org.services import agency_resolve
from rocc.strategy.codesign import version_gaps
from rocc.strategy.files import (
    ALL_AGENCIES,
    DISTRICT_PLAN_CONTENT,
    ActivityFile,
    DistrictPlanFile,
    FrameworkFile,
    FrameworkFileInvalid,
    district_plan_data,
    file_problem_at,
    framework_file_check,
    indicator_catalogue_for_files,
)
from rocc.strategy.models import (
    ActionPlan,
    Activity,
    ActivityAgency,
    ActivityStatus,
    AgencyRole,
    ChainElement,
    CurveAction,
    DistrictPlan,
    FocusArea,
    Framework,
    GuidingPrinciple,
    IndicativeMeasure,
    Milestone,
    MonitoringRow,
    Objective,
    OutcomeStatement,
    PlanAnswer,
    PlanFocusArea,
    PlanVersion,
    PlanVersionStatus,
    PriorityActionArea,
    ProgressUpdate,
    SubActivity,
    SuccessCondition,
    SystemicBarrier,
)
from rocc.strategy.selectors.frameworks import action_plan_list
from rocc.strategy.workbooks import action_plan_workbook_check
from rocc.tasking.selectors.taskings import tasking_list

DEFAULTS_FILE = "rocc.yaml"


class ActivityChanged(StaleRecord):
    """Raised when a save is based on a version of an activity that someone has since changed."""

    def __init__(self, activity: Activity):
        self.activity = activity
        super().__init__(
            changed_by=activity.changed_by,
            changed_at=activity.changed_at,
            message=f"This activity changed since you opened it (by {self.who(activity.changed_by)} at "
            f"{self.when(activity.changed_at)}); reload to see the changes.",
        )


@dataclass(frozen=True)
class StrategyDefaultsLoaded:
    frameworks: int
    plans: int
    activities: int


def _ordered_parts(model, framework: Framework, rows: list[dict]) -> None:
    for order, values in enumerate(rows, start=1):
        part = model.objects.filter(framework=framework, order=order).first()
        if part is None:
            model.objects.create(framework=framework, order=order, **values)
        else:
            set_if_changed(part, **values)


def _agency_links(activity: Activity, role: str, names: list[str]) -> bool:
    """Set the agencies of one role as listed; returns whether "All" was among them."""
    all_agencies = any(name.strip().casefold() == ALL_AGENCIES for name in names)
    wanted = [agency_resolve(name) for name in names if name.strip().casefold() != ALL_AGENCIES]
    existing = list(activity.agency_links.filter(role=role).order_by("order"))
    if [link.agency_id for link in existing] != [agency.pk for agency in wanted]:
        activity.agency_links.filter(role=role).delete()
        for order, agency in enumerate(wanted, start=1):
            ActivityAgency.objects.create(activity=activity, agency=agency, role=role, order=order)
    return all_agencies


def _activity_load(plan: ActionPlan, focus_area: FocusArea, row: ActivityFile, areas: dict[str, PriorityActionArea]) -> Activity:
    title = nfc(row.priority_action_area)
    if title not in areas:
        area, _ = PriorityActionArea.objects.get_or_create(focus_area=focus_area, title=title, defaults={"order": len(areas) + 1})
        areas[title] = area
    activity = Activity.objects.filter(plan=plan, number=row.number).first()
    content = {"priority_action_area": areas[title], "title": nfc(row.title), "description": nfc(row.description)}
    if activity is None:
        # The file's status applies only when the activity is first created: afterwards the status is the users'.
        activity = Activity.objects.create(plan=plan, number=row.number, status=row.status, **content)
    else:
        set_if_changed(activity, **content)
    all_lead = _agency_links(activity, AgencyRole.LEAD, row.lead)
    all_support = _agency_links(activity, AgencyRole.SUPPORT, row.support)
    set_if_changed(activity, all_agencies_lead=all_lead, all_agencies_support=all_support)
    for order, sub in enumerate(row.sub_activities, start=1):
        existing = activity.sub_activities.filter(order=order).first()
        values = {"title": nfc(sub.title), "note": nfc(sub.note)}
        if existing is None:
            SubActivity.objects.create(activity=activity, order=order, **values)
        else:
            set_if_changed(existing, **values)
    return activity


def _action_plan_load(framework: Framework, plan_row) -> tuple[ActionPlan, int]:
    """Create or update one action plan with its focus areas and activities; returns it and its activity count."""
    plan_values = {"framework": framework, "title": nfc(plan_row.title), "year": plan_row.year, "scope_unit": OrgUnit.objects.get(code=plan_row.unit)}
    plan = ActionPlan.objects.filter(code=plan_row.code).first()
    if plan is None:
        plan = ActionPlan.objects.create(code=plan_row.code, status=plan_row.status, **plan_values)
    else:
        set_if_changed(plan, **plan_values)
    activities = 0
    for order, area_row in enumerate(plan_row.focus_areas, start=1):
        statement = nfc(area_row.statement)
        focus_area = FocusArea.objects.filter(plan=plan, kind=area_row.kind).first()
        if focus_area is None:
            focus_area = FocusArea.objects.create(plan=plan, kind=area_row.kind, statement=statement, order=order)
        else:
            set_if_changed(focus_area, statement=statement, order=order)
        areas = {area.title: area for area in focus_area.priority_action_areas.all()}
        for row in area_row.activities:
            _activity_load(plan, focus_area, row, areas)
            activities += 1
    return plan, activities


def _district_plan_load(framework: Framework, row: DistrictPlanFile, *, only_create: bool) -> tuple[DistrictPlan, bool]:
    """Create a co-designed plan from a checked file, or (unless ``only_create``) bring its working version into
    line with the file: a draft is rewritten, an agreed version is left frozen and a new draft gets the file's
    content. Returns the plan and whether the file's status needs the agree gate checked."""

    if any(not m.indicator_name for m in row.monitoring):
        # A row that names only its indicator reads the catalogue's name, as one added on the page does; filled in
        # before the comparison below, so loading the same file again changes nothing.
        catalogue = indicator_catalogue_for_files()
        named = [m if m.indicator_name else m.model_copy(update={"indicator_name": catalogue.get(m.indicator_code, m.indicator_code)}) for m in row.monitoring]
        row = row.model_copy(update={"monitoring": named})
    unit = OrgUnit.objects.get(code=row.unit)
    plan = DistrictPlan.objects.filter(code=row.code).first()
    if plan is None:
        plan = DistrictPlan.objects.create(framework=framework, code=row.code, title=nfc(row.title), scope_unit=unit, is_example=row.example)
        agreed = row.status != PlanVersionStatus.DRAFT
        version = PlanVersion.objects.create(
            plan=plan,
            number=row.version,
            status=row.status,
            agreed_by=get_user_model().objects.get(username=row.agreed_by) if agreed else None,
            agreed_at=dt.datetime.fromisoformat(row.agreed_at) if agreed else None,
            status_changed_at=timezone.now() if agreed else None,
        )
        _version_content_write(version, plan, row)
        return plan, agreed
    if only_create:
        return plan, False
    set_if_changed(plan, title=nfc(row.title), scope_unit=unit, is_example=row.example)
    latest = plan.versions.order_by("-number").first()
    assert latest is not None  # a plan is created with version 1, and its first draft cannot be discarded
    current = DistrictPlanFile.model_validate(district_plan_data(plan, latest))
    if current.model_dump(include=DISTRICT_PLAN_CONTENT) == row.model_dump(include=DISTRICT_PLAN_CONTENT):
        return plan, False
    if latest.status == PlanVersionStatus.DRAFT:
        draft = latest
        for related in (draft.focus_areas, draft.conditions, draft.answers, draft.monitoring, draft.elements):
            related.all().delete()
    else:
        draft = PlanVersion.objects.create(plan=plan, number=latest.number + 1, based_on=latest)
    _version_content_write(draft, plan, row)
    return plan, False


def _version_content_write(version: PlanVersion, plan: DistrictPlan, row) -> None:
    for order, text in enumerate(row.focus_areas, start=1):
        PlanFocusArea.objects.create(version=version, order=order, text=nfc(text))
    for order, text in enumerate(row.conditions, start=1):
        SuccessCondition.objects.create(version=version, order=order, text=nfc(text))
    for question, text in row.answers.items():
        PlanAnswer.objects.create(version=version, question=question, text=nfc(text))
    boxes = {}
    for order, box in enumerate(row.logic_model, start=1):
        boxes[box.id] = ChainElement.objects.create(
            version=version,
            key=box.id,
            kind=box.kind,
            text=nfc(box.text),
            order=order,
            owner=nfc(box.owner),
            timeframe=nfc(box.timeframe),
            reported_indicator_code=box.reported_indicator,
        )
    for box in row.logic_model:
        element = boxes[box.id]
        element.leads_to.set([boxes[t] for t in box.leads_to])
        references = [r.partition("/") for r in box.activities]
        element.activities.set([Activity.objects.get(plan__code=code, plan__framework=plan.framework, number=int(number)) for code, _, number in references])
    for order, m in enumerate(row.monitoring, start=1):
        MonitoringRow.objects.create(
            version=version,
            outcome=boxes[m.outcome],
            order=order,
            indicator_code=m.indicator_code,
            indicator_name=nfc(m.indicator_name),
            baseline=nfc(m.baseline),
            data_source=nfc(m.data_source),
            responsibility=nfc(m.responsibility),
            responsible_agency=agency_resolve(m.responsible_agency) if m.responsible_agency else None,
        )


def _framework_load(data: FrameworkFile, *, district_plans_only_create: bool = False) -> tuple[Framework, int, int, list[int]]:
    """Create or update a framework and its plans from a checked file; returns it with its plan and activity counts."""
    values = {
        "name": nfc(data.name),
        "jurisdiction": nfc(data.jurisdiction),
        "mandate": nfc(data.mandate),
        "goal": nfc(data.goal),
        "linked_strategies": [nfc(s) for s in data.linked_strategies],
    }
    framework = Framework.objects.filter(code=data.code).first()
    if framework is None:
        framework = Framework.objects.create(code=data.code, **values)
    else:
        set_if_changed(framework, **values)
    _ordered_parts(GuidingPrinciple, framework, [{"name": nfc(p.name), "description": nfc(p.description)} for p in data.principles])
    _ordered_parts(Objective, framework, [{"link": o.link, "statement": nfc(o.statement)} for o in data.objectives])
    _ordered_parts(SystemicBarrier, framework, [{"text": nfc(text)} for text in data.barriers])
    _ordered_parts(IndicativeMeasure, framework, [{"text": nfc(text)} for text in data.measures])
    _ordered_parts(OutcomeStatement, framework, [{"text": nfc(text)} for text in data.outcomes])

    plans = activities = 0
    for plan_row in data.action_plans:
        _, count = _action_plan_load(framework, plan_row)
        plans, activities = plans + 1, activities + count
    to_gate = []
    for index, row in enumerate(data.district_plans):
        _, agreed = _district_plan_load(framework, row, only_create=district_plans_only_create)
        if agreed:
            to_gate.append(index)
    return framework, plans, activities, to_gate


def _gate_problems(data: FrameworkFile, indexes: list[int], *, text: str, source: str):
    """A plan the file says is agreed must pass the same gate as one agreed on the pages."""

    problems = []
    for index in indexes:
        row = data.district_plans[index]
        version = PlanVersion.objects.get(plan__code=row.code, number=row.version)
        for gap in (g for g in version_gaps(version) if g.blocking):
            problems.append(
                file_problem_at(
                    text,
                    source=source,
                    path=("district_plans", index, "status"),
                    message=f"the plan is marked {row.status.replace('_', ' ')} but cannot be agreed: step {gap.step}: {gap.message}",
                )
            )
    return problems


@shipped_content_load
def strategy_defaults_load() -> StrategyDefaultsLoaded:
    """Create or update the shipped ROCC framework and its Year Two action plan.

    Needs the organisation defaults (agencies, the national unit) loaded first. Loading again changes
    nothing, and never touches what users added: statuses, milestones and progress updates.
    """
    text = resources.files("rocc.strategy.defaults").joinpath(DEFAULTS_FILE).read_text(encoding="utf-8")
    data, problems = framework_file_check(text, source=DEFAULTS_FILE)
    if problems:
        raise FrameworkFileInvalid(problems)
    assert data is not None  # the check gives the parsed file or its problems
    # The example district plan is created once and then left to users (it is there to learn on).
    _, plans, activities, to_gate = _framework_load(data, district_plans_only_create=True)
    problems = _gate_problems(data, to_gate, text=text, source=DEFAULTS_FILE)
    if problems:
        raise FrameworkFileInvalid(problems)
    return StrategyDefaultsLoaded(frameworks=1, plans=plans, activities=activities)


def framework_file_import(*, user, text: str, source: str) -> Framework:
    """Create or update a framework with its plans from a YAML file (docs/framework-format.md).

    Any problem refuses the whole file, listing every problem with its line and column, and changes
    nothing. Records the file does not mention are kept; so are statuses, milestones and updates.
    """
    if not user.has_perm("strategy.change_framework"):
        raise PermissionDenied("Only the programme office imports frameworks.")
    data, problems = framework_file_check(text, source=source)
    if problems:
        raise FrameworkFileInvalid(problems)
    assert data is not None  # the check gives the parsed file or its problems
    with transaction.atomic():
        framework, _, _, to_gate = _framework_load(data)
        problems = _gate_problems(data, to_gate, text=text, source=source)
        if problems:
            raise FrameworkFileInvalid(problems)  # rolls back everything the file wrote
    return framework


def _require_update(user, activity: Activity) -> None:
    if not user.has_perm("strategy.update_activity", activity):
        raise PermissionDenied("Only the programme office (or the plan's own region) updates this activity.")


def _evidence_links_clean(links: list[str]) -> list[str]:
    check = URLValidator(schemes=["http", "https"])
    cleaned = []
    for link in (link.strip() for link in links):
        if not link:
            continue
        try:
            check(link)
        except ValidationError:
            raise ValidationError({"evidence_links": f"'{link}' is not a web address (it should start with https:// or http://)."}) from None
        cleaned.append(link)
    return cleaned


@transaction.atomic
def activity_status_update(
    *,
    user,
    activity: Activity,
    version: int,
    status: str,
    narrative: str,
    evidence_links: list[str] | None = None,
    date: dt.date | None = None,
) -> ProgressUpdate:
    """Record a progress update and set the activity's status to it.

    ``version`` is the activity's version the user saw; if the activity has changed since, nothing is
    saved and ActivityChanged says who changed it and when.
    """
    _require_update(user, activity)
    # Lock only the activity row: the joined user is nullable, and PostgreSQL cannot lock the null side of a join.
    current = Activity.objects.select_for_update(of=("self",)).select_related("changed_by", "plan__scope_unit").get(pk=activity.pk)
    if current.version != version:
        raise ActivityChanged(current)
    if status not in ActivityStatus.values:
        raise ValidationError({"status": f"Unknown status '{status}'; choose one of: {', '.join(ActivityStatus.values)}."})
    if not (narrative or "").strip():
        raise ValidationError({"narrative": "Say what happened: the narrative is required."})
    today = timezone.localdate()
    date = date or today
    if date > today:
        raise ValidationError({"date": "An update cannot be dated in the future."})
    update = ProgressUpdate.objects.create(
        activity=current,
        date=date,
        author=user,
        status=status,
        narrative=narrative,
        evidence_links=_evidence_links_clean(evidence_links or []),
    )
    current.status = status
    current.version += 1
    current.changed_by = user
    current.changed_at = timezone.now()
    current.save()
    activity.refresh_from_db()
    return update


@transaction.atomic
def milestone_add(*, user, activity: Activity, title: str, due_date: dt.date) -> Milestone:
    _require_update(user, activity)
    if not (title or "").strip():
        raise ValidationError({"title": "Give the milestone a title."})
    return Milestone.objects.create(activity=activity, title=title, due_date=due_date)


@transaction.atomic
def milestone_complete(*, user, milestone: Milestone, done_date: dt.date | None = None) -> Milestone:
    _require_update(user, milestone.activity)
    done_date = done_date or timezone.localdate()
    if done_date > timezone.localdate():
        raise ValidationError({"done_date": "A milestone cannot be done in the future."})
    milestone.done_date = done_date
    milestone.save()
    return milestone


def action_plan_workbook_import(*, user, data: bytes, source: str) -> ActionPlan:
    """Create or update an action plan from a filled-in Excel template (docs/framework-format.md). Any problem
    refuses the whole workbook, each located by sheet and cell (WorkbookInvalid), and changes nothing."""

    if not user.has_perm("strategy.change_framework"):
        raise PermissionDenied("Only the programme office imports action plans.")
    framework_code, plan_row = action_plan_workbook_check(data, source=source)
    with transaction.atomic():
        plan, _ = _action_plan_load(Framework.objects.get(code=framework_code), plan_row)
    return plan


@transaction.atomic
def activity_edit(*, user, activity: Activity, version: int, title: str, description: str) -> Activity:
    """Change an activity's title and description, refused (ActivityChanged) when someone changed it since ``version``."""
    _require_update(user, activity)
    current = Activity.objects.select_for_update(of=("self",)).select_related("changed_by", "plan__scope_unit").get(pk=activity.pk)
    if current.version != version:
        raise ActivityChanged(current)
    if not nfc(title) and current.status != ActivityStatus.DESCRIPTION_PENDING:
        raise ValidationError({"title": "An activity needs a title (unless its description is yet to be finalised)."})
    current.title, current.description = title, description
    current.version += 1
    current.changed_by, current.changed_at = user, timezone.now()
    current.save()
    activity.refresh_from_db()
    return current


# --- the action plan in turn-the-curve action plans ---------------------------------------------------------------


def _curve_may_pick(user, unit: OrgUnit) -> None:
    if not user.has_perm("measures.edit_narrative", unit):
        raise PermissionDenied("Only those who may write this curve's story pick its actions.")


def _curve_pickable(user, activity_ids: list[int], tasking_ids: list[int]) -> tuple[dict, dict]:
    """The activities (of action plans the user reads) and taskings (they see) with these ids; any other id refuses."""
    activities = {a.pk: a for a in Activity.objects.filter(pk__in=activity_ids, plan__in=action_plan_list(user=user))}
    taskings = {t.pk: t for t in tasking_list(user=user).filter(pk__in=tasking_ids)}
    errors = {}
    if missing := sorted(set(activity_ids) - set(activities)):
        errors["activities"] = f"No action-plan activity you may read has id {', '.join(map(str, missing))}."
    if missing := sorted(set(tasking_ids) - set(taskings)):
        errors["taskings"] = f"No tasking you may see has id {', '.join(map(str, missing))}."
    if errors:
        raise ValidationError(errors)
    return activities, taskings


@transaction.atomic
def curve_action_add(*, user, indicator, unit: OrgUnit, activity_id: int | None = None, tasking_id: int | None = None) -> CurveAction:
    """Add one pick to the turn-the-curve action plan of ``indicator`` in ``unit``: an action-plan activity or a
    tasking (exactly one), by the same rule as :func:`curve_actions_set`. Picking one already picked changes nothing
    and gives the existing pick."""
    _curve_may_pick(user, unit)
    if (activity_id is None) == (tasking_id is None):
        raise ValidationError({"activity": "Pick one action-plan activity or one tasking (not both, not neither)."})
    activities, taskings = _curve_pickable(user, [activity_id] if activity_id is not None else [], [tasking_id] if tasking_id is not None else [])
    what = {"activity": activities[activity_id]} if activity_id is not None else {"tasking": taskings[tasking_id]}
    pick, _ = CurveAction.objects.get_or_create(indicator=indicator, unit=unit, **what, defaults={"added_by": user})
    return pick


@transaction.atomic
def curve_action_remove(*, user, indicator, unit: OrgUnit, pick_id: int) -> None:
    """Remove one pick of the turn-the-curve action plan of ``indicator`` in ``unit``, by the same rule as picking;
    a pick of a tasking the user may not see is not theirs to remove (as the page keeps it)."""
    _curve_may_pick(user, unit)
    pick = CurveAction.objects.filter(pk=pick_id, indicator=indicator, unit=unit).first()
    if pick is None or (pick.tasking_id is not None and not tasking_list(user=user).filter(pk=pick.tasking_id).exists()):
        raise Http404("No such pick in this curve's action plan.")
    if pick.activity_id is not None and not Activity.objects.filter(pk=pick.activity_id, plan__in=action_plan_list(user=user)).exists():
        raise Http404("No such pick in this curve's action plan.")
    pick.delete()


@transaction.atomic
def curve_actions_set(*, user, indicator, unit: OrgUnit, activity_ids: list[int], tasking_ids: list[int]) -> list[CurveAction]:
    """Say which action-plan activities and taskings the turn-the-curve action plan of ``indicator`` in ``unit``
    picks (whoever may write that curve's story may pick them). Picks of taskings the user may not see are kept as
    they are; every id must be an activity of a plan they read or a tasking they see, or nothing changes."""
    _curve_may_pick(user, unit)
    activities, taskings = _curve_pickable(user, activity_ids, tasking_ids)
    visible = tasking_list(user=user)
    current = CurveAction.objects.filter(indicator=indicator, unit=unit)
    current.filter(activity__isnull=False).exclude(activity_id__in=list(activities)).delete()
    current.filter(tasking__in=visible).exclude(tasking_id__in=list(taskings)).delete()
    have_activities = set(current.filter(activity__isnull=False).values_list("activity_id", flat=True))
    have_taskings = set(current.filter(tasking__isnull=False).values_list("tasking_id", flat=True))
    CurveAction.objects.bulk_create(
        [CurveAction(indicator=indicator, unit=unit, activity=a, added_by=user) for pk, a in activities.items() if pk not in have_activities]
        + [CurveAction(indicator=indicator, unit=unit, tasking=t, added_by=user) for pk, t in taskings.items() if pk not in have_taskings]
    )
    return list(CurveAction.objects.filter(indicator=indicator, unit=unit).order_by("pk"))
