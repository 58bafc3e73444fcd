"""Every write in Tasking & Coordination: the shipped forums and methodology, receiving products, compiling and routing
reports, scoring and re-ranking, taskings and their updates, naming targets with deconfliction, meetings and minutes."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rocc.audit.services import person_access_record, shipped_content_load
from rocc.core.text import nfc
from rocc.org.models import NationalGroup, OrgUnit, UnitLevel
from rocc.tasking import risk
from rocc.tasking.models import (
    DIRECTION_FORUM_KINDS,
    DISTRICT_PRODUCT_KINDS,
    PRODUCT_KIND_GROUP,
    AlertBasis,
    DeconflictionAlert,
    DimensionRole,
    Forum,
    ForumKind,
    InsightsProduct,
    InsightsReport,
    Meeting,
    Minute,
    ProductKind,
    ReportStatus,
    RiskDimension,
    RiskMethodology,
    RiskScore,
    RoutingDecision,
    RoutingDirection,
    Target,
    TargetKind,
    Tasking,
    TaskingStatus,
    TaskingUpdate,
)
from rocc.tasking.rules import (
    report_may_become,
    tasking_owner_refusal,
    tasking_statuses_open,
)

DEFAULTS_FILE = "tasking.yaml"
DEFAULT_DECONFLICTION_METRES = 250.0
# The NZTM2000 rectangle that holds mainland New Zealand and its near islands, in metres.
NZTM_EASTING = (1_000_000.0, 2_200_000.0)
NZTM_NORTHING = (4_700_000.0, 6_250_000.0)


def deconfliction_metres() -> float:
    """How close two places must be to count as the same target (setting ROCC_DECONFLICTION_METRES, default 250 m)."""
    return float(getattr(settings, "ROCC_DECONFLICTION_METRES", DEFAULT_DECONFLICTION_METRES))


class RecordChanged(Exception):
    """A save based on a version of a report or tasking that someone has changed since."""

    def __init__(self, record, noun: str):
        who = record.changed_by.get_full_name() or record.changed_by.get_username() if record.changed_by else "someone"
        when = timezone.localtime(record.changed_at).strftime("%d %b %Y %H:%M") if record.changed_at else "an unknown time"
        self.record = record
        self.message = f"This {noun} changed since you opened it (by {who} at {when}); reload to see the changes."
        super().__init__(self.message)


def _require(user, perm: str, obj=None, message: str = "") -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message or "You may not do this here.")


def _text(value: str | None) -> str:
    return nfc(value or "")


# --- Shipped defaults ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskingDefaultsLoaded:
    forums: int
    methodologies: int
    dimensions: int


def _set_if_changed(obj, **values) -> None:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()


def district_forum(unit: OrgUnit) -> Forum:
    """The district's own T&C forum (made on first use for a district added after the defaults)."""
    if unit.level != UnitLevel.DISTRICT:
        raise ValidationError({"district": f"{unit.name} is not a district."})
    forum, _ = Forum.objects.get_or_create(
        code=f"{unit.code}-tc",
        defaults={"name": f"{unit.name} District T&C", "short_name": f"{unit.name} T&C", "kind": ForumKind.DISTRICT_TC,
                  "scope_unit": unit, "order": 100 + unit.order,
                  "description": f"{unit.name} District's own Tasking & Coordination: district-specific OCCC insights reports come here."},
    )
    return forum


