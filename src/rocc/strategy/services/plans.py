"""Every write to district and area plans: creating one, editing its four co-design steps (always on a draft
version, so an agreed version stays frozen), and moving it through draft → agreed → active → under review."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from rocc.core.errors import InvalidInput
from rocc.core.text import fold, nfc
from rocc.org.models import Agency, OrgUnit
from rocc.strategy.codesign import (
    ChainRemoval,
    box_match_key,
    chain_removal,
    find_cycle,
    link_allowed,
    stray_boxes,
    version_gaps,
)
from rocc.strategy.models import (
    PLAN_VERSION_TRANSITIONS,
    QUESTIONS,
    Activity,
    ChainElement,
    DistrictPlan,
    ElementKind,
    Framework,
    MonitoringRow,
    PlanAnswer,
    PlanFocusArea,
    PlanMove,
    PlanVersion,
    PlanVersionStatus,
    SuccessCondition,
    _VersionPart,
)
from rocc.strategy.rules import PLAN_MOVE_PERMISSION, plan_move_version
from rocc.strategy.selectors.plans import measures_indicators_all

PARTS: dict[str, type[_VersionPart]] = {"focus_areas": PlanFocusArea, "conditions": SuccessCondition}


class PlanNotAgreeable(InvalidInput):
    """The plan has gaps that stop it being agreed; ``gaps`` lists every one."""

    def __init__(self, gaps):
        self.gaps = gaps
        super().__init__("The plan cannot be agreed yet.", field_errors={"gaps": [f"step {g.step}: {g.message}" for g in gaps]})

    def __str__(self) -> str:
        return "The plan cannot be agreed yet:\n" + "\n".join(self.field_errors["gaps"])


def _require_edit(user, plan_or_unit) -> None:
    if not user.has_perm("strategy.edit_district_plan", plan_or_unit):
        raise PermissionDenied("Only the programme office and the coordinators of this plan's district edit it.")


def _required(value: str, field: str, what: str) -> str:
    value = nfc(value or "").replace("\r\n", "\n")  # browsers send CRLF line ends; keep one form
    if not value:
        raise ValidationError({field: f"{what} is required."})
    return value


@transaction.atomic
def district_plan_create(*, user, framework: Framework, unit: OrgUnit, title: str, code: str = "", is_example: bool = False) -> DistrictPlan:
    """A new plan for a district or area, with an empty draft version 1 to co-design."""
    _require_edit(user, unit)
    title = _required(title, "title", "A title")
    code = code or slugify(fold(f"{unit.code} {title}"))[:60]
    if DistrictPlan.objects.filter(code=code).exists():
        raise ValidationError({"code": f"The code '{code}' is already used by another plan; choose another."})
    plan = DistrictPlan.objects.create(framework=framework, code=code, title=title, scope_unit=unit, is_example=is_example)
    PlanVersion.objects.create(plan=plan, number=1, created_by=user)
    return plan


def _copy_version(source: PlanVersion, *, number: int, user) -> PlanVersion:
    draft = PlanVersion.objects.create(plan=source.plan, number=number, based_on=source, created_by=user)
    for model in PARTS.values():
        model.objects.bulk_create(model(version=draft, order=p.order, text=p.text, search_text=p.search_text) for p in model.objects.filter(version=source))
    PlanAnswer.objects.bulk_create(PlanAnswer(version=draft, question=a.question, text=a.text, search_text=a.search_text) for a in source.answers.all())
    copies: dict[int, ChainElement] = {}
    originals = list(source.elements.prefetch_related("leads_to", "activities"))
    for element in originals:
        copies[element.pk] = ChainElement.objects.create(
            version=draft,
            key=element.key,
            kind=element.kind,
            text=element.text,
            order=element.order,
            owner=element.owner,
            timeframe=element.timeframe,
            reported_indicator_code=element.reported_indicator_code,
        )
    for element in originals:
        copy = copies[element.pk]
        copy.leads_to.set([copies[t.pk] for t in element.leads_to.all()])
        copy.activities.set(element.activities.all())
    for row in source.monitoring.all():
        MonitoringRow.objects.create(
            version=draft,
            outcome=copies[row.outcome_id],
            order=row.order,
            indicator_code=row.indicator_code,
            indicator_name=row.indicator_name,
            baseline=row.baseline,
            data_source=row.data_source,
            responsible_agency_id=row.responsible_agency_id,
            responsibility=row.responsibility,
        )
    return draft


def _draft(user, plan: DistrictPlan) -> PlanVersion:
    """The version edits go to: the plan's draft, or a new draft copied from its latest version when the
    latest is agreed (an agreed version is never changed)."""
    _require_edit(user, plan)
    # Serialise edits of one plan so that two people cannot both open a new draft.
    DistrictPlan.objects.select_for_update().filter(pk=plan.pk).first()
    draft = plan.versions.filter(status=PlanVersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    source = plan_move_version(plan, PlanMove.DRAFT)
    latest = plan.versions.aggregate(m=Max("number"))["m"]
    return _copy_version(source, number=latest + 1, user=user)


@transaction.atomic
def plan_draft_open(*, user, plan: DistrictPlan) -> PlanVersion:
    """Open a new draft version copied from the frozen one (refused while the plan has a draft: edits go there)."""
    _move_version(user, plan, PlanMove.DRAFT)
    return _draft(user, plan)


def _next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


# --- Steps 1 and 2: focus areas and conditions for success --------------------------------------------------------


@transaction.atomic
def plan_part_add(*, user, plan: DistrictPlan, part: str, text: str):
    """Add a focus area (``part="focus_areas"``) or a condition for success (``part="conditions"``) at the end."""
    model = PARTS[part]
    text = _required(text, "text", "The text")
    draft = _draft(user, plan)
    return model.objects.create(version=draft, order=_next_order(model.objects.filter(version=draft)), text=text)


def _as_seen(item, seen: str | None, what: str) -> None:
    """Items are addressed by their place in the list: when the caller says what it saw there, refuse if someone
    else has changed or removed it since (two people editing one plan at once must not hit the wrong item)."""
    if seen is not None and " ".join(nfc(seen).split()) != " ".join(nfc(item).split()):  # forms send CRLF line ends
        raise ValidationError({"order": f"{what} changed since you opened the page (it now reads “{item}”): nothing was changed; look again."})


@transaction.atomic
def plan_part_edit(*, user, plan: DistrictPlan, part: str, order: int, text: str, seen: str | None = None):
    model = PARTS[part]
    text = _required(text, "text", "The text")
    _lock(plan)
    draft = _draft(user, plan)
    item = model.objects.filter(version=draft, order=order).first()
    if item is None:
        raise ValidationError({"order": f"There is no item {order} to change."})
    _as_seen(item.text, seen, f"Item {order}")
    item.text = text
    item.save()
    return item


@transaction.atomic
def plan_part_remove(*, user, plan: DistrictPlan, part: str, order: int, seen: str | None = None) -> None:
    model = PARTS[part]
    _lock(plan)
    draft = _draft(user, plan)
    item = model.objects.filter(version=draft, order=order).first()
    if item is None:
        raise ValidationError({"order": f"There is no item {order} to remove."})
    _as_seen(item.text, seen, f"Item {order}")
    item.delete()
    for item in model.objects.filter(version=draft, order__gt=order).order_by("order"):
        item.order -= 1
        item.save(update_fields=["order"])


@transaction.atomic
def plan_answer_set(*, user, plan: DistrictPlan, question: str, text: str) -> PlanAnswer | None:
    """Answer one of the framework's questions for steps 3 and 4 (an empty answer removes it)."""
    if question not in QUESTIONS:
        raise ValidationError({"question": f"Unknown question '{question}'; the questions are: {', '.join(QUESTIONS)}."})
    draft = _draft(user, plan)
    text = nfc(text or "")
    if not text:
        draft.answers.filter(question=question).delete()
        return None
    answer, _ = PlanAnswer.objects.update_or_create(version=draft, question=question, defaults={"text": text})
    return answer


