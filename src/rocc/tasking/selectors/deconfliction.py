"""Reads of targets and deconfliction alerts: the targets on records the user sees, the alerts on their own targets
(told as each owner may know them), and the unit a record belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from rocc.org.models import OrgUnit
from rocc.problems.models import Case
from rocc.tasking.models import DeconflictionAlert, InsightsProduct, InsightsReport, Target, Tasking
from rocc.tasking.selectors.products import product_list
from rocc.tasking.selectors.scope import cases_visible, one_or_404
from rocc.tasking.selectors.taskings import tasking_list


def alerts_for(*, user) -> QuerySet[DeconflictionAlert]:
    """The alerts on the user's own targets."""
    if not getattr(user, "is_authenticated", False):
        return DeconflictionAlert.objects.none()
    return DeconflictionAlert.objects.filter(Q(owner_a=user) | Q(owner_b=user)).select_related("owner_a__profile", "owner_b__profile")


@dataclass(frozen=True)
class AlertView:
    """What one owner is told about an alert: their own target, the other owner, and the kind of match —
    never what the other side's record says."""

    alert: DeconflictionAlert
    own_target: Target
    other_owner: object
    other_team: str
    acknowledged_by_me: bool
    acknowledged_by_other: bool


def _team(user) -> str:
    try:
        units = ", ".join(unit.name for unit in user.profile.units.all())
        groups = ", ".join(group.short_name or group.name for group in user.profile.groups.all())
    except Exception:
        return ""
    return "; ".join(part for part in (units, groups) if part)


def alert_view(*, user, alert: DeconflictionAlert) -> AlertView:
    if user.pk == alert.owner_a_id:
        own, other, mine, theirs = alert.target_a, alert.owner_b, alert.acknowledged_a_at, alert.acknowledged_b_at
    elif user.pk == alert.owner_b_id:
        own, other, mine, theirs = alert.target_b, alert.owner_a, alert.acknowledged_b_at, alert.acknowledged_a_at
    else:
        raise Http404("No such alert")
    return AlertView(
        alert=alert, own_target=own, other_owner=other, other_team=_team(other), acknowledged_by_me=mine is not None, acknowledged_by_other=theirs is not None
    )


def alert_views(*, user, open_only: bool = False) -> list[AlertView]:
    alerts = alerts_for(user=user).select_related(
        "target_a__product", "target_a__tasking", "target_a__case", "target_b__product", "target_b__tasking", "target_b__case"
    )
    views = [alert_view(user=user, alert=alert) for alert in alerts]
    return [v for v in views if v.alert.is_open] if open_only else views


def alert_get(*, user, pk: int) -> DeconflictionAlert:
    return one_or_404(alerts_for(user=user), pk, "alert")


def targets_visible(*, user) -> QuerySet[Target]:
    return Target.objects.filter(Q(product__in=product_list(user=user)) | Q(tasking__in=tasking_list(user=user)) | Q(case__in=cases_visible(user=user)))


def subject_unit(subject) -> OrgUnit | None:
    """The unit a record belongs to, for placing it on a forum's agenda (None: national)."""
    if isinstance(subject, InsightsReport):
        forum = subject.current_forum
        return forum.scope_unit if forum is not None else None
    if isinstance(subject, Case):
        return subject.scope_unit
    if isinstance(subject, InsightsProduct):
        return subject.source_unit
    if isinstance(subject, Tasking):
        return subject.tasked_unit
    if isinstance(subject, Target):
        return subject_unit(subject.subject)
    return None


def targets_named(subject) -> QuerySet[Target]:
    """The targets a product, tasking or case names."""
    return subject.tasking_targets.all() if isinstance(subject, Case) else subject.targets.all()
