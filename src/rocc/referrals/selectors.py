"""Every read of the services directory and referrals, scoped to the user: the directory as each role may see it, the
provider's queue and the referrer's list (no identifying details in either), one referral (a look, logged with its
purpose), the referral figures through disclosure control, and "declined: no capacity" by service and area."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rocc.audit.services import person_access_record
from rocc.core.errors import InvalidInput, Refused
from rocc.core.text import fold
from rocc.measures.disclosure import DisclosureGate, cell_identity
from rocc.measures.models import Indicator
from rocc.measures.selectors import disclosure_for, observations_for
from rocc.org.models import OrgUnit
from rocc.org.scope import scope_of
from rocc.referrals import rules as referral_rules
from rocc.referrals.models import AWAITING_RESPONSE, BarrierEvidence, Capacity, DeclineReason, Referral, ReferralStatus, ReferralTally, Service
from rocc.strategy.selectors.register import barrier_list


def _ancestor_paths(path: str) -> list[str]:
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


# --------------------------------------------------------------------------------------------------
# The directory


def directory_for(*, user, query: str = "", unit: OrgUnit | None = None, capacity: str = "", include_inactive: bool = False) -> QuerySet[Service]:
    """The services this user may see: programme staff the whole directory; a provider its own agency's entries; a
    referrer the active services working in (or above, or below) one of their units. Optionally those matching a
    search (with or without macrons), working in ``unit``, or with one capacity."""
    if not user.has_perm("referrals.view_directory"):
        raise Refused("Sign in with a role that refers, provides or runs the programme to see the services directory.")
    scope = scope_of(user)
    services = Service.objects.select_related("provider").prefetch_related(
        Prefetch("units_served", queryset=OrgUnit.objects.only("pk", "name", "path", "code"))
    )
    if user.has_perm("referrals.view_whole_directory"):
        if not include_inactive:
            services = services.filter(is_active=True)
    elif referral_rules.is_provider_reporter(user) and not referral_rules.is_referrer(user):
        services = services.filter(provider_id=scope.agency_id)
        if not include_inactive:
            services = services.filter(is_active=True)
    else:
        reach = Q(pk__in=[])
        for path in scope.unit_paths:
            reach |= Q(path__in=_ancestor_paths(path)) | Q(path__startswith=path)
        served = Service.units_served.through.objects.filter(service_id=OuterRef("pk"), orgunit__in=OrgUnit.objects.filter(reach))
        visible: Q = Q(Exists(served), is_active=True)
        if scope.agency_id is not None and referral_rules.is_provider_reporter(user):
            visible |= Q(provider_id=scope.agency_id)  # a referring agency that also provides sees its own entries
        services = services.filter(visible)
    if query.strip():
        for word in fold(query).split():
            services = services.filter(search_text__contains=word)
    if unit is not None:
        served_here = Service.units_served.through.objects.filter(
            service_id=OuterRef("pk"), orgunit__in=OrgUnit.objects.filter(Q(path__in=_ancestor_paths(unit.path)) | Q(path__startswith=unit.path))
        )
        services = services.filter(Exists(served_here))
    if capacity:
        services = services.filter(capacity=capacity)
    return services.order_by("name", "pk")


def service_get(*, user, pk: int) -> Service:
    try:
        return directory_for(user=user, include_inactive=True).get(pk=pk)
    except Service.DoesNotExist:
        raise Http404(f"There is no service {pk} that you may see.") from None


def services_to_refer_to(*, user, unit: OrgUnit | None = None) -> QuerySet[Service]:
    """The services a referrer may choose: active, not closed, working in their units (or in ``unit``)."""
    return directory_for(user=user, unit=unit).exclude(capacity=Capacity.CLOSED)


def referral_units_for(*, user) -> QuerySet[OrgUnit]:
    """The units a referrer refers within: their own units and those below them."""
    return scope_of(user).filter(OrgUnit.objects.all(), field=None)


# --------------------------------------------------------------------------------------------------
# Lists (no identifying details)


def _visible(user) -> QuerySet[Referral]:
    scope = scope_of(user)
    condition = Q(pk__in=[])
    if referral_rules.is_provider_reporter(user) and scope.agency_id is not None:
        condition |= Q(provider_id=scope.agency_id)
    if referral_rules.is_referrer(user):
        condition |= scope.condition("unit") & Q(referrer_agency_id=scope.agency_id)
    if getattr(user, "is_authenticated", False):
        condition |= Q(referrer_id=user.pk)
    return Referral.objects.filter(condition)


LIST_FIELDS = ("pk", "service__name", "provider__short_name", "unit__name", "urgency", "status", "made_at", "response_due", "is_whanau", "source", "version")


def referral_queue_for(*, user, status: str = "", overdue_only: bool = False, limit: int = 100) -> list[dict]:
    """The receiving provider's queue: the referrals made to its agency, newest first, flagged when an answer is
    overdue. No names or contact details: those are read one referral at a time, each look logged."""
    if not referral_rules.is_provider_reporter(user) or scope_of(user).agency_id is None:
        raise Refused("The referral queue is for a receiving provider's reporters.")
    referrals = Referral.objects.filter(provider_id=scope_of(user).agency_id)
    return _rows(referrals, status=status, overdue_only=overdue_only, limit=limit)


def referrals_made_for(*, user, status: str = "", overdue_only: bool = False, limit: int = 100) -> list[dict]:
    """The referrer's side: referrals made within their units by their agency (and their own), newest first."""
    if not referral_rules.is_referrer(user):
        raise Refused("Only referrers have referrals made.")
    scope = scope_of(user)
    referrals = Referral.objects.filter((scope.condition("unit") & Q(referrer_agency_id=scope.agency_id)) | Q(referrer_id=user.pk))
    return _rows(referrals, status=status, overdue_only=overdue_only, limit=limit)


