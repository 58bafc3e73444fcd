"""Writes of risk prioritisation: scoring a report, case or target under the current methodology, and new versions of
the methodology that re-rank every score when published (the arithmetic is ``rocc.tasking.scoring``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rocc.core import limits
from rocc.problems.models import Case
from rocc.tasking import scoring
from rocc.tasking.models import DimensionRole, InsightsReport, RiskDimension, RiskMethodology, RiskScore, Target
from rocc.tasking.services.common import clean_text, require


def _dimensions(methodology: RiskMethodology) -> list[scoring.Dimension]:
    return [
        scoring.Dimension(code=d.code, name=d.name, role=d.role, scale_min=d.scale_min, scale_max=d.scale_max, weight=float(d.weight))
        for d in methodology.dimensions.all()
    ]


def _ratings_error(invalid: scoring.RatingsInvalid) -> ValidationError:
    return ValidationError({f"ratings.{code}": text for code, text in invalid.problems.items()})


@transaction.atomic
def risk_score_record(*, actor, subject, ratings: dict, rationale: str = "") -> RiskScore:
    """Score a report, case or target under the current methodology. Every dimension must be rated within its scale;
    otherwise nothing is saved and the error names each dimension and its scale. The subject's previous score stays
    in its history."""
    require(actor, "tasking.score", subject, "You may score only what comes to your T&C meetings.")
    methodology = RiskMethodology.objects.select_for_update().filter(is_current=True).first()
    if methodology is None:
        raise ValidationError({"methodology": "There is no current risk methodology: load the defaults or publish one."})
    dimensions = _dimensions(methodology)
    try:
        clean = scoring.ratings_check(dimensions, ratings or {})
    except scoring.RatingsInvalid as invalid:
        raise _ratings_error(invalid) from None
    score = scoring.risk_score(dimensions, clean, modifier_floor=float(methodology.modifier_floor))
    field = {InsightsReport: "report", Case: "case", Target: "target"}.get(type(subject))
    if field is None:
        raise ValidationError({"subject": "Only reports, cases and targets are scored."})
    RiskScore.objects.filter(**{field: subject}, is_current=True).update(is_current=False)
    return RiskScore.objects.create(
        methodology=methodology,
        ratings=clean,
        score=score,
        rationale=clean_text(rationale),
        scored_by=actor,
        scored_at=timezone.now(),
        **{field: subject},
    )


def _dimension_rows_check(rows: list[dict]) -> list[dict]:
    """Check the dimensions of a new methodology version; every problem is named with the dimension it is in."""
    errors: dict[str, str] = {}
    clean, seen = [], set()
    for index, row in enumerate(rows, start=1):
        where = f"dimensions[{index}]"
        code = (row.get("code") or "").strip()
        name = clean_text(row.get("name"))
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
        if len(values) < 2 or values != list(range(values[0], values[-1] + 1)) or not all(clean_text(level.get("label")) for level in levels):
            errors[where] = f"{name}: the scale needs at least two levels, one labelled level for every whole number from bottom to top."
            continue
        scale = sorted(((int(level["value"]), clean_text(level["label"])) for level in levels), key=lambda pair: pair[0])
        clean.append(
            {
                "code": code,
                "name": name,
                "question": clean_text(row.get("question")) or name,
                "role": row["role"],
                "weight": weight,
                "scale_min": values[0],
                "scale_max": values[-1],
                "levels": [{"value": value, "label": label} for value, label in scale],
            }
        )
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
    require(actor, "tasking.change_methodology", None, "Only the programme office changes the risk methodology.")
    if not clean_text(note):
        raise ValidationError({"note": "Say what changes in this version."})
    rows = (
        dimensions
        if dimensions is not None
        else [{"code": d.code, "name": d.name, "question": d.question, "role": d.role, "weight": d.weight, "levels": d.levels} for d in base.dimensions.all()]
    )
    clean = _dimension_rows_check(rows)
    try:
        floor = Decimal(str(base.modifier_floor if modifier_floor is None else modifier_floor))
    except InvalidOperation:
        raise ValidationError({"modifier_floor": "The floor must be a number from 0 to 1."}) from None
    if not (0 <= floor <= 1):
        raise ValidationError({"modifier_floor": "The floor must be from 0 to 1."})
    latest = RiskMethodology.objects.filter(code=base.code).order_by("-version").first()
    assert latest is not None  # the base itself is a version of this code
    methodology = RiskMethodology.objects.create(
        code=base.code,
        version=latest.version + 1,
        name=clean_text(name) or base.name,
        description=clean_text(description) if description is not None else base.description,
        modifier_floor=floor,
        note=clean_text(note),
        created_by=actor,
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
    require(actor, "tasking.change_methodology", None, "Only the programme office changes the risk methodology.")
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
            value = scoring.risk_score(dimensions, {d.code: old.ratings.get(d.code) for d in dimensions}, modifier_floor=floor)
        except scoring.RatingsInvalid:
            needs += 1
            continue
        old.is_current = False
        old.save(update_fields=["is_current"])
        RiskScore.objects.create(
            methodology=methodology,
            report_id=old.report_id,
            case_id=old.case_id,
            target_id=old.target_id,
            ratings={d.code: int(old.ratings[d.code]) for d in dimensions},
            score=value,
            rationale=old.rationale,
            rescored_from=old,
            scored_by=old.scored_by,
            scored_at=now,
        )
        rescored += 1
    return Reranked(methodology=methodology, rescored=rescored, needs_rescoring=needs)


def methodology_file_rows(text: str, *, source: str) -> list[dict]:
    """The dimensions of a methodology YAML file (the shape of the shipped default); a located error when unreadable."""
    try:
        data = limits.yaml_load(text)  # within the alias, depth and size limits
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