@shipped_content_load
def tasking_defaults_load() -> TaskingDefaultsLoaded:
    """Create or update the shipped forums (and a district T&C per district), and the default risk methodology.

    Needs the organisation defaults loaded first. Loading again changes nothing already as shipped; a methodology
    version already present is never rewritten (later versions are the programme's own), and the shipped one becomes
    current only when no version is.
    """
    data = yaml.safe_load(resources.files("rocc.tasking.defaults").joinpath(DEFAULTS_FILE).read_text(encoding="utf-8"))
    national = OrgUnit.objects.get(level=UnitLevel.NATIONAL, parent__isnull=True)
    forums = 0
    for order, row in enumerate(data["forums"], start=1):
        values = {"name": row["name"], "short_name": row.get("short_name", ""), "kind": row["kind"], "scope_unit": national,
                  "description": " ".join(row.get("description", "").split()), "order": order}
        forum = Forum.objects.filter(code=row["code"]).first()
        if forum is None:
            Forum.objects.create(code=row["code"], **values)
        else:
            _set_if_changed(forum, **values)
        forums += 1
    for unit in OrgUnit.objects.filter(level=UnitLevel.DISTRICT):
        district_forum(unit)
        forums += 1

    shipped = data["methodology"]
    methodology = RiskMethodology.objects.filter(code=shipped["code"], version=shipped["version"]).first()
    if methodology is None:
        methodology = RiskMethodology.objects.create(
            code=shipped["code"], version=shipped["version"], name=shipped["name"],
            description=" ".join(shipped["description"].split()), modifier_floor=Decimal(str(shipped["modifier_floor"])),
            note=shipped.get("note", ""),
        )
        for order, row in enumerate(shipped["dimensions"], start=1):
            RiskDimension.objects.create(
                methodology=methodology, code=row["code"], name=row["name"], question=row["question"], role=row["role"],
                scale_min=min(v for v, _ in row["levels"]), scale_max=max(v for v, _ in row["levels"]),
                weight=Decimal(str(row["weight"])), levels=[{"value": v, "label": label} for v, label in row["levels"]], order=order,
            )
    if not RiskMethodology.objects.filter(is_current=True).exists():
        methodology.is_current = True
        methodology.published_at = methodology.published_at or timezone.now()
        methodology.save()
    return TaskingDefaultsLoaded(forums=forums, methodologies=RiskMethodology.objects.count(), dimensions=methodology.dimensions.count())


# --- Insights products ---------------------------------------------------------------------------------------------


def _visible_analyses(actor, analyses) -> list:
    analyses = list(analyses or [])
    hidden = [a for a in analyses if not actor.has_perm("analyses.view_saved_analysis", a)]
    if hidden:
        raise ValidationError({"saved_analyses": f"You cannot link saved analysis '{hidden[0].title}': it is outside your scope."})
    return analyses


def _visible_cases(actor, cases) -> list:
    from rocc.tasking.selectors import cases_visible

    cases = list(cases or [])
    allowed = set(cases_visible(user=actor).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True))
    hidden = [c for c in cases if c.pk not in allowed]
    if hidden:
        raise ValidationError({"cases": f"You cannot link case '{hidden[0].title}': it is outside your scope."})
    return cases


@transaction.atomic
def product_receive(
    *,
    actor,
    kind: str,
    title: str,
    summary: str,
    handling_caveat: str,
    product_date: dt.date | None,
    source_unit: OrgUnit | None = None,
    source_group: NationalGroup | None = None,
    owner=None,
    saved_analyses=(),
    cases=(),
) -> InsightsProduct:
    """Record a product provided to the OCCC. A district product names its district (or area); a NOCG, FCG or
    PLO network product comes from its national group, filled in when not given. Every problem is reported at once."""
    errors: dict[str, str] = {}
    if kind not in ProductKind.values:
        errors["kind"] = f"Unknown kind '{kind}'; choose one of: {', '.join(ProductKind.values)}."
    elif kind in DISTRICT_PRODUCT_KINDS:
        if source_unit is None or source_unit.level == UnitLevel.NATIONAL:
            errors["source_unit"] = "A district product names the district (or area) it comes from."
        source_group = None
    else:
        expected = NationalGroup.objects.filter(code=PRODUCT_KIND_GROUP[kind]).first()
        if source_group is not None and expected is not None and source_group.pk != expected.pk:
            errors["source_group"] = f"A {ProductKind(kind).label} comes from {expected.name}, not {source_group.name}."
        source_group = source_group or expected
        if source_group is None:
            errors["source_group"] = f"The national group for a {ProductKind(kind).label} is missing: load the defaults."
        source_unit = None
    for name, value in (("title", title), ("summary", summary), ("handling_caveat", handling_caveat)):
        if not _text(value):
            errors[name] = {"title": "Give the product a title.", "summary": "Summarise the product.",
                            "handling_caveat": "State the handling caveat (how the product may be handled and shared)."}[name]
    if product_date is None:
        errors["product_date"] = "Give the product's date."
    elif product_date > timezone.localdate():
        errors["product_date"] = "A product cannot be dated in the future."
    if errors:
        raise ValidationError(errors)
    product = InsightsProduct(
        kind=kind, title=title, summary=summary, handling_caveat=handling_caveat, product_date=product_date,
        source_unit=source_unit, source_group=source_group, owner=owner or actor, received_by=actor, received_at=timezone.now(),
    )
    _require(actor, "tasking.add_product", product, "You may record products only for your own district or national group.")
    analyses = _visible_analyses(actor, saved_analyses)
    linked_cases = _visible_cases(actor, cases)
    product.save()
    product.saved_analyses.set(analyses)
    product.cases.set(linked_cases)
    return product