def _rows(referrals: QuerySet[Referral], *, status: str, overdue_only: bool, limit: int) -> list[dict]:
    if status:
        if status not in ReferralStatus.values:
            raise InvalidInput(field_errors={"status": [f"Status is one of {', '.join(ReferralStatus.values)}; got {status!r}."]})
        referrals = referrals.filter(status=status)
    now = timezone.now()
    if overdue_only:
        referrals = referrals.filter(status__in=AWAITING_RESPONSE, response_due__lt=now)
    rows = []
    for values in referrals.order_by("-made_at", "-pk").values(*LIST_FIELDS)[:limit]:
        rows.append(
            {
                "id": values["pk"],
                "reference": f"R-{values['pk']:06d}",
                "service": values["service__name"],
                "provider": values["provider__short_name"],
                "unit": values["unit__name"],
                "urgency": values["urgency"],
                "status": values["status"],
                "status_label": ReferralStatus(values["status"]).label,
                "made_at": values["made_at"],
                "response_due": values["response_due"],
                "overdue": values["status"] in AWAITING_RESPONSE and values["response_due"] < now,
                "is_whanau": values["is_whanau"],
                "source": values["source"],
                "version": values["version"],
            }
        )
    return rows


def overdue_count_for(*, user) -> int:
    if referral_rules.is_provider_reporter(user) and scope_of(user).agency_id is not None:
        return Referral.objects.filter(provider_id=scope_of(user).agency_id, status__in=AWAITING_RESPONSE, response_due__lt=timezone.now()).count()
    return 0


# --------------------------------------------------------------------------------------------------
# One referral: a look, logged


@dataclass(frozen=True)
class StepView:
    move: str
    move_label: str
    status_after: str
    status_label: str
    at: dt.datetime
    by: str | None
    note: str  # withheld ("") from a reader who no longer sees identifying details: notes are free text and may name the person


@dataclass(frozen=True)
class ReferralView:
    referral: Referral
    identifying: bool  # the viewer sees the name and contact details
    side: str  # "referrer" or "provider"
    moves: tuple[str, ...]
    steps: tuple
    overdue: bool


def default_purpose(user, referral: Referral) -> str:
    if referral_rules.on_referrer_side(user, referral):
        return f"Following up referral {referral.reference} on the referrer's side"
    return f"Responding to referral {referral.reference} as the receiving provider"


