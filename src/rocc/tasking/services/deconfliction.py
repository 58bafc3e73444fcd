"""Writes of targets and deconfliction: naming a person, group or place as a target of a product, tasking or case,
alerting both owners when another owner's record names the same target, and acknowledging those alerts."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rocc.audit.services import person_access_record
from rocc.events.pseudonym import person_key
from rocc.inbox import hooks as notifications
from rocc.problems.models import Case
from rocc.tasking.models import AlertBasis, DeconflictionAlert, InsightsProduct, Target, TargetKind, Tasking
from rocc.tasking.services.common import clean_text, require

DEFAULT_DECONFLICTION_METRES = 250.0
# The NZTM2000 rectangle that holds mainland New Zealand and its near islands, in metres.
NZTM_EASTING = (1_000_000.0, 2_200_000.0)
NZTM_NORTHING = (4_700_000.0, 6_250_000.0)


def deconfliction_metres() -> float:
    """How close two places must be to count as the same target (setting ROCC_DECONFLICTION_METRES, default 250 m)."""
    return float(getattr(settings, "ROCC_DECONFLICTION_METRES", DEFAULT_DECONFLICTION_METRES))


def subject_field(subject) -> str:
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
    require(actor, "tasking.name_target", subject, "Only whoever may change this record names its targets.")
    values: dict = {"kind": kind, field: subject, "added_by": actor, "added_at": timezone.now()}
    if kind == TargetKind.PERSON:
        if not (identifier or "").strip():
            raise ValidationError({"identifier": "Give the person's identifier (it is pseudonymised; it is not stored)."})
        values["person_key"] = person_key(identifier)
    elif kind == TargetKind.GROUP:
        if not clean_text(group_name):
            raise ValidationError({"group_name": "Give the group's name."})
        values["group_name"] = group_name
    elif kind == TargetKind.PLACE:
        if x is None or y is None or not all(map(math.isfinite, (x, y))):
            raise ValidationError({"x": "Give the place as NZTM2000 easting (x) and northing (y) in metres."})
        if not (NZTM_EASTING[0] <= x <= NZTM_EASTING[1] and NZTM_NORTHING[0] <= y <= NZTM_NORTHING[1]):
            raise ValidationError(
                {
                    "x": f"({x:.0f}, {y:.0f}) is outside New Zealand in NZTM2000 metres (easting {NZTM_EASTING[0]:,.0f}–{NZTM_EASTING[1]:,.0f}, northing {NZTM_NORTHING[0]:,.0f}–{NZTM_NORTHING[1]:,.0f})."
                }
            )
        values.update(x=float(x), y=float(y), place_label=place_label)
    else:
        raise ValidationError({"kind": f"Unknown kind '{kind}'; choose one of: {', '.join(TargetKind.values)}."})
    target = Target.objects.create(**values)
    if kind == TargetKind.PERSON:
        person_access_record(
            user=actor,
            subject_type="tasking.target",
            subject_id=str(target.pk),
            purpose=purpose,
            what=f"named a pseudonymised person as a target of {type(subject).__name__} {subject.pk}",
        )
    return target, deconflict(target, distance_m=distance_m)


def _matches(target: Target, distance_m: float) -> list[tuple[Target, AlertBasis, float | None]]:
    others = Target.objects.exclude(pk=target.pk).select_related("product", "tasking", "case")
    if target.kind == TargetKind.PERSON:
        return [(o, AlertBasis.PERSON, None) for o in others.filter(kind=TargetKind.PERSON, person_key=target.person_key)]
    if target.kind == TargetKind.GROUP:
        return [(o, AlertBasis.GROUP, None) for o in others.filter(kind=TargetKind.GROUP, group_folded=target.group_folded)]
    # The target_complete_for_kind constraint gives every place both coordinates.
    assert target.x is not None and target.y is not None
    box = others.filter(
        kind=TargetKind.PLACE, x__gte=target.x - distance_m, x__lte=target.x + distance_m, y__gte=target.y - distance_m, y__lte=target.y + distance_m
    )
    found: list[tuple[Target, AlertBasis, float | None]] = []
    for other in box:
        assert other.x is not None and other.y is not None
        gap = math.hypot(other.x - target.x, other.y - target.y)
        if gap <= distance_m:
            found.append((other, AlertBasis.PLACE, round(gap, 1)))
    return found


def _carried_alike(one: Target, other: Target) -> bool:
    """Whether one target was carried from the other (or both from the same one): a case inheriting a product's
    target is the same work handed on, not two owners working the same target unawares."""
    origin = one.carried_from_id or one.pk
    return origin == (other.carried_from_id or other.pk)


def deconflict(target: Target, *, distance_m: float | None = None) -> list[DeconflictionAlert]:
    """Alerts between this target and every other naming the same target on a record owned by someone else
    (one alert per pair, made once)."""
    distance_m = deconfliction_metres() if distance_m is None else float(distance_m)
    owner = target.subject_owner_id
    alerts = []
    for other, basis, gap in _matches(target, distance_m):
        other_owner = other.subject_owner_id
        if other_owner == owner or _carried_alike(target, other):
            continue
        first, second = (target, other) if target.pk < other.pk else (other, target)
        alert, created = DeconflictionAlert.objects.get_or_create(
            target_a=first,
            target_b=second,
            defaults={
                "basis": basis,
                "distance_m": gap,
                "owner_a_id": first.subject_owner_id,
                "owner_b_id": second.subject_owner_id,
                "created_at": timezone.now(),
            },
        )
        if created:
            alerts.append(alert)
            notifications.alert_raised(alert)
    return alerts


@transaction.atomic
def alert_acknowledge(*, actor, alert: DeconflictionAlert) -> DeconflictionAlert:
    """The actor acknowledges their side of an alert; it closes when both owners have."""
    require(actor, "tasking.acknowledge_alert", alert, "Only the two owners acknowledge an alert.")
    current = DeconflictionAlert.objects.select_for_update().get(pk=alert.pk)
    now = timezone.now()
    if actor.pk == current.owner_a_id and current.acknowledged_a_at is None:
        current.acknowledged_a_at = now
    elif actor.pk == current.owner_b_id and current.acknowledged_b_at is None:
        current.acknowledged_b_at = now
    else:
        raise ValidationError({"alert": "You have already acknowledged this alert."})
    current.save()
    notifications.alert_acknowledged(current, actor=actor)
    alert.refresh_from_db()
    return current


def targets_carry(*, actor, sources, case: Case) -> list[Target]:
    """Copy the targets of the products a case is opened from onto the case (persons by their key only: no identifier
    is seen again), each remembering the target it was carried from; deconfliction then runs for each as for any new
    target, except against its own origin. Call inside the case's opening transaction."""
    carried = []
    for source in sources:
        for target in Target.objects.filter(product=source).order_by("pk"):
            copy = Target.objects.create(
                kind=target.kind,
                person_key=target.person_key,
                group_name=target.group_name,
                place_label=target.place_label,
                x=target.x,
                y=target.y,
                case=case,
                carried_from=target.carried_from or target,
                added_by=actor,
                added_at=timezone.now(),
            )
            if target.kind == TargetKind.PERSON:
                person_access_record(
                    user=actor,
                    subject_type="tasking.target",
                    subject_id=str(copy.pk),
                    purpose=f"carried from {source.reference} to a problem-solving case",
                    what=f"a pseudonymised person named on {source.reference} carried to case {case.pk}",
                )
            deconflict(copy)
            carried.append(copy)
    return carried
