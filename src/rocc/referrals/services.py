"""Every write of referrals and the services directory: keeping a service's entry and its capacity, making a referral
with its lawful basis, the provider's response and each later step (the moves table), consent withdrawal, overdue
notices, the retention run that reduces expired referrals to counts, and the referral figures recorded as measures'
computed observations."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rocc.audit.services import system_event_record
from rocc.core.errors import Conflict, InvalidInput, Refused, StaleRecord
from rocc.core.text import fold, nfc
from rocc.events.pseudonym import person_key as pseudonymise
from rocc.inbox.models import Reason
from rocc.inbox.services import notify
from rocc.measures.models import Indicator, SourceKind
from rocc.measures.periods import month_end
from rocc.measures.services import ObservationInput, observations_record_many, observations_withdraw, statuses_recompute
from rocc.org.models import Agency, OrgUnit, Profile, Role
from rocc.org.scope import scope_of
from rocc.problems.selectors import case_get
from rocc.referrals import rules as referral_rules
from rocc.referrals.models import (
    AWAITING_RESPONSE,
    BarrierEvidence,
    Capacity,
    ContactRoute,
    DeclineReason,
    LawfulBasis,
    Move,
    Outcome,
    Referral,
    ReferralStatus,
    ReferralTally,
    Service,
    Source,
    Step,
    Urgency,
    referral_moves,
)
from rocc.referrals.selectors import capacity_decline_counts
from rocc.tasking.selectors.taskings import tasking_get

PERSON_KEY = re.compile(r"^[0-9a-f]{32}$")
DEFAULT_RETENTION_DAYS = 730


class ServiceChanged(StaleRecord):
    def __init__(self, service: Service):
        super().__init__(
            changed_by=service.updated_by,
            changed_at=service.updated_at,
            message=(
                f"This service's entry changed since you opened it (by {self.who(service.updated_by)} at {self.when(service.updated_at)}); "
                "nothing was saved. Reload to see the changes, then try again."
            ),
        )


class ReferralChanged(StaleRecord):
    def __init__(self, referral: Referral):
        super().__init__(
            changed_by=referral.changed_by,
            changed_at=referral.updated_at,
            message=(
                f"Referral {referral.reference} changed since you opened it (by {self.who(referral.changed_by)} at "
                f"{self.when(referral.updated_at)}); nothing was saved. Reload to see its status, then try again."
            ),
        )


def _text(value: str | None) -> str:
    return nfc(value or "")


# --------------------------------------------------------------------------------------------------
# The directory


@transaction.atomic
def service_save(
    *,
    user,
    provider: Agency,
    name: str,
    offers: str,
    units_served: Iterable[OrgUnit],
    eligibility: str = "",
    how_to_refer: str = "",
    capacity: str = Capacity.OPEN,
    capacity_note: str = "",
    response_days: int = 5,
    indicator_code: str = "",
    is_active: bool = True,
    service: Service | None = None,
    version: int | None = None,
) -> Service:
    """Create a service entry (``service`` None) or change one. A provider keeps its own agency's entries only; the
    programme office and regional coordinators keep any. Refuses a stale version and names every bad field."""
    if service is None:
        if not user.has_perm("referrals.add_service") or not user.has_perm("referrals.change_service", Service(provider=provider)):
            raise Refused(f"You may not list services for {provider}.")
    else:
        service = Service.objects.select_for_update().get(pk=service.pk)
        if not user.has_perm("referrals.change_service", service) or not user.has_perm("referrals.change_service", Service(provider=provider)):
            raise Refused("You may not change this service's entry.")
        if version is not None and version != service.version:
            raise ServiceChanged(service)
    units = list(units_served)
    errors: dict[str, list[str]] = {}
    name, offers = _text(name), _text(offers)
    if not name:
        errors["name"] = ["Give the service a name."]
    if not offers:
        errors["offers"] = ["Say what the service offers."]
    if not units:
        errors["units_served"] = ["Name at least one district or area the service works in."]
    if capacity not in Capacity.values:
        errors["capacity"] = [f"Capacity is one of {', '.join(Capacity.values)}; got {capacity!r}."]
    if not isinstance(response_days, int) or not 1 <= response_days <= 90:
        errors["response_days"] = ["Days to respond is a whole number from 1 to 90."]
    if indicator_code:
        if not Indicator.objects.filter(code=indicator_code).exists():
            errors["indicator_code"] = [f"There is no indicator with code {indicator_code!r}."]
    duplicate = Service.objects.filter(provider=provider, name=name)
    if service is not None:
        duplicate = duplicate.exclude(pk=service.pk)
    if name and duplicate.exists():
        errors["name"] = [f"{provider} already lists a service called {name!r}."]
    if errors:
        raise InvalidInput(field_errors=errors)
    target = service or Service(provider=provider)
    target.provider = provider
    target.name, target.offers = name, offers
    target.eligibility, target.how_to_refer = _text(eligibility), _text(how_to_refer)
    target.capacity, target.capacity_note = capacity, _text(capacity_note)
    target.response_days, target.indicator_code, target.is_active = response_days, indicator_code, is_active
    target.search_text = fold(" ".join([name, offers, target.eligibility, provider.short_name, provider.name]))
    target.updated_at, target.updated_by = timezone.now(), user if getattr(user, "is_authenticated", False) else None
    if service is not None:
        target.version = service.version + 1
    target.save()
    target.units_served.set(units)
    return target


@transaction.atomic
def service_capacity_set(*, user, service: Service, capacity: str, capacity_note: str = "", version: int | None = None) -> Service:
    """Change only a service's capacity (open, waiting list, closed): the provider's most frequent edit."""
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if not user.has_perm("referrals.change_service", locked):
        raise Refused("You may not change this service's capacity.")
    if version is not None and version != locked.version:
        raise ServiceChanged(locked)
    if capacity not in Capacity.values:
        raise InvalidInput(field_errors={"capacity": [f"Capacity is one of {', '.join(Capacity.values)}; got {capacity!r}."]})
    locked.capacity, locked.capacity_note = capacity, _text(capacity_note)
    locked.version += 1
    locked.updated_at, locked.updated_by = timezone.now(), user
    locked.save(update_fields=["capacity", "capacity_note", "version", "updated_at", "updated_by"])
    return locked


# --------------------------------------------------------------------------------------------------
# Making a referral


def _source_check(user, source: str, source_id: str, errors: dict[str, list[str]]) -> None:
    """A referral raised from a case or a tasking names one the referrer may see (read through its owning app)."""
    if source not in Source.values:
        errors["source"] = [f"Source is one of {', '.join(Source.values)}; got {source!r}."]
        return
    if source in (Source.DIRECT, Source.VICTIM_FOCUS):
        return
    if not str(source_id).isdigit():
        errors["source_id"] = ["Name the case or tasking the referral is raised from by its number."]
        return
    try:
        if source == Source.PROBLEM_CASE:
            case_get(user=user, pk=int(source_id))
        else:
            tasking_get(user=user, pk=int(source_id))
    except Exception:
        errors["source_id"] = [f"There is no {Source(source).label.lower()} {source_id} that you may see."]


@transaction.atomic
def referral_make(
    *,
    user,
    service: Service,
    unit: OrgUnit,
    reason: str,
    contact_route: str,
    lawful_basis: str,
    needs: str = "",
    urgency: str = Urgency.ROUTINE,
    is_whanau: bool = False,
    person_name: str = "",
    contact_details: str = "",
    person_identifier: str = "",
    person_key: str = "",
    consent_given_by: str = "",
    consent_given_at: dt.date | None = None,
    consent_for: str = "",
    other_basis: str = "",
    source: str = Source.DIRECT,
    source_id: str = "",
) -> Referral:
    """Refer a person or whānau to a service. The referrer works in the referral's unit; the lawful basis is consent
    (who gave it, when, for what) or another recorded basis; the person is linked to the event store only by the keyed
    pseudonym of their identifier (the identifier itself is never stored). Names every missing or wrong field."""
    if not user.has_perm("referrals.refer"):
        raise Refused("Only Police roles and referring agencies' staff make referrals.")
    if not user.has_perm("referrals.refer_in_unit", unit):
        raise Refused(f"You refer only within your own units; {unit} is not one of them.")
    service = Service.objects.select_related("provider").get(pk=service.pk)
    errors: dict[str, list[str]] = {}
    reason = _text(reason)
    if not reason:
        errors["reason"] = ["Say in plain words why you are referring."]
    if not service.is_active:
        errors["service"] = [f"{service.name} is no longer listed in the directory."]
    elif service.capacity == Capacity.CLOSED:
        errors["service"] = [f"{service.name} is closed to new referrals{': ' + service.capacity_note if service.capacity_note else ''}."]
    elif (
        not service.units_served.filter(path__in=_ancestor_and_self_paths(unit.path)).exists()
        and not service.units_served.filter(path__startswith=unit.path).exists()
    ):
        errors["unit"] = [f"{service.name} does not work in {unit}."]
    if urgency not in Urgency.values:
        errors["urgency"] = [f"Urgency is one of {', '.join(Urgency.values)}; got {urgency!r}."]
    if contact_route not in ContactRoute.values:
        errors["contact_route"] = [f"Choose how the provider makes contact ({', '.join(ContactRoute.values)})."]
    elif contact_route in (ContactRoute.PHONE, ContactRoute.EMAIL, ContactRoute.VISIT, ContactRoute.OTHER) and not _text(contact_details):
        errors["contact_details"] = [f"Give the details for '{ContactRoute(contact_route).label}'."]
    consent_given_by, consent_for, other_basis = _text(consent_given_by), _text(consent_for), _text(other_basis)
    if lawful_basis == LawfulBasis.CONSENT:
        if not consent_given_by:
            errors["consent_given_by"] = ["Say who gave consent (the person, or who for the whānau)."]
        if consent_given_at is None:
            errors["consent_given_at"] = ["Say when consent was given."]
        elif consent_given_at > timezone.localdate():
            errors["consent_given_at"] = ["Consent cannot be given in the future."]
        if not consent_for:
            errors["consent_for"] = ["Say what the consent covers (what may be shared, with whom, for what)."]
        other_basis = ""
    elif lawful_basis == LawfulBasis.OTHER:
        if not other_basis:
            errors["other_basis"] = ["Record the basis for sharing without consent."]
        consent_given_by, consent_given_at, consent_for = "", None, ""
    else:
        errors["lawful_basis"] = ["Choose the lawful basis: consent given, or another recorded basis."]
    key = (person_key or "").strip().lower()
    if key and not PERSON_KEY.match(key):
        errors["person_key"] = ["A person key is the 32-character pseudonym the event store uses."]
    if person_identifier.strip():
        key = pseudonymise(person_identifier)
    _source_check(user, source, source_id, errors)
    if errors:
        raise InvalidInput(field_errors=errors)
    now = timezone.now()
    referral = Referral.objects.create(
        service=service,
        provider=service.provider,
        unit=unit,
        referrer=user,
        referrer_agency_id=scope_of(user).agency_id,
        made_at=now,
        response_due=now + dt.timedelta(days=service.response_days),
        is_whanau=is_whanau,
        reason=reason,
        needs=_text(needs),
        urgency=urgency,
        person_name=_text(person_name),
        contact_route=contact_route,
        contact_details=_text(contact_details),
        person_key=key,
        lawful_basis=lawful_basis,
        consent_given_by=consent_given_by,
        consent_given_at=consent_given_at,
        consent_for=consent_for,
        other_basis=other_basis,
        source=source,
        source_id=str(source_id or "") if source not in (Source.DIRECT, Source.VICTIM_FOCUS) else "",
        updated_at=now,
        changed_by=user,
    )
    Step.objects.create(referral=referral, move="made", status_after=referral.status, at=now, by=user)
    _tell_provider(referral, title=f"New referral {referral.reference} to {service.name} ({referral.get_urgency_display().lower()})", key="made")
    return referral


def _provider_reporters(provider_id: int) -> list:

    return [p.user for p in Profile.objects.filter(role=Role.PROVIDER_REPORTER, agency_id=provider_id).select_related("user")]


def _tell_provider(referral: Referral, *, title: str, key: str, reporters: list | None = None) -> int:
    """Notify the receiving provider's reporters through the inbox: the reference and service only, never the person."""

    made = notify(
        recipients=reporters if reporters is not None else _provider_reporters(referral.provider_id),
        reason=Reason.REFERRAL,
        title=title,
        url=f"/referrals/{referral.pk}/",
        key=f"referral:{referral.pk}:{key}",
    )
    return len(made)


