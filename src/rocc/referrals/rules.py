"""Who keeps and reads the services directory, who refers, and who reads and works on a referral.

- The directory: the programme office (administrators, programme managers) and regional coordinators read all of it
  and keep any entry; a provider keeps its own agency's entries; a referrer reads the active services.
- Who may refer: Police roles (analysts, including the Victim Focus desk, and Tasking & Coordination members, with no
  agency or Police as their agency) and staff of the referring agencies named in the ``ROCC_REFERRALS`` setting
  (Police and Kāinga Ora by default), in any role that works in units, within their own units.
- A referral is read by the referrer's side (a referrer whose units cover the referral's unit, of the same agency) and
  by the receiving provider (its provider reporters); nobody else reads it, programme staff included: they see the
  referral figures, through disclosure control. Every look is logged with its purpose (the selectors do that).
- The receiving provider accepts, declines, records contact, engagement and the outcome; either side closes it or
  records that consent was withdrawn. Which of these a referral allows now is the moves table in ``models``.
"""

from __future__ import annotations

import rules
from django.conf import settings

from rocc.org.models import Agency
from rocc.org.rules import (
    agency_is_users,
    has_role,
    is_administrator,
    is_analyst,
    is_programme_manager,
    is_provider_reporter,
    is_regional_coordinator,
    is_tc_member,
    unit_in_scope,
)
from rocc.org.scope import scope_of
from rocc.referrals.models import PROVIDER_MOVES, Capacity, LawfulBasis, Move, referral_moves
from rocc.strategy.models import BarrierStatus

DEFAULT_REFERRING_AGENCIES = ("Police", "Kāinga Ora")


def referring_agencies() -> tuple[str, ...]:
    configured = (getattr(settings, "ROCC_REFERRALS", {}) or {}).get("referring_agencies")
    return tuple(configured) if configured else DEFAULT_REFERRING_AGENCIES


def _referring_agency_ids() -> set[int]:
    names = referring_agencies()
    return set(Agency.objects.filter(short_name__in=names).values_list("pk", flat=True))


@rules.predicate
def has_units(user) -> bool:
    return bool(scope_of(user).unit_paths)


@rules.predicate
def has_no_agency_or_police(user) -> bool:
    agency_id = scope_of(user).agency_id
    return agency_id is None or Agency.objects.filter(pk=agency_id, short_name="Police").exists()


@rules.predicate
def works_for_referring_agency(user) -> bool:
    agency_id = scope_of(user).agency_id
    return agency_id is not None and agency_id in _referring_agency_ids()


is_police_role = (is_analyst | is_tc_member) & has_no_agency_or_police
is_agency_referrer = (is_analyst | is_tc_member | is_regional_coordinator | is_provider_reporter) & works_for_referring_agency
is_referrer = (is_police_role | is_agency_referrer) & has_units
is_programme_staff = is_administrator | is_programme_manager | is_regional_coordinator


@rules.predicate
def same_referrer_agency(user, referral) -> bool:
    return getattr(referral, "referrer_agency_id", None) == scope_of(user).agency_id


@rules.predicate
def is_the_referrer(user, referral) -> bool:
    return getattr(referral, "referrer_id", None) == user.pk


# The referrer's side: the referrer, or a referrer of the same agency whose units cover the referral's unit.
on_referrer_side = is_the_referrer | (is_referrer & unit_in_scope & same_referrer_agency)
# The receiving provider: a provider reporter of the agency the referral was made to.
is_receiving_provider = is_provider_reporter & agency_is_users
may_view_referral = on_referrer_side | is_receiving_provider

rules.add_perm("referrals.view_directory", is_programme_staff | is_provider_reporter | is_referrer)
rules.add_perm("referrals.view_whole_directory", is_programme_staff)
rules.add_perm("referrals.add_service", is_programme_staff | is_provider_reporter)
rules.add_perm("referrals.change_service", is_administrator | is_programme_manager | is_regional_coordinator | (is_provider_reporter & agency_is_users))
rules.add_perm("referrals.refer", is_referrer)
rules.add_perm("referrals.refer_in_unit", is_referrer & unit_in_scope)
rules.add_perm("referrals.use_referrals", is_referrer | is_provider_reporter)
rules.add_perm("referrals.view_referral", may_view_referral)
rules.add_perm("referrals.respond", is_receiving_provider)
rules.add_perm("referrals.view_figures", has_role)
rules.add_perm("referrals.view_capacity_evidence", is_programme_staff)
rules.add_perm("referrals.run_expiry", is_administrator)


# Rules that also ask the referral's state (the moves table). Pages and services call these directly.


def moves_for(user, referral) -> list[str]:
    """The moves this user may make on this referral now: the table's moves for its status, each by its side."""
    allowed = referral_moves(referral.status)
    out = []
    for move in allowed:
        if move in PROVIDER_MOVES:
            if is_receiving_provider(user, referral):
                out.append(move)
        elif move == Move.WITHDRAW_CONSENT:
            if referral.lawful_basis == LawfulBasis.CONSENT and may_view_referral(user, referral):
                out.append(move)
        elif may_view_referral(user, referral):  # closing: either side
            out.append(move)
    return out


def may_move(user, referral, move: str) -> bool:
    return move in moves_for(user, referral)


def may_see_identifying_details(user, referral) -> bool:
    """The referrer's side always (they hold the record); the provider until consent is withdrawn."""
    if on_referrer_side(user, referral):
        return True
    return is_receiving_provider(user, referral) and referral.consent_withdrawn_at is None


def may_refer_to(user, service) -> bool:
    """A referrer may send a referral to a listed service that is not closed to new referrals."""
    return bool(is_referrer(user)) and service.is_active and service.capacity != Capacity.CLOSED


def may_attach_evidence(user, barrier) -> bool:
    """Capacity evidence goes on a barrier the user may raise or escalate (their region's, or any for the programme
    office), while the barrier is still open."""

    return bool(is_programme_staff(user)) and user.has_perm("strategy.raise_barrier", barrier) and barrier.status != BarrierStatus.CLOSED