# --- OCCC insights reports and routing --------------------------------------------------------------------------------


@transaction.atomic
def report_compile(*, actor, title: str, summary: str, products) -> InsightsReport:
    """Compile an OCCC insights report from products the compiler can see; it waits on the OCCC's agenda until routed."""
    from rocc.tasking.selectors import product_list

    _require(actor, "tasking.compile_report", None, "Only the OCCC (T&C members with national scope) and the programme office compile insights reports.")
    products = list(products or [])
    errors = {}
    if not _text(title):
        errors["title"] = "Give the report a title."
    if not _text(summary):
        errors["summary"] = "Summarise the report's insights."
    if not products:
        errors["products"] = "Compile the report from at least one insights product."
    elif product_list(user=actor).filter(pk__in=[p.pk for p in products]).count() != len({p.pk for p in products}):
        errors["products"] = "One of the products is outside your scope."
    if errors:
        raise ValidationError(errors)
    report = InsightsReport.objects.create(title=title, summary=summary, compiled_by=actor, compiled_at=timezone.now())
    report.products.set(products)
    return report


def _lock_report(report: InsightsReport, version: int) -> InsightsReport:
    current = InsightsReport.objects.select_for_update(of=("self",)).select_related("changed_by", "current_forum__scope_unit").get(pk=report.pk)
    if current.version != version:
        raise RecordChanged(current, "report")
    return current


def _bump(record, actor) -> None:
    record.version += 1
    record.changed_by = actor
    record.changed_at = timezone.now()


@transaction.atomic
def report_route(
    *,
    actor,
    report: InsightsReport,
    version: int,
    direction: str,
    rationale: str,
    district: OrgUnit | None = None,
    to_forum: Forum | None = None,
    meeting: Meeting | None = None,
) -> RoutingDecision:
    """Route a report in one of the three directions, with the rationale, recording who decided and when:

    - district specific: back to a named district (its district T&C);
    - national or regional issue: to Pre T&C, and from Pre T&C on to Strategic T&C;
    - multi-agency response: to the ROCC or the TNOC DCE group.

    Decided at a meeting, the decision is also minuted there. A stale ``version`` is refused with RecordChanged.
    """
    _require(actor, "tasking.route_report", report, "Only the OCCC, or those attending the forum the report now sits at, route it.")
    current = _lock_report(report, version)
    errors: dict[str, str] = {}
    if not report_may_become(current, ReportStatus.ROUTED):
        raise ValidationError({"report": "This report is closed; it is not routed again."})
    if not _text(rationale):
        errors["rationale"] = "Give the rationale for this routing: it is required."
    forum = None
    if direction not in RoutingDirection.values:
        errors["direction"] = "Choose a direction: district specific, national or regional issue, or multi-agency response."
    elif direction == RoutingDirection.DISTRICT:
        if district is None:
            errors["district"] = "Name the district the report goes back to."
        elif district.level != UnitLevel.DISTRICT:
            errors["district"] = f"{district.name} is not a district: name one of the 12 districts."
        else:
            forum = district_forum(district)
    elif direction == RoutingDirection.NATIONAL:
        forum = to_forum or Forum.objects.filter(kind=ForumKind.PRE_TC).first()
        if forum is None or forum.kind not in DIRECTION_FORUM_KINDS[direction]:
            errors["to_forum"] = "A national or regional issue goes to Pre T&C, then on to Strategic T&C."
        elif forum.kind == ForumKind.STRATEGIC_TC and (current.current_forum is None or current.current_forum.kind != ForumKind.PRE_TC):
            errors["to_forum"] = "A report goes on to Strategic T&C from Pre T&C: route it to Pre T&C first."
    else:
        forum = to_forum
        if forum is None or forum.kind not in DIRECTION_FORUM_KINDS[direction]:
            errors["to_forum"] = "A multi-agency response goes to the ROCC DCE group or the TNOC DCE group: choose one."
    if forum is not None and current.current_forum_id == forum.pk and "to_forum" not in errors:
        errors["to_forum"] = f"The report is already at {forum}."
    if meeting is not None and not actor.has_perm("tasking.minute_meeting", meeting):
        errors["meeting"] = "You cannot record decisions for that meeting."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    decision = RoutingDecision.objects.create(
        report=current, direction=direction, from_forum=current.current_forum, to_forum=forum, rationale=rationale,
        decided_by=actor, decided_at=now, meeting=meeting,
    )
    current.current_forum = forum
    current.status = ReportStatus.ROUTED
    _bump(current, actor)
    current.save()
    if meeting is not None:
        Minute.objects.create(meeting=meeting, decision=f"Routed {current.reference} to {forum.name} ({RoutingDirection(direction).label}). {nfc(rationale)}",
                              report=current, recorded_by=actor, recorded_at=now)
    report.refresh_from_db()
    return decision