# --- Step 3: priority actions as logic chains ----------------------------------------------------------------------


def _unique_key(draft: PlanVersion, text: str, kind: str) -> str:
    base = slugify(fold(text))[:60].strip("-") or kind
    key, n = base, 2
    while draft.elements.filter(key=key).exists():
        key, n = f"{base}-{n}", n + 1
    return key


def _links_set(element: ChainElement, targets: list[ChainElement]) -> None:
    for target in targets:
        if target.version_id != element.version_id:
            raise ValidationError({"leads_to": "A box can only lead to a box of the same plan version."})
        if not link_allowed(element.kind, target.kind):
            raise ValidationError(
                {
                    "leads_to": f"A chain runs Activity → Output → Outcome → Impact: "
                    f"{element.get_kind_display().lower()} “{element.text}” cannot lead to "
                    f"{target.get_kind_display().lower()} “{target.text}”."
                }
            )
    element.leads_to.set(targets)
    edges = {e.key: [t.key for t in e.leads_to.all()] for e in element.version.elements.prefetch_related("leads_to")}
    cycle = find_cycle(edges)
    if cycle:
        raise ValidationError({"leads_to": "That link would make the chain go round in a circle: " + " → ".join(cycle) + "."})


def _targets(draft: PlanVersion, keys: list[str]) -> list[ChainElement]:
    found = {e.key: e for e in draft.elements.filter(key__in=keys)}
    missing = [k for k in keys if k not in found]
    if missing:
        raise ValidationError({"leads_to": f"No box of this plan has the key {', '.join(repr(k) for k in missing)}."})
    return [found[k] for k in keys]


