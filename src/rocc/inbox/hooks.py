"""What each capability's moves tell whom: one function per move, called by the capability's service after the
write, in its transaction. Each names the record by its reference and unit only (never a person or their details)
and links to the record's page; who is told comes from the owning capability's own rules and selectors. Free text
people write (a tasking's title, an approver's comment) is never copied in: it may name a person."""

from __future__ import annotations

from django.urls import reverse

from rocc.events.models import BatchStatus
from rocc.inbox.models import Reason
from rocc.inbox.services import notify
from rocc.measures.selectors import needs_disclosure
from rocc.org.models import Role
from rocc.org.selectors import users_with_role


def _return_label(provider_return) -> str:
    return f"{provider_return.data_set.name} for {provider_return.unit.name}, {provider_return.period_label}"


def return_submitted(provider_return, *, actor) -> None:
    """The approvers of a return are told it awaits them (not the person who submitted it)."""

    approvers = [
        u
        for u in users_with_role(Role.PROGRAMME_MANAGER, Role.REGIONAL_COORDINATOR)
        if u.pk != getattr(actor, "pk", None) and u.has_perm("returns.approve_return", provider_return)
    ]
    notify(
        recipients=approvers,
        reason=Reason.RETURN_SUBMITTED,
        title=f"Return awaiting approval: {provider_return.provider.short_name}, {_return_label(provider_return)}",
        url=reverse("returns:detail", args=[provider_return.pk]),
    )


def _reporters(provider_return):

    return [u for u in users_with_role(Role.PROVIDER_REPORTER, agency_id=provider_return.provider_id) if u.has_perm("returns.edit_return", provider_return)]


def return_returned(provider_return) -> None:
    """The provider's reporters are told their return came back for revision (the approver's comment stays on the page)."""
    notify(
        recipients=_reporters(provider_return),
        reason=Reason.RETURN_RETURNED,
        title=f"Return returned for revision: {_return_label(provider_return)}",
        url=reverse("returns:detail", args=[provider_return.pk]),
    )


def return_approved(provider_return) -> None:
    notify(
        recipients=_reporters(provider_return),
        reason=Reason.RETURN_APPROVED,
        title=f"Return approved: {_return_label(provider_return)}",
        url=reverse("returns:detail", args=[provider_return.pk]),
    )


def tasking_assigned(tasking, *, actor) -> None:
    if tasking.owner_id == getattr(actor, "pk", None):
        return
    notify(
        recipients=[tasking.owner],
        reason=Reason.TASKING_ASSIGNED,
        title=f"Tasking {tasking.reference} for {tasking.tasked_to} assigned to you, due {tasking.due_date:%d %b %Y}"[:200],
        url=reverse("tasking:tasking", args=[tasking.pk]),
    )


def tasking_completed(tasking, *, actor) -> None:
    """Whoever set the tasking is told it is done (the result is on the page)."""
    if tasking.created_by_id == getattr(actor, "pk", None):
        return
    notify(
        recipients=[tasking.created_by],
        reason=Reason.TASKING_COMPLETED,
        title=f"Tasking {tasking.reference} for {tasking.tasked_to} completed"[:200],
        url=reverse("tasking:tasking", args=[tasking.pk]),
    )


def alert_raised(alert) -> None:
    """Both owners are told a record of theirs matches another owner's; what matched stays on the alerts page."""
    notify(
        recipients=[alert.owner_a, alert.owner_b],
        reason=Reason.ALERT_RAISED,
        title=f"Deconfliction alert {alert.pk}: another owner's record names {alert.get_basis_display()} as yours; acknowledge it",
        url=reverse("tasking:alerts"),
    )


def alert_acknowledged(alert, *, actor) -> None:
    other = alert.owner_b if actor.pk == alert.owner_a_id else alert.owner_a
    notify(
        recipients=[other],
        reason=Reason.ALERT_ACKNOWLEDGED,
        title=f"Deconfliction alert {alert.pk} acknowledged by the other owner" + (" (now closed)" if not alert.is_open else ""),
        url=reverse("tasking:alerts"),
    )


def import_finished(batch) -> None:
    """Whoever started an import is told how it ended."""

    if batch.created_by is None:
        return
    failed = batch.status in (BatchStatus.FAILED, BatchStatus.REJECTED)
    notify(
        recipients=[batch.created_by],
        reason=Reason.IMPORT_FAILED if failed else Reason.IMPORT_FINISHED,
        title=f"Import {batch.pk} of {batch.file_name} ({batch.source}): {batch.get_status_display().lower()}"[:200],
        url=reverse("events:batch", args=[batch.pk]),
    )


def _barrier_label(barrier) -> str:
    # A framework barrier's wording is shipped content; a barrier a region named itself is free text, so it is
    # named by its number, unit and severity only.
    named = f": {barrier.framework_barrier.text}" if barrier.framework_barrier_id else ""
    return f"barrier {barrier.pk} of {barrier.unit.name} ({barrier.get_severity_display().lower()}){named}"


def barrier_escalated(barrier, *, actor) -> None:
    """The centre (programme managers who may answer it) is told a region escalated a barrier."""

    centre = [u for u in users_with_role(Role.PROGRAMME_MANAGER) if u.pk != actor.pk and u.has_perm("strategy.respond_barrier", barrier)]
    notify(
        recipients=centre,
        reason=Reason.BARRIER_ESCALATED,
        title=f"Escalated to the centre: {_barrier_label(barrier)}"[:200],
        url=reverse("strategy:barrier", args=[barrier.pk]),
    )


def barrier_answered(barrier, *, actor) -> None:
    """Whoever raised and escalated the barrier is told the centre answered (the answer is on the page)."""
    recipients = [u for u in (barrier.raised_by, barrier.escalated_by) if u is not None and u.pk != actor.pk]
    notify(
        recipients=recipients,
        reason=Reason.BARRIER_ANSWERED,
        title=f"The centre answered {_barrier_label(barrier)}"[:200],
        url=reverse("strategy:barrier", args=[barrier.pk]),
    )


def indicators_newly_off_track(changes: list[dict]) -> None:
    """The programme managers are told of each indicator that went off track at its latest period, not having been
    off track at the previous one, as they may see it: where their figures for the unit leave through disclosure
    control, by the protected status (so a status withheld from them is not told)."""
    if not changes:
        return
    managers = list(users_with_role(Role.PROGRAMME_MANAGER))
    for change in changes:
        indicator, unit, period = change["indicator"], change["unit"], change["period"]
        told = [m for m in managers if (change["newly_protected"] if needs_disclosure(user=m, unit=unit) else change["newly"])]
        notify(
            recipients=told,
            reason=Reason.INDICATOR_OFF_TRACK,
            title=f"Newly off track: {indicator.name} in {unit.name}, {period.label}"[:200],
            url=reverse("measures:indicator", args=[indicator.code]) + f"?unit={unit.code}",
            key=f"indicator:{indicator.pk}:{unit.pk}:{period.key}:off-track",
        )