@transaction.atomic
def report_close(*, actor, report: InsightsReport, version: int, reason: str, meeting: Meeting | None = None) -> InsightsReport:
    """Close a routed report that needs nothing more, with the reason (minuted when closed at a meeting). A closed
    report is not routed again; its taskings carry on."""
    _require(actor, "tasking.route_report", report, "Only those who may route this report close it.")
    current = _lock_report(report, version)
    if not _text(reason):
        raise ValidationError({"reason": "Say why the report is closed."})
    if not report_may_become(current, ReportStatus.CLOSED):
        raise ValidationError({"report": "Only a routed report is closed: a new report needs a routing decision first."
                               if current.status == ReportStatus.NEW else "This report is already closed."})
    if meeting is not None and not actor.has_perm("tasking.minute_meeting", meeting):
        raise ValidationError({"meeting": "You cannot record decisions for that meeting."})
    now = timezone.now()
    current.status = ReportStatus.CLOSED
    current.closed_reason, current.closed_by, current.closed_at = reason, actor, now
    _bump(current, actor)
    current.save()
    if meeting is not None:
        Minute.objects.create(meeting=meeting, decision=f"Closed {current.reference}. {nfc(reason)}", report=current,
                              recorded_by=actor, recorded_at=now)
    report.refresh_from_db()
    return current


# --- Risk prioritisation --------------------------------------------------------------------------------------------


def _dimensions(methodology: RiskMethodology) -> list[risk.Dimension]:
    return [
        risk.Dimension(code=d.code, name=d.name, role=d.role, scale_min=d.scale_min, scale_max=d.scale_max, weight=float(d.weight))
        for d in methodology.dimensions.all()
    ]


def _ratings_error(invalid: risk.RatingsInvalid) -> ValidationError:
    return ValidationError({f"ratings.{code}": text for code, text in invalid.problems.items()})


@transaction.atomic
def risk_score_record(*, actor, subject, ratings: dict, rationale: str = "") -> RiskScore:
    """Score a report, case or target under the current methodology. Every dimension must be rated within its scale;
    otherwise nothing is saved and the error names each dimension and its scale. The subject's previous score stays
    in its history."""
    from rocc.problems.models import Case

    _require(actor, "tasking.score", subject, "You may score only what comes to your T&C meetings.")
    methodology = RiskMethodology.objects.select_for_update().filter(is_current=True).first()
    if methodology is None:
        raise ValidationError({"methodology": "There is no current risk methodology: load the defaults or publish one."})
    dimensions = _dimensions(methodology)
    try:
        clean = risk.ratings_check(dimensions, ratings or {})
    except risk.RatingsInvalid as invalid:
        raise _ratings_error(invalid) from None
    score = risk.risk_score(dimensions, clean, modifier_floor=float(methodology.modifier_floor))
    field = {InsightsReport: "report", Case: "case", Target: "target"}.get(type(subject))
    if field is None:
        raise ValidationError({"subject": "Only reports, cases and targets are scored."})
    RiskScore.objects.filter(**{field: subject}, is_current=True).update(is_current=False)
    return RiskScore.objects.create(
        methodology=methodology, ratings=clean, score=score, rationale=_text(rationale), scored_by=actor,
        scored_at=timezone.now(), **{field: subject},
    )