def _activities_check(plan: DistrictPlan, activities: list[Activity]) -> list[Activity]:
    for activity in activities:
        if activity.plan.framework_id != plan.framework_id:
            raise ValidationError({"activities": f"Activity {activity.number} belongs to another framework's plan."})
    return activities


@transaction.atomic
def chain_element_add(
    *,
    user,
    plan: DistrictPlan,
    kind: str,
    text: str,
    leads_to: Sequence[str] = (),
    led_from: Sequence[str] = (),
    key: str = "",
    owner: str = "",
    timeframe: str = "",
    activities: Sequence[Activity] = (),
) -> ChainElement:
    """Add a box to the plan's logic model, linked to the boxes (by key) it leads to and comes from."""
    if kind not in ElementKind.values:
        raise ValidationError({"kind": f"Unknown kind '{kind}'; a box is one of: {', '.join(ElementKind.values)}."})
    text = _required(text, "text", "The text")
    draft = _draft(user, plan)
    key = slugify(key) if key else _unique_key(draft, text, kind)
    if draft.elements.filter(key=key).exists():
        raise ValidationError({"key": f"The key '{key}' is already used by another box of this plan."})
    element = ChainElement.objects.create(
        version=draft, key=key, kind=kind, text=text, owner=owner, timeframe=timeframe, order=_next_order(draft.elements.all())
    )
    _links_set(element, _targets(draft, list(leads_to)))
    for source in _targets(draft, list(led_from)):
        _links_set(source, [*source.leads_to.all(), element])
    element.activities.set(_activities_check(plan, list(activities)))
    return element


def _element(draft: PlanVersion, key: str) -> ChainElement:
    element = draft.elements.filter(key=key).first()
    if element is None:
        raise ValidationError({"key": f"No box of this plan has the key '{key}'."})
    return element


@transaction.atomic
def chain_element_edit(
    *,
    user,
    plan: DistrictPlan,
    key: str,
    text: str | None = None,
    leads_to: list[str] | None = None,
    owner: str | None = None,
    timeframe: str | None = None,
    activities: list[Activity] | None = None,
    reported_indicator_code: str | None = None,
) -> ChainElement:
    """Change a box of the working draft: its text, links, owner and timeframe (a priority action), the action-plan
    activities that carry it out, and for an output the indicator of the Measures catalogue its figure is reported
    under ("" unlinks it)."""
    draft = _draft(user, plan)
    element = _element(draft, key)
    if reported_indicator_code is not None:
        code = reported_indicator_code.strip()
        if element.kind != ElementKind.OUTPUT:
            raise ValidationError(
                {"reported_indicator_code": f"Only an output carries a reported figure; “{element.text}” is {element.get_kind_display().lower()}."}
            )
        if code and code not in measures_indicators_all():
            raise ValidationError({"reported_indicator_code": f"Choose the indicator from the Measures catalogue: “{code}” is not one of its indicators."})
        element.reported_indicator_code = code
    if text is not None:
        element.text = _required(text, "text", "The text")
    if owner is not None:
        element.owner = owner
    if timeframe is not None:
        element.timeframe = timeframe
    element.save()
    if leads_to is not None:
        _links_set(element, _targets(draft, list(leads_to)))
    if activities is not None:
        element.activities.set(_activities_check(plan, list(activities)))
    return element