def _ancestor_and_self_paths(path: str) -> list[str]:
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


# --------------------------------------------------------------------------------------------------
# The referral's life


@transaction.atomic
def referral_move(
    *,
    user,
    referral: Referral,
    move: str,
    version: int | None = None,
    note: str = "",
    decline_reason: str = "",
    outcome: str = "",
) -> Referral:
    """Take one step in a referral's life (accept, decline with a reason, record contact, engagement or the outcome,
    close, record that consent was withdrawn), as the moves table and the rules allow. Refuses a stale version."""
    locked = Referral.objects.select_for_update().select_related("provider", "service").get(pk=referral.pk)
    if not referral_rules.may_view_referral(user, locked):
        raise Refused("You may not work on this referral.")
    if version is not None and version != locked.version:
        raise ReferralChanged(locked)
    if move not in Move.values:
        raise InvalidInput(field_errors={"move": [f"Unknown step {move!r}; expected one of {', '.join(Move.values)}."]})
    allowed = referral_moves(locked.status)
    if move not in allowed:
        raise Conflict(f"Referral {locked.reference} is '{locked.get_status_display()}': it cannot be given '{Move(move).label.lower()}' now.")
    if not referral_rules.may_move(user, locked, move):
        if move == Move.WITHDRAW_CONSENT and locked.lawful_basis != LawfulBasis.CONSENT:
            raise Conflict(f"Referral {locked.reference} was made under another recorded basis, not consent: there is no consent to withdraw.")
        raise Refused(f"Only the receiving provider may {Move(move).label.lower()}.")
    note = _text(note)
    errors: dict[str, list[str]] = {}
    if move == Move.DECLINE:
        if decline_reason not in DeclineReason.values:
            errors["decline_reason"] = ["Say why the referral is declined (for example no capacity)."]
        elif decline_reason == DeclineReason.OTHER and not note:
            errors["note"] = ["Describe the reason."]
    if move == Move.OUTCOME and outcome not in Outcome.values:
        errors["outcome"] = ["Choose the outcome."]
    if move == Move.CLOSE and not note:
        errors["note"] = ["Say why the referral is closed."]
    if errors:
        raise InvalidInput(field_errors=errors)
    now = timezone.now()
    if move in (Move.ACCEPT, Move.DECLINE) and locked.responded_at is None:
        locked.responded_at = now
    if move == Move.ACCEPT:
        locked.accepted_at = now
    elif move == Move.DECLINE:
        locked.decline_reason = decline_reason
    elif move == Move.CONTACT and locked.first_contact_at is None:
        locked.first_contact_at = now
    elif move == Move.ENGAGE:
        locked.engaged_at = now
    elif move == Move.OUTCOME:
        locked.outcome = outcome
    elif move == Move.WITHDRAW_CONSENT:
        # Further sharing stops: the provider no longer sees who the person is or how to reach them (the rules read
        # this), and nothing more moves. The referrer's side keeps its record until retention ends.
        locked.consent_withdrawn_at = now
    new_status = allowed[move]
    if new_status in (ReferralStatus.DECLINED, ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN) and locked.closed_at is None:
        locked.closed_at = now
    locked.status = new_status
    locked.version += 1
    locked.updated_at, locked.changed_by = now, user
    locked.save()
    Step.objects.create(referral=locked, move=move, status_after=new_status, at=now, by=user, note=note)
    return locked