def _dimension_rows_check(rows: list[dict]) -> list[dict]:
    """Check the dimensions of a new methodology version; every problem is named with the dimension it is in."""
    errors: dict[str, str] = {}
    clean, seen = [], set()
    for index, row in enumerate(rows, start=1):
        where = f"dimensions[{index}]"
        code = (row.get("code") or "").strip()
        name = _text(row.get("name"))
        if not code or not name:
            errors[where] = "Each dimension needs a code and a name."
            continue
        where = f"dimensions.{code}"
        if code in seen:
            errors[where] = f"'{code}' appears twice."
            continue
        seen.add(code)
        if row.get("role") not in DimensionRole.values:
            errors[where] = f"{name}: role must be one of {', '.join(DimensionRole.values)}."
            continue
        try:
            weight = Decimal(str(row.get("weight")))
        except (InvalidOperation, ValueError):
            errors[where] = f"{name}: the weight must be a number."
            continue
        if not weight.is_finite() or weight < 0 or weight > 100:
            errors[where] = f"{name}: the weight must be from 0 to 100."
            continue
        levels = row.get("levels") or []
        try:
            values = sorted(int(level["value"]) for level in levels)
        except (KeyError, TypeError, ValueError):
            errors[where] = f"{name}: each level needs a whole-number value and a label."
            continue
        if len(values) < 2 or values != list(range(values[0], values[-1] + 1)) or not all(_text(level.get("label")) for level in levels):
            errors[where] = f"{name}: the scale needs at least two levels, one labelled level for every whole number from bottom to top."
            continue
        clean.append({
            "code": code, "name": name, "question": _text(row.get("question")) or name, "role": row["role"], "weight": weight,
            "scale_min": values[0], "scale_max": values[-1],
            "levels": sorted(({"value": int(level["value"]), "label": _text(level["label"])} for level in levels), key=lambda level: level["value"]),
        })
    if not errors and not any(row["role"] == DimensionRole.HARM and row["weight"] > 0 for row in clean):
        errors["dimensions"] = "A methodology needs at least one harm dimension with a weight above 0."
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def methodology_version_create(
    *,
    actor,
    base: RiskMethodology,
    note: str,
    dimensions: list[dict] | None = None,
    name: str | None = None,
    description: str | None = None,
    modifier_floor=None,
) -> RiskMethodology:
    """A new draft version of a methodology: the base's dimensions (or those given), with a note of what changed.
    It changes no score until it is published."""
    _require(actor, "tasking.change_methodology", None, "Only the programme office changes the risk methodology.")
    if not _text(note):
        raise ValidationError({"note": "Say what changes in this version."})
    rows = dimensions if dimensions is not None else [
        {"code": d.code, "name": d.name, "question": d.question, "role": d.role, "weight": d.weight, "levels": d.levels}
        for d in base.dimensions.all()
    ]
    clean = _dimension_rows_check(rows)
    try:
        floor = Decimal(str(base.modifier_floor if modifier_floor is None else modifier_floor))
    except InvalidOperation:
        raise ValidationError({"modifier_floor": "The floor must be a number from 0 to 1."}) from None
    if not (0 <= floor <= 1):
        raise ValidationError({"modifier_floor": "The floor must be from 0 to 1."})
    latest = RiskMethodology.objects.filter(code=base.code).order_by("-version").first()
    methodology = RiskMethodology.objects.create(
        code=base.code, version=latest.version + 1, name=_text(name) or base.name,
        description=_text(description) if description is not None else base.description, modifier_floor=floor,
        note=_text(note), created_by=actor,
    )
    for order, row in enumerate(clean, start=1):
        RiskDimension.objects.create(methodology=methodology, order=order, **row)
    return methodology


@dataclass(frozen=True)
class Reranked:
    methodology: RiskMethodology
    rescored: int
    needs_rescoring: int


@transaction.atomic
def methodology_publish(*, actor, methodology: RiskMethodology) -> Reranked:
    """Make a version current and re-rank: every current score is re-applied under it from the same ratings and kept
    beside the old score (which stays, with its version, in the history). A score whose ratings do not fit the new
    version (a new dimension, or a changed scale) keeps its old version and is listed as needing re-scoring."""
    _require(actor, "tasking.change_methodology", None, "Only the programme office changes the risk methodology.")
    if methodology.is_current:
        raise ValidationError({"methodology": f"{methodology} is already current."})
    RiskMethodology.objects.select_for_update().filter(is_current=True).update(is_current=False)
    methodology.is_current = True
    methodology.published_at = timezone.now()
    methodology.save()
    dimensions = _dimensions(methodology)
    floor = float(methodology.modifier_floor)
    rescored = needs = 0
    now = timezone.now()
    for old in RiskScore.objects.select_for_update().filter(is_current=True).exclude(methodology=methodology):
        try:
            value = risk.risk_score(dimensions, {d.code: old.ratings.get(d.code) for d in dimensions}, modifier_floor=floor)
        except risk.RatingsInvalid:
            needs += 1
            continue
        old.is_current = False
        old.save(update_fields=["is_current"])
        RiskScore.objects.create(
            methodology=methodology, report_id=old.report_id, case_id=old.case_id, target_id=old.target_id,
            ratings={d.code: int(old.ratings[d.code]) for d in dimensions}, score=value, rationale=old.rationale,
            rescored_from=old, scored_by=old.scored_by, scored_at=now,
        )
        rescored += 1
    return Reranked(methodology=methodology, rescored=rescored, needs_rescoring=needs)