@transaction.atomic
def chain_element_remove(*, user, plan: DistrictPlan, key: str, seen: str | None = None) -> None:
    """Remove a box that is on no chain, with its links and (for an outcome) its monitoring rows. A box on a chain
    goes with its priority action (``priority_action_remove``), so that no box is left that nothing leads to."""
    _lock(plan)
    draft = _draft(user, plan)
    element = _element(draft, key)
    _as_seen(element.text, seen, f"The box “{key}”")
    if element.kind == ElementKind.ACTIVITY:
        raise ValidationError({"key": f"“{element.text}” is a priority action: remove it as a priority action, which shows first what goes with it."})
    if element not in stray_boxes(draft):
        raise ValidationError(
            {
                "key": f"{element.get_kind_display()} “{element.text}” is on a priority action's chain: it goes "
                f"when the last priority action that leads to it is removed."
            }
        )
    element.delete()
    _monitoring_renumber(draft)


@transaction.atomic
def priority_action_remove(*, user, plan: DistrictPlan, key: str, seen: str | None = None) -> ChainRemoval:
    """Remove a priority action and every box of its chain that no other priority action uses; the boxes other
    chains share stay. ``seen`` is the fingerprint of the removal the caller was shown: when the plan has changed so
    that the removal would now take something else, nothing is removed."""
    _lock(plan)
    draft = _draft(user, plan)
    action = _element(draft, key)
    if action.kind != ElementKind.ACTIVITY:
        raise ValidationError({"key": f"“{action.text}” is {action.get_kind_display().lower()}, not a priority action."})
    removal = chain_removal(draft, action)
    if seen is not None and seen != removal.fingerprint:
        raise ValidationError(
            {
                "key": "The plan changed since you opened the page, so removing this priority action would now "
                "remove something else: nothing was removed; look again."
            }
        )
    ChainElement.objects.filter(pk__in=[e.pk for e in removal.removed]).delete()
    _monitoring_renumber(draft)
    return removal


def _same_box(draft: PlanVersion, kind: str, text: str) -> ChainElement | None:
    match = box_match_key(text)
    return next((e for e in draft.elements.filter(kind=kind).order_by("order") if box_match_key(e.text) == match), None)


@transaction.atomic
def priority_action_add(
    *,
    user,
    plan: DistrictPlan,
    activity: str,
    output: str = "",
    outcome: str = "",
    impact: str = "",
    owner: str = "",
    timeframe: str = "",
) -> ChainElement:
    """Add one row of the priority-actions table as a chain Activity → Output → Outcome → Impact. A box worded as an
    existing box of its kind (ignoring case, macrons and spacing) joins that box, so a chain added again meets the
    boxes it shares instead of copying them. A row that adds nothing new is refused."""
    draft = _draft(user, plan)
    activity = _required(activity, "activity", "The activity")
    start = _same_box(draft, ElementKind.ACTIVITY, activity)
    if start is None:
        start = chain_element_add(user=user, plan=plan, kind=ElementKind.ACTIVITY, text=activity, owner=owner, timeframe=timeframe)
        added = True
    else:
        added = _owner_timeframe_join(start, owner=owner, timeframe=timeframe)

    chain = [start]
    for kind, text in ((ElementKind.OUTPUT, output), (ElementKind.OUTCOME, outcome), (ElementKind.IMPACT, impact)):
        text = nfc(text or "")
        if not text:
            continue
        box = _same_box(draft, kind, text)
        if box is None:
            box, added = chain_element_add(user=user, plan=plan, kind=kind, text=text), True
        chain.append(box)
    for source, target in zip(chain, chain[1:]):
        if target not in source.leads_to.all():
            _links_set(source, [*source.leads_to.all(), target])
            added = True
    if not added:
        raise ValidationError({"activity": f"The priority action “{start.text}” already runs {' → '.join(f'“{b.text}”' for b in chain)}: nothing was added."})
    return start


