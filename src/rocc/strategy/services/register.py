"""Every write to the barrier escalation register (action 12) and the initiative stocktake (action 15)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rocc.core.text import nfc
from rocc.inbox import hooks as notifications
from rocc.org.models import Agency, OrgUnit
from rocc.org.services import agency_resolve
from rocc.strategy.models import (
    BARRIER_TRANSITIONS,
    BarrierEscalation,
    BarrierMove,
    BarrierSeverity,
    DistrictPlan,
    FocusAreaKind,
    Initiative,
    SystemicBarrier,
)
from rocc.strategy.rules import BARRIER_MOVE_PERMISSION, barrier_move_allowed_by_state
from rocc.strategy.services.frameworks import _evidence_links_clean


def _required(value: str, field: str, what: str) -> str:
    value = nfc(value or "")
    if not value:
        raise ValidationError({field: f"{what} is required."})
    return value


def _locked(barrier: BarrierEscalation) -> BarrierEscalation:
    return BarrierEscalation.objects.select_for_update(of=("self",)).select_related("unit").get(pk=barrier.pk)


@transaction.atomic
def barrier_raise(
    *,
    user,
    unit: OrgUnit,
    severity: int,
    description: str,
    framework_barrier: SystemicBarrier | None = None,
    title: str = "",
    plan: DistrictPlan | None = None,
) -> BarrierEscalation:
    """A region records a barrier it meets: one of the framework's common systemic barriers, or a new one (give a title)."""
    if not user.has_perm("strategy.raise_barrier", unit):
        raise PermissionDenied("Only the programme office and the coordinators of this district raise its barriers.")
    if severity not in BarrierSeverity.values:
        raise ValidationError({"severity": f"Severity is one of 1 (low) to 4 (severe), not {severity!r}."})
    title = nfc(title or "") or (framework_barrier.text if framework_barrier else "")
    if not title:
        raise ValidationError({"title": "Choose one of the framework's barriers or name a new one."})
    if plan is not None and not unit.path.startswith(plan.scope_unit.path) and not plan.scope_unit.path.startswith(unit.path):
        raise ValidationError({"plan": f"The plan “{plan.title}” is not a plan of {unit.name}."})
    return BarrierEscalation.objects.create(
        unit=unit,
        plan=plan,
        framework_barrier=framework_barrier,
        title=title,
        severity=severity,
        description=_required(description, "description", "A description of how the barrier shows up"),
        raised_by=user,
    )


_MOVE_REFUSED = {
    BarrierMove.ESCALATE: "Only a barrier that has been raised and not yet escalated is escalated; this one is {status}.",
    BarrierMove.RESPOND: "The centre responds to a barrier once the region has escalated it; this one is {status}.",
    BarrierMove.CLOSE: "Record the centre's response before closing the barrier; this one is {status}.",
}
_MOVE_DENIED = {
    BarrierMove.ESCALATE: "Only the programme office and the coordinators of this district escalate its barriers.",
    BarrierMove.RESPOND: "Only the centre (the national programme office) responds to escalated barriers.",
    BarrierMove.CLOSE: "Only the centre closes escalated barriers.",
}


def _move(user, barrier: BarrierEscalation, move: BarrierMove) -> BarrierEscalation:
    """The barrier, locked, once the role, the scope and its state allow the move (rules.py decides)."""
    barrier = _locked(barrier)
    if not user.has_perm(BARRIER_MOVE_PERMISSION[move], barrier):
        raise PermissionDenied(_MOVE_DENIED[move])
    if not barrier_move_allowed_by_state(barrier, move):
        raise ValidationError({"status": _MOVE_REFUSED[move].format(status=barrier.get_status_display().lower())})
    barrier.status = BARRIER_TRANSITIONS[move][1]
    return barrier


@transaction.atomic
def barrier_escalate(*, user, barrier: BarrierEscalation) -> BarrierEscalation:
    """Send a raised barrier to the centre."""
    barrier = _move(user, barrier, BarrierMove.ESCALATE)
    barrier.escalated_by, barrier.escalated_at = user, timezone.now()
    barrier.save()
    notifications.barrier_escalated(barrier, actor=user)
    return barrier


@transaction.atomic
def barrier_respond(*, user, barrier: BarrierEscalation, response: str) -> BarrierEscalation:
    """The centre records its response to an escalated barrier (it may revise the response until it closes it)."""
    barrier = _move(user, barrier, BarrierMove.RESPOND)
    barrier.response = _required(response, "response", "The centre's response")
    barrier.responded_by, barrier.responded_at = user, timezone.now()
    barrier.save()
    notifications.barrier_answered(barrier, actor=user)
    return barrier


@transaction.atomic
def barrier_close(*, user, barrier: BarrierEscalation) -> BarrierEscalation:
    barrier = _move(user, barrier, BarrierMove.CLOSE)
    barrier.closed_by, barrier.closed_at = user, timezone.now()
    barrier.save()
    return barrier


def _provider_agency(provider: str) -> Agency | None:
    try:
        return agency_resolve(provider)
    except ValidationError:
        return None  # an NGO or iwi provider that is not in the agency list is named as it is known


@transaction.atomic
def initiative_save(
    *,
    user,
    name: str,
    provider: str,
    unit: OrgUnit,
    focus_area: str,
    initiative: Initiative | None = None,
    description: str = "",
    funding_amount: Decimal | None = None,
    funding_source: str = "",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    evidence: str = "",
    evidence_links: Sequence[str] = (),
) -> Initiative:
    """Add an initiative to the stocktake, or change one (pass ``initiative``)."""
    for target in filter(None, [unit, initiative]):
        if not user.has_perm("strategy.edit_initiative", target):
            raise PermissionDenied("Only the programme office and the coordinators of this district record its initiatives.")
    if focus_area not in FocusAreaKind.values:
        raise ValidationError({"focus_area": f"The strategic focus area is one of {', '.join(FocusAreaKind.values)}."})
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": "The end date is before the start date."})
    if funding_amount is not None and funding_amount < 0:
        raise ValidationError({"funding_amount": "Funding cannot be negative."})
    provider = _required(provider, "provider", "The provider")
    values = {
        "name": _required(name, "name", "A name"),
        "provider": provider,
        "provider_agency": _provider_agency(provider),
        "unit": unit,
        "focus_area": focus_area,
        "description": description or "",
        "funding_amount": funding_amount,
        "funding_source": funding_source or "",
        "start_date": start_date,
        "end_date": end_date,
        "evidence": evidence or "",
        "evidence_links": _evidence_links_clean(list(evidence_links)),
    }
    if initiative is None:
        return Initiative.objects.create(created_by=user, **values)
    for field, value in values.items():
        setattr(initiative, field, value)
    initiative.save()
    return initiative


@transaction.atomic
def initiative_remove(*, user, initiative: Initiative) -> None:
    if not user.has_perm("strategy.edit_initiative", initiative):
        raise PermissionDenied("Only the programme office and the coordinators of this district remove its initiatives.")
    initiative.delete()