# --------------------------------------------------------------------------------------------------
# Overdue responses


@dataclass(frozen=True)
class OverdueNotified:
    overdue: int
    notified: int


def referrals_overdue_notify(*, now: dt.datetime | None = None) -> OverdueNotified:
    """Tell each receiving provider's reporters, through the inbox, about referrals still awaiting an answer past their
    due time: once per referral and reporter however often it runs (the inbox's key)."""
    now = now or timezone.now()
    overdue = list(Referral.objects.filter(status__in=AWAITING_RESPONSE, response_due__lt=now).select_related("service"))
    reporters: dict[int, list] = {}
    notified = 0
    for referral in overdue:
        if referral.provider_id not in reporters:
            reporters[referral.provider_id] = _provider_reporters(referral.provider_id)
        title = f"Referral {referral.reference} to {referral.service.name} is overdue for an answer"
        notified += _tell_provider(referral, title=title, key="overdue", reporters=reporters[referral.provider_id])
    return OverdueNotified(overdue=len(overdue), notified=notified)


# --------------------------------------------------------------------------------------------------
# Retention: expired referrals reduced to counts


def retention_days() -> int:
    return int((getattr(settings, "ROCC_REFERRALS", {}) or {}).get("retention_days", DEFAULT_RETENTION_DAYS))