def _owner_timeframe_join(action: ChainElement, *, owner: str, timeframe: str) -> bool:
    """A row naming an existing priority action may fill in its owner and timeframe, never silently replace them."""
    changed = False
    for name, value in (("owner", nfc(owner or "")), ("timeframe", nfc(timeframe or ""))):
        current = getattr(action, name)
        if not value or value == current:
            continue
        if current:
            raise ValidationError(
                {name: f"The priority action “{action.text}” already has the {name} “{current}”; edit the box to change it. Nothing was added."}
            )
        setattr(action, name, value)
        changed = True
    if changed:
        action.save()
    return changed


# --- Step 4: the monitoring framework ------------------------------------------------------------------------------


def _monitoring_renumber(draft: PlanVersion) -> None:
    for order, row in enumerate(draft.monitoring.order_by("order"), start=1):
        if row.order != order:
            row.order = order
            row.save(update_fields=["order"])


def _row_values(
    draft: PlanVersion,
    *,
    outcome_key: str,
    indicator_code: str,
    indicator_name: str,
    baseline: str,
    data_source: str,
    responsible_agency: Agency | None,
    responsibility: str,
) -> dict:
    outcome = _element(draft, outcome_key)
    if outcome.kind != ElementKind.OUTCOME:
        raise ValidationError({"outcome": f"“{outcome.text}” is {outcome.get_kind_display().lower()}, not an outcome; monitoring rows belong to outcomes."})
    # The indicator is one of the Measures catalogue's, so the plan's box and Measures read the same series; the
    # group's own wording for it may be kept beside it, and is the catalogue's name when none is given.
    indicator_code = (indicator_code or "").strip()
    catalogue = measures_indicators_all()
    if indicator_code not in catalogue:
        asked = f"“{indicator_code}” is not one of its indicators" if indicator_code else "none was chosen"
        raise ValidationError(
            {"indicator_code": f"Choose the indicator from the Measures catalogue: {asked}. A new indicator is defined in Measures first, then chosen here."}
        )
    indicator_name = nfc(indicator_name or "") or catalogue[indicator_code]
    return {
        "outcome": outcome,
        "indicator_code": indicator_code,
        "indicator_name": indicator_name,
        "baseline": baseline or "",
        "data_source": data_source or "",
        "responsible_agency": responsible_agency,
        "responsibility": responsibility or "",
    }


@transaction.atomic
def monitoring_row_add(
    *,
    user,
    plan: DistrictPlan,
    outcome_key: str,
    indicator_code: str,
    indicator_name: str = "",
    baseline: str = "",
    data_source: str = "",
    responsible_agency: Agency | None = None,
    responsibility: str = "",
) -> MonitoringRow:
    """Say how an outcome is monitored: an indicator of the Measures catalogue (by its code; ``indicator_name`` is the
    group's own wording for it, the catalogue's name by default), baseline, data source and who is responsible."""
    draft = _draft(user, plan)
    values = _row_values(
        draft,
        outcome_key=outcome_key,
        indicator_code=indicator_code,
        indicator_name=indicator_name,
        baseline=baseline,
        data_source=data_source,
        responsible_agency=responsible_agency,
        responsibility=responsibility,
    )
    return MonitoringRow.objects.create(version=draft, order=_next_order(draft.monitoring.all()), **values)


@transaction.atomic
def monitoring_row_edit(
    *,
    user,
    plan: DistrictPlan,
    order: int,
    outcome_key: str,
    indicator_code: str,
    indicator_name: str = "",
    baseline: str = "",
    data_source: str = "",
    responsible_agency: Agency | None = None,
    responsibility: str = "",
) -> MonitoringRow:
    draft = _draft(user, plan)
    row = draft.monitoring.filter(order=order).first()
    if row is None:
        raise ValidationError({"order": f"There is no monitoring row {order}."})
    values = _row_values(
        draft,
        outcome_key=outcome_key,
        indicator_code=indicator_code,
        indicator_name=indicator_name,
        baseline=baseline,
        data_source=data_source,
        responsible_agency=responsible_agency,
        responsibility=responsibility,
    )
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