def methodology_file_rows(text: str, *, source: str) -> list[dict]:
    """The dimensions of a methodology YAML file (the shape of the shipped default); a located error when unreadable."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ValidationError({"file": f"{where}: not valid YAML ({getattr(error, 'problem', error)})."}) from None
    if isinstance(data, dict) and "methodology" in data:
        data = data["methodology"]
    if not isinstance(data, dict) or not isinstance(data.get("dimensions"), list):
        raise ValidationError({"file": f"{source}: expected a mapping with a 'dimensions' list."})
    rows = []
    for row in data["dimensions"]:
        if not isinstance(row, dict):
            raise ValidationError({"file": f"{source}: each dimension is a mapping (code, name, role, weight, levels)."})
        levels = row.get("levels") or []
        row = dict(row, levels=[{"value": lv[0], "label": lv[1]} if isinstance(lv, list) and len(lv) == 2 else lv for lv in levels])
        rows.append(row)
    return rows


# --- Taskings --------------------------------------------------------------------------------------------------------


@transaction.atomic
def tasking_create(
    *,
    actor,
    title: str,
    description: str,
    owner,
    due_date: dt.date | None,
    tasked_unit: OrgUnit | None = None,
    tasked_group: NationalGroup | None = None,
    report: InsightsReport | None = None,
    forum: Forum | None = None,
    meeting: Meeting | None = None,
) -> Tasking:
    """Task a district (or area) or a national group. An owner and a due date are required; the owner must work in
    what is tasked. The forum tasking it is the meeting's, else the one given, else where the report sits."""
    errors: dict[str, str] = {}
    if not _text(title):
        errors["title"] = "Give the tasking a title."
    if not _text(description):
        errors["description"] = "Say what is asked."
    if owner is None:
        errors["owner"] = "Name the owner: a tasking without an owner is refused."
    if due_date is None:
        errors["due_date"] = "Give the due date: a tasking without one is refused."
    elif due_date < timezone.localdate():
        errors["due_date"] = "The due date is in the past."
    if (tasked_unit is None) == (tasked_group is None):
        errors["tasked_to"] = "Task either a district (or area) or a national group: exactly one."
    elif tasked_unit is not None and tasked_unit.level == UnitLevel.NATIONAL:
        errors["tasked_to"] = "Task a district or area, or a national group, not the whole country."
    if owner is not None and "tasked_to" not in errors and (
        problem := tasking_owner_refusal(owner, tasked_unit=tasked_unit, tasked_group=tasked_group)
    ):
        errors["owner"] = problem
    if report is not None and not actor.has_perm("tasking.view_report", report):
        errors["report"] = "That report is outside your scope."
    forum = meeting.forum if meeting is not None else forum or (report.current_forum if report is not None else None)
    if errors:
        raise ValidationError(errors)
    tasking = Tasking(
        title=title, description=description, owner=owner, due_date=due_date, tasked_unit=tasked_unit, tasked_group=tasked_group,
        report=report, forum=forum, meeting=meeting, created_by=actor, created_at=timezone.now(),
    )
    _require(actor, "tasking.add_tasking", tasking, "Only the forum's T&C members (or the OCCC) set taskings.")
    tasking.save()
    TaskingUpdate.objects.create(tasking=tasking, author=actor, recorded_at=tasking.created_at, status=tasking.status,
                                 note=f"Tasked to {tasking.tasked_to}, owner {owner.get_full_name() or owner.get_username()}, due {due_date:%d %b %Y}.")
    if meeting is not None:
        Minute.objects.create(meeting=meeting, decision=f"Tasked {tasking.tasked_to}: {tasking.title} (owner {owner.get_username()}, due {due_date:%d %b %Y}).",
                              tasking=tasking, report=report, recorded_by=actor, recorded_at=tasking.created_at)
    return tasking