def month_of(moment: dt.datetime) -> dt.date:
    """The month a referral counts in: the first day of the New Zealand month it was made in."""
    return timezone.localtime(moment).date().replace(day=1)


def days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole days from one local date to another (time to first contact)."""
    return (timezone.localtime(end).date() - timezone.localtime(start).date()).days


def referral_counts(referral) -> dict[str, int]:
    """What one referral adds to each figure (every figure counts referrals by the month they were made)."""
    contacted = referral.first_contact_at is not None
    return {
        "made": 1,
        "accepted": int(referral.accepted_at is not None),
        "declined_no_capacity": int(referral.decline_reason == DeclineReason.NO_CAPACITY),
        "contacted": int(contacted),
        "days_to_first_contact": days_between(referral.made_at, referral.first_contact_at) if contacted else 0,
        "engaged": int(referral.engaged_at is not None),
        "completed": int(referral.outcome == Outcome.COMPLETED),
    }


@dataclass(frozen=True)
class ReferralsExpired:
    reduced: int
    tallies: int
    cutoff: dt.datetime


@transaction.atomic
def referrals_expire(*, user=None, now: dt.datetime | None = None) -> ReferralsExpired:
    """Delete every referral closed, declined or withdrawn before the retention period (the ``ROCC_REFERRALS``
    setting's ``retention_days``), and open ones made before it, after adding what each counted to the tallies by
    service, unit and month made, so the figures stay the same. The referral, its identifying details, its steps and
    its pseudonym are gone; the run is recorded in the audit trail."""
    if user is not None and not user.has_perm("referrals.run_expiry"):
        raise Refused("Only an administrator runs the retention expiry.")
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    expired = Referral.objects.select_for_update().filter(made_at__lt=cutoff)
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ids = []
    for referral in expired.only(
        "pk", "service_id", "provider_id", "unit_id", "made_at", "accepted_at", "decline_reason", "first_contact_at", "engaged_at", "outcome"
    ):
        cell = totals[(referral.service_id, referral.provider_id, referral.unit_id, month_of(referral.made_at))]
        for name, value in referral_counts(referral).items():
            cell[name] += value
        ids.append(referral.pk)
    for (service_id, provider_id, unit_id, month), counts in totals.items():
        tally, _ = ReferralTally.objects.get_or_create(service_id=service_id, unit_id=unit_id, month=month, defaults={"provider_id": provider_id})
        ReferralTally.objects.filter(pk=tally.pk).update(**{name: F(name) + value for name, value in counts.items()})
    for start in range(0, len(ids), 500):
        Referral.objects.filter(pk__in=ids[start : start + 500]).delete()
    system_event_record(
        what="referrals past their retention period reduced to counts",
        actor=user if getattr(user, "is_authenticated", False) else None,
        details={"reduced": len(ids), "tallies": len(totals), "cutoff": cutoff.isoformat(), "retention_days": retention_days()},
    )
    return ReferralsExpired(reduced=len(ids), tallies=len(totals), cutoff=cutoff)


# --------------------------------------------------------------------------------------------------
# Referral figures as measures' computed observations

# Each referral indicator (shipped with measures' content) and the count it takes from a referral.
FIGURE_INDICATORS = {
    "referrals-made": "made",
    "referrals-accepted": "accepted",
    "referrals-declined-no-capacity": "declined_no_capacity",
    "referrals-contacted": "contacted",
    "referrals-engaged": "engaged",
    "referrals-completed": "completed",
}
TIME_TO_CONTACT_INDICATOR = "referral-days-to-first-contact"  # total days over referrals-contacted: the mean
SOURCE_REF = "referrals"


@dataclass(frozen=True)
class ReferralFiguresComputed:
    observations: int
    months: int
    units: int
    indicators: tuple[str, ...]
    missing_indicators: tuple[str, ...]


def referral_cells() -> dict[tuple[int, dt.date, str], dict[str, int]]:
    """Every figure by (unit id, month, service indicator code), from the referrals and the tallies expired ones left,
    each referral counted in its own unit and every unit above it."""
    units = {u.pk: u for u in OrgUnit.objects.all()}
    by_path = {u.path: u.pk for u in units.values()}
    cells: dict[tuple[int, dt.date, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    service_codes = dict(Service.objects.values_list("pk", "indicator_code"))

    def add(unit_id: int, month: dt.date, service_id: int | None, counts: dict[str, int]) -> None:
        code = service_codes.get(service_id, "") if service_id else ""
        for path in _ancestor_and_self_paths(units[unit_id].path):
            target = by_path.get(path)
            if target is None:
                continue
            for name, value in counts.items():
                cells[(target, month, "")][name] += value
            if code:
                cells[(target, month, code)]["made"] += counts["made"]

    fields = ("unit_id", "service_id", "made_at", "accepted_at", "decline_reason", "first_contact_at", "engaged_at", "outcome")
    for row in Referral.objects.values(*fields).iterator(chunk_size=5000):
        add(row["unit_id"], month_of(row["made_at"]), row["service_id"], referral_counts(_Row(row)))
    for tally in ReferralTally.objects.all():
        counts = {
            name: getattr(tally, name) for name in ("made", "accepted", "declined_no_capacity", "contacted", "days_to_first_contact", "engaged", "completed")
        }
        add(tally.unit_id, tally.month, tally.service_id, counts)
    return cells


class _Row:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def referral_figures_compute(*, user=None) -> ReferralFiguresComputed:
    """Count the referral figures by unit and month and record them through measures as computed observations of the
    referral indicators (and, for a service that names one, of its monitoring-framework indicator such as 'Number of
    referrals / assessments'), each under the definition version in force for its month; recomputing replaces them."""

    if user is not None and not user.has_perm("measures.recompute_statuses"):
        raise Refused("You may not recompute figures.")
    cells = referral_cells()
    wanted = set(FIGURE_INDICATORS) | {TIME_TO_CONTACT_INDICATOR} | {code for (_, _, code) in cells if code}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=wanted)}
    missing = tuple(sorted(wanted - set(indicators)))
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in={unit_id for (unit_id, _, _) in cells})}
    items = []

    def item(code: str, unit_id: int, month: dt.date, numerator: float, denominator: float | None = None, what: str = "") -> None:
        if code in indicators:
            items.append(
                ObservationInput(
                    indicator=indicators[code],
                    unit=units[unit_id],
                    period_start=month,
                    period_end=month_end(month),
                    numerator=float(numerator),
                    denominator=None if denominator is None else float(denominator),
                    period_type="month",
                    provenance=f"Counted from referrals recorded in rocc ({what}, by month made)",
                    source_ref=SOURCE_REF,
                )
            )

    for (unit_id, month, code), counts in cells.items():
        if code:
            item(code, unit_id, month, counts["made"], what="referrals made to services counted towards this indicator")
            continue
        for indicator_code, name in FIGURE_INDICATORS.items():
            item(indicator_code, unit_id, month, counts[name], what=name.replace("_", " "))
        if counts["contacted"]:
            item(TIME_TO_CONTACT_INDICATOR, unit_id, month, counts["days_to_first_contact"], counts["contacted"], what="days to first contact")
    with transaction.atomic():
        # A month whose referrals all expired into tallies still has its counts; a cell with no referral left at all
        # (none ever made) has no figure, so earlier computed figures no longer backed by referrals are removed.
        observations_withdraw(source_ref=SOURCE_REF, actor=user)
        recorded = observations_record_many(items=items, source=SourceKind.COMPUTED, actor=user)
    if indicators:
        statuses_recompute(indicators=list(indicators.values()))
    return ReferralFiguresComputed(
        observations=len(recorded),
        months=len({month for (_, month, _) in cells}),
        units=len(units),
        indicators=tuple(sorted(indicators)),
        missing_indicators=missing,
    )


# --------------------------------------------------------------------------------------------------
# Capacity evidence on an escalated barrier


@transaction.atomic
def capacity_evidence_attach(*, user, barrier, unit: OrgUnit | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None, note: str = ""):
    """Attach "declined: no capacity" by service and area (within the user's scope, over the period) to a barrier of
    the register, as the counts stand now. Refused on a closed barrier or one outside the user's region."""

    if not referral_rules.may_attach_evidence(user, barrier):
        raise Refused("You may attach evidence only to an open barrier of your own region.")
    if date_from and date_to and date_to < date_from:
        raise InvalidInput(field_errors={"date_to": ["The period ends before it starts."]})
    rows = capacity_decline_counts(user=user, unit=unit, date_from=date_from, date_to=date_to)
    return BarrierEvidence.objects.create(barrier=barrier, unit=unit, date_from=date_from, date_to=date_to, rows=rows, note=_text(note), attached_by=user)