@transaction.atomic
def monitoring_row_remove(*, user, plan: DistrictPlan, order: int, seen: str | None = None) -> None:
    _lock(plan)
    draft = _draft(user, plan)
    row = draft.monitoring.filter(order=order).first()
    if row is None:
        raise ValidationError({"order": f"There is no monitoring row {order}."})
    _as_seen(row.indicator_name, seen, f"Monitoring row {order}")
    row.delete()
    _monitoring_renumber(draft)


# --- Lifecycle -----------------------------------------------------------------------------------------------------


def _lock(plan: DistrictPlan) -> None:
    DistrictPlan.objects.select_for_update().filter(pk=plan.pk).first()


_MOVE_REFUSED = {
    PlanMove.AGREE: "There is no draft to agree: the latest version is already agreed.",
    PlanMove.ACTIVATE: "Only an agreed version becomes active; agree the draft first.",
    PlanMove.REVIEW: "Only an active plan goes under review.",
    PlanMove.DRAFT: "The plan already has a draft: changes go to it.",
    PlanMove.DISCARD: "There is no later draft to discard.",
}


def _move_version(user, plan: DistrictPlan, move: PlanMove) -> PlanVersion:
    """The version a move applies to, once the role, the scope and the plan's state allow it (rules.py decides)."""
    if not user.has_perm(PLAN_MOVE_PERMISSION[move], plan):
        raise PermissionDenied("Only the programme office and the coordinators of this plan's district move it on.")
    _lock(plan)
    version = plan_move_version(plan, move)
    if version is None:
        raise ValidationError({"status": _MOVE_REFUSED[move]})
    return version


def _status_after(move: PlanMove) -> str:
    status = PLAN_VERSION_TRANSITIONS[move][1]
    assert status is not None, f"the move {move} makes or removes a draft; it does not change a version's status"
    return status


@transaction.atomic
def plan_agree(*, user, plan: DistrictPlan) -> PlanVersion:
    """Agree the draft: refused with every gap listed while any remain. The agreed version is frozen, and the
    version it replaces is superseded."""
    draft = _move_version(user, plan, PlanMove.AGREE)
    blocking = [gap for gap in version_gaps(draft) if gap.blocking]
    if blocking:
        raise PlanNotAgreeable(blocking)
    now = timezone.now()
    for previous in plan.versions.exclude(pk=draft.pk).exclude(status=PlanVersionStatus.SUPERSEDED):
        previous.status, previous.status_changed_at = PlanVersionStatus.SUPERSEDED, now
        previous.save(update_fields=["status", "status_changed_at"])
    draft.status, draft.agreed_by, draft.agreed_at, draft.status_changed_at = _status_after(PlanMove.AGREE), user, now, now
    draft.save()
    return draft


def _move(user, plan: DistrictPlan, move: PlanMove) -> PlanVersion:
    version = _move_version(user, plan, move)
    version.status, version.status_changed_at = _status_after(move), timezone.now()
    version.save(update_fields=["status", "status_changed_at"])
    return version


@transaction.atomic
def plan_activate(*, user, plan: DistrictPlan) -> PlanVersion:
    """The agreed version goes into effect."""
    return _move(user, plan, PlanMove.ACTIVATE)


@transaction.atomic
def plan_review_start(*, user, plan: DistrictPlan) -> PlanVersion:
    """Put the active version under review; changes made during the review go to a new draft."""
    return _move(user, plan, PlanMove.REVIEW)


@transaction.atomic
def plan_draft_discard(*, user, plan: DistrictPlan) -> None:
    """Throw away the draft of a plan that has an agreed version (the plan's first draft cannot be discarded)."""
    _move_version(user, plan, PlanMove.DISCARD).delete()


# Every move of a plan's life and the service that makes it: what pages and the API call by the move's name.
PLAN_MOVE_SERVICES = {
    PlanMove.AGREE: plan_agree,
    PlanMove.ACTIVATE: plan_activate,
    PlanMove.REVIEW: plan_review_start,
    PlanMove.DRAFT: plan_draft_open,
    PlanMove.DISCARD: plan_draft_discard,
}