def referral_get(*, user, pk: int, purpose: str = "") -> ReferralView:
    """One referral as this user may see it, with the moves they may make; the look is recorded in the audit trail
    with its purpose (stated, or what the user's side of the referral is for)."""
    referral = Referral.objects.select_related("service", "provider", "unit", "referrer", "referrer_agency").filter(pk=pk).first()
    if referral is None or not referral_rules.may_view_referral(user, referral):
        raise Http404(f"There is no referral {pk} that you may see.")
    identifying = referral_rules.may_see_identifying_details(user, referral)
    try:
        person_access_record(
            user=user,
            subject_type="referrals.referral",
            subject_id=str(referral.pk),
            subject_repr=referral.reference,
            purpose=purpose.strip() or default_purpose(user, referral),
            what="referral with identifying details" if identifying else "referral without identifying details",
        )
    except ValidationError as error:
        raise InvalidInput(field_errors={"purpose": error.messages}) from None
    return ReferralView(
        referral=referral,
        identifying=identifying,
        side="referrer" if referral_rules.on_referrer_side(user, referral) else "provider",
        moves=tuple(referral_rules.moves_for(user, referral)),
        steps=tuple(
            StepView(
                move=step.move,
                move_label=step.get_move_display(),
                status_after=step.status_after,
                status_label=step.get_status_after_display(),
                at=step.at,
                by=step.by.get_username() if step.by else None,
                note=step.note if identifying else "",
            )
            for step in referral.steps.select_related("by").all()
        ),
        overdue=referral.is_overdue(),
    )


def referrals_from_source(*, user, source: str, source_id: str) -> list[dict]:
    """The referrals raised from one case or tasking that this user may see (for the link back), no identifying details."""
    return _rows(_visible(user).filter(source=source, source_id=str(source_id)), status="", overdue_only=False, limit=50)


# --------------------------------------------------------------------------------------------------
# Figures (through the measures path and its disclosure gate)

FIGURE_LABELS = {
    "referrals-made": "Referrals made",
    "referrals-accepted": "Accepted",
    "referrals-declined-no-capacity": "Declined: no capacity",
    "referrals-engaged": "Engaged",
    "referrals-completed": "Completed",
    "referral-days-to-first-contact": "Mean days to first contact",
}


def referral_figures_for(*, user, unit: OrgUnit) -> dict:
    """The referral figures of ``unit`` by month, as the measures capability lets this user see them (counts rounded or
    suppressed where the user may not see unit-level output; the mean days recomputed from protected counts)."""

    if not user.has_perm("referrals.view_figures"):
        raise Refused("Sign in with a role to see referral figures.")
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=FIGURE_LABELS)}
    months: dict[dt.date, dict] = {}
    versions: dict[str, int] = {}
    for code in FIGURE_LABELS:
        indicator = indicators.get(code)
        if indicator is None:
            continue
        for row in observations_for(user=user, indicator=indicator, unit=unit):
            if row["source"] != "computed":
                continue
            months.setdefault(row["period_start"], {})[code] = row["value"]
            versions[code] = row["version"]
    gate = disclosure_for(user=user, unit=unit)
    columns = [(code, label) for code, label in FIGURE_LABELS.items() if code in indicators]
    return {
        "unit": unit,
        "columns": columns,
        "missing": [code for code in FIGURE_LABELS if code not in indicators],
        "rows": [
            {"month": month, "figures": months[month], "cells": [months[month].get(code) for code, _ in columns]} for month in sorted(months, reverse=True)
        ],
        "versions": versions,
        "protected": gate.protect,
    }