@transaction.atomic
def tasking_update(*, actor, tasking: Tasking, version: int, status: str, note: str, result: str = "") -> TaskingUpdate:
    """Record progress on a tasking and set its status. Completing it needs the result; a completed or cancelled
    tasking is not changed. A stale ``version`` is refused with RecordChanged."""
    _require(actor, "tasking.update_tasking", tasking, "Only the tasking's owner or its forum's T&C members update it.")
    current = Tasking.objects.select_for_update(of=("self",)).select_related("changed_by").get(pk=tasking.pk)
    if current.version != version:
        raise RecordChanged(current, "tasking")
    errors: dict[str, str] = {}
    onward = tasking_statuses_open(current)
    if not onward:
        raise ValidationError({"status": f"This tasking is {current.get_status_display().lower()}; it is not changed any more."})
    if status not in TaskingStatus.values:
        errors["status"] = f"Unknown status '{status}'; choose one of: {', '.join(onward)}."
    elif status not in onward:
        errors["status"] = (f"A tasking that is {current.get_status_display().lower()} cannot become "
                            f"{TaskingStatus(status).label.lower()}; choose one of: {', '.join(onward)}.")
    if not _text(note):
        errors["note"] = "Say what happened: the note is required."
    if status == TaskingStatus.COMPLETED and not _text(result):
        errors["result"] = "Record the result: a tasking is completed with its result."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    update = TaskingUpdate.objects.create(tasking=current, author=actor, recorded_at=now, status=status, note=note)
    current.status = status
    if _text(result):
        current.result = result
    if status == TaskingStatus.COMPLETED:
        current.completed_at = now
    _bump(current, actor)
    current.save()
    tasking.refresh_from_db()
    return update


# --- Targets and deconfliction -------------------------------------------------------------------------------------


def subject_field(subject) -> str:
    from rocc.problems.models import Case

    field = {InsightsProduct: "product", Tasking: "tasking", Case: "case"}.get(type(subject))
    if field is None:
        raise ValidationError({"subject": "Targets are named on insights products, taskings and problem-solving cases."})
    return field


@transaction.atomic
def target_name(
    *,
    actor,
    subject,
    kind: str,
    identifier: str = "",
    purpose: str = "",
    group_name: str = "",
    x: float | None = None,
    y: float | None = None,
    place_label: str = "",
    distance_m: float | None = None,
) -> tuple[Target, list[DeconflictionAlert]]:
    """Name a target on a product, tasking or case, and alert both owners of any other record, owned by someone else,
    that names the same person, the same group (with or without macrons), or a place within ``distance_m``.

    A person is given by an identifier that is pseudonymised at once (only the key is stored); naming one is a use of
    person-level data, so it needs a purpose and is recorded in the audit trail."""
    field = subject_field(subject)
    _require(actor, "tasking.name_target", subject, "Only whoever may change this record names its targets.")
    values: dict = {"kind": kind, field: subject, "added_by": actor, "added_at": timezone.now()}
    if kind == TargetKind.PERSON:
        if not (identifier or "").strip():
            raise ValidationError({"identifier": "Give the person's identifier (it is pseudonymised; it is not stored)."})
        from rocc.events.pseudonym import person_key

        values["person_key"] = person_key(identifier)
    elif kind == TargetKind.GROUP:
        if not _text(group_name):
            raise ValidationError({"group_name": "Give the group's name."})
        values["group_name"] = group_name
    elif kind == TargetKind.PLACE:
        if x is None or y is None or not all(map(math.isfinite, (x, y))):
            raise ValidationError({"x": "Give the place as NZTM2000 easting (x) and northing (y) in metres."})
        if not (NZTM_EASTING[0] <= x <= NZTM_EASTING[1] and NZTM_NORTHING[0] <= y <= NZTM_NORTHING[1]):
            raise ValidationError({"x": f"({x:.0f}, {y:.0f}) is outside New Zealand in NZTM2000 metres (easting {NZTM_EASTING[0]:,.0f}–{NZTM_EASTING[1]:,.0f}, northing {NZTM_NORTHING[0]:,.0f}–{NZTM_NORTHING[1]:,.0f})."})
        values.update(x=float(x), y=float(y), place_label=place_label)
    else:
        raise ValidationError({"kind": f"Unknown kind '{kind}'; choose one of: {', '.join(TargetKind.values)}."})
    target = Target.objects.create(**values)
    if kind == TargetKind.PERSON:
        person_access_record(user=actor, subject_type="tasking.target", subject_id=str(target.pk), purpose=purpose,
                             what=f"named a pseudonymised person as a target of {type(subject).__name__} {subject.pk}")
    return target, deconflict(target, distance_m=distance_m)