def capacity_decline_counts(*, user, unit: OrgUnit | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    """The true counts of referrals declined for no capacity by service and area (the referral's unit) within the
    user's scope, including what expired referrals left as tallies; for the gated reading below and for attaching."""
    if not user.has_perm("referrals.view_capacity_evidence"):
        raise Refused("The capacity evidence is for the programme office and regional coordinators.")
    scope = scope_of(user)
    referrals = scope.filter(Referral.objects.filter(decline_reason=DeclineReason.NO_CAPACITY), field="unit")
    tallies = scope.filter(ReferralTally.objects.filter(declined_no_capacity__gt=0), field="unit")
    if unit is not None:
        referrals = referrals.filter(unit__path__startswith=unit.path)
        tallies = tallies.filter(unit__path__startswith=unit.path)
    if date_from:
        referrals = referrals.filter(made_at__date__gte=date_from)
        tallies = tallies.filter(month__gte=date_from.replace(day=1))
    if date_to:
        referrals = referrals.filter(made_at__date__lte=date_to)
        tallies = tallies.filter(month__lte=date_to)
    counts: dict[tuple[int | None, int], int] = {}
    for row in referrals.values("service_id", "unit_id").annotate(n=Count("pk")):
        counts[(row["service_id"], row["unit_id"])] = counts.get((row["service_id"], row["unit_id"]), 0) + row["n"]
    for tally in tallies.values("service_id", "unit_id", "declined_no_capacity"):
        key = (tally["service_id"], tally["unit_id"])
        counts[key] = counts.get(key, 0) + tally["declined_no_capacity"]
    services = {s.pk: s for s in Service.objects.select_related("provider").filter(pk__in={s for s, _ in counts if s})}
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in={u for _, u in counts})}
    rows = []
    for (service_id, unit_id), count in counts.items():
        service = services.get(service_id) if service_id else None
        rows.append(
            {
                "service_id": service_id,
                "service": service.name if service else "(service no longer listed)",
                "provider": service.provider.short_name if service else "",
                "capacity_now": service.get_capacity_display() if service else "",
                "area": units[unit_id].name,
                "area_code": units[unit_id].code,
                "declined_no_capacity": count,
            }
        )
    rows.sort(key=lambda r: (-int(r["declined_no_capacity"] or 0), str(r["service"]), str(r["area"])))
    return rows


def gated_decline_rows(*, user, rows: list[dict], period: str) -> list[dict]:
    """Decline counts as this user may see them: through the disclosure gate of each area."""

    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r["area_code"] for r in rows})}
    gates: dict[str, DisclosureGate] = {}
    out = []
    for row in rows:
        code = row["area_code"]
        if code not in gates:
            gates[code] = disclosure_for(user=user, unit=units[code])
        gate = gates[code]
        identity = cell_identity(indicator="referrals-declined-no-capacity", unit=code, period=period, series=f"service:{row.get('service_id')}")
        shown = gate.count(row["declined_no_capacity"], identity)
        out.append({**row, "declined_no_capacity": shown, "suppressed": gate.protect and shown is None, "protected": gate.protect})
    out.sort(key=lambda r: (-(r["declined_no_capacity"] or 0), r["service"], r["area"]))
    return out


def capacity_declines_for(*, user, unit: OrgUnit | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    """Referrals declined for no capacity by service and area over a period, through the disclosure gate of each area:
    the evidence a regional coordinator attaches to an escalated barrier ("Demand for services greater than
    availability")."""
    rows = capacity_decline_counts(user=user, unit=unit, date_from=date_from, date_to=date_to)
    period = f"{date_from or ''}..{date_to or ''}"
    return {"rows": gated_decline_rows(user=user, rows=rows, period=period), "date_from": date_from, "date_to": date_to, "unit": unit}


def barriers_to_attach_to(*, user) -> list:
    """The barriers in the register this user may attach capacity evidence to (read through strategy's selectors)."""

    if not user.has_perm("referrals.view_capacity_evidence"):
        return []
    return [b for b in barrier_list(user=user) if referral_rules.may_attach_evidence(user, b)]


def barrier_evidence_for(*, user, barrier) -> list[dict]:
    """The capacity evidence attached to a barrier, each count through the reader's disclosure gate of its area."""

    out = []
    for evidence in BarrierEvidence.objects.filter(barrier=barrier).select_related("attached_by", "unit"):
        period = f"{evidence.date_from or ''}..{evidence.date_to or ''}"
        out.append({"evidence": evidence, "rows": gated_decline_rows(user=user, rows=evidence.rows, period=period)})
    return out