def _matches(target: Target, distance_m: float) -> list[tuple[Target, str, float | None]]:
    others = Target.objects.exclude(pk=target.pk).select_related("product", "tasking", "case")
    if target.kind == TargetKind.PERSON:
        return [(o, AlertBasis.PERSON, None) for o in others.filter(kind=TargetKind.PERSON, person_key=target.person_key)]
    if target.kind == TargetKind.GROUP:
        return [(o, AlertBasis.GROUP, None) for o in others.filter(kind=TargetKind.GROUP, group_folded=target.group_folded)]
    box = others.filter(kind=TargetKind.PLACE, x__gte=target.x - distance_m, x__lte=target.x + distance_m,
                        y__gte=target.y - distance_m, y__lte=target.y + distance_m)
    found = []
    for other in box:
        gap = math.hypot(other.x - target.x, other.y - target.y)
        if gap <= distance_m:
            found.append((other, AlertBasis.PLACE, round(gap, 1)))
    return found


def deconflict(target: Target, *, distance_m: float | None = None) -> list[DeconflictionAlert]:
    """Alerts between this target and every other naming the same target on a record owned by someone else
    (one alert per pair, made once)."""
    distance_m = deconfliction_metres() if distance_m is None else float(distance_m)
    owner = target.subject_owner_id
    alerts = []
    for other, basis, gap in _matches(target, distance_m):
        other_owner = other.subject_owner_id
        if other_owner == owner:
            continue
        first, second = (target, other) if target.pk < other.pk else (other, target)
        alert, created = DeconflictionAlert.objects.get_or_create(
            target_a=first, target_b=second,
            defaults={"basis": basis, "distance_m": gap, "owner_a_id": first.subject_owner_id,
                      "owner_b_id": second.subject_owner_id, "created_at": timezone.now()},
        )
        if created:
            alerts.append(alert)
    return alerts


@transaction.atomic
def alert_acknowledge(*, actor, alert: DeconflictionAlert) -> DeconflictionAlert:
    """The actor acknowledges their side of an alert; it closes when both owners have."""
    _require(actor, "tasking.acknowledge_alert", alert, "Only the two owners acknowledge an alert.")
    current = DeconflictionAlert.objects.select_for_update().get(pk=alert.pk)
    now = timezone.now()
    if actor.pk == current.owner_a_id and current.acknowledged_a_at is None:
        current.acknowledged_a_at = now
    elif actor.pk == current.owner_b_id and current.acknowledged_b_at is None:
        current.acknowledged_b_at = now
    else:
        raise ValidationError({"alert": "You have already acknowledged this alert."})
    current.save()
    alert.refresh_from_db()
    return current


# --- Meetings and minutes --------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, actor, forum: Forum, held_on: dt.date | None, title: str = "") -> Meeting:
    _require(actor, "tasking.add_meeting", forum, "Only the forum's T&C members convene its meetings.")
    if held_on is None:
        raise ValidationError({"held_on": "Give the meeting's date."})
    return Meeting.objects.create(forum=forum, held_on=held_on, title=_text(title), created_by=actor, created_at=timezone.now())


@transaction.atomic
def minute_record(
    *,
    actor,
    meeting: Meeting,
    decision: str,
    report: InsightsReport | None = None,
    tasking: Tasking | None = None,
    product: InsightsProduct | None = None,
    alert: DeconflictionAlert | None = None,
    case=None,
) -> Minute:
    """Record a decision of a meeting, linked to what it decided (each linked record must be visible to the recorder)."""
    _require(actor, "tasking.minute_meeting", meeting, "Only the forum's T&C members record its decisions.")
    errors = {}
    if not _text(decision):
        errors["decision"] = "Write the decision."
    checks = (("report", report, "tasking.view_report"), ("tasking", tasking, "tasking.view_tasking_record"),
              ("product", product, "tasking.view_product"))
    for name, record, perm in checks:
        if record is not None and not actor.has_perm(perm, record):
            errors[name] = f"That {name} is outside your scope."
    if alert is not None:
        from rocc.tasking.selectors import meeting_agenda

        if alert not in meeting_agenda(user=actor, meeting=meeting).alerts and not actor.has_perm("tasking.acknowledge_alert", alert):
            errors["alert"] = "That alert is not on this meeting's agenda."
    if case is not None and not actor.has_perm("tasking.score", case):
        errors["case"] = "That case is outside your scope."
    if errors:
        raise ValidationError(errors)
    return Minute.objects.create(meeting=meeting, decision=decision, report=report, tasking=tasking, product=product,
                                 alert=alert, case=case, recorded_by=actor, recorded_at=timezone.now())


@transaction.atomic
def meeting_mark_held(*, actor, meeting: Meeting) -> Meeting:
    _require(actor, "tasking.minute_meeting", meeting, "Only the forum's T&C members record its meetings.")
    meeting.status = "held"
    meeting.save(update_fields=["status"])
    return meeting

