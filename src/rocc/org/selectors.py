"""Every read of the organisation model, scoped to the user asking."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from rocc.core.text import fold
from rocc.org.models import Agency, NationalGroup, OrgUnit, Population
from rocc.org.scope import scope_of


def _require_reference(user) -> bool:
    return user.has_perm("org.view_reference")


def agency_list(*, user, query: str = "", kind: str = "") -> QuerySet[Agency]:
    if not _require_reference(user):
        return Agency.objects.none()
    agencies = Agency.objects.all()
    if query:
        agencies = agencies.filter(search_text__contains=fold(query))
    if kind:
        agencies = agencies.filter(kind=kind)
    return agencies


def agency_get(*, user, short_name: str) -> Agency:
    agency = agency_list(user=user).filter(short_name=short_name).first()
    if agency is None:
        raise Http404("No such agency")
    return agency


def unit_list(*, user, query: str = "", level: str = "") -> QuerySet[OrgUnit]:
    if not _require_reference(user):
        return OrgUnit.objects.none()
    units = OrgUnit.objects.select_related("parent").prefetch_related("aliases")
    if query:
        key = fold(query)
        units = units.filter(Q(name_folded__contains=key) | Q(aliases__alias_folded__contains=key) | Q(code__contains=key)).distinct()
    if level:
        units = units.filter(level=level)
    return units


def unit_get(*, user, code: str) -> OrgUnit:
    unit = unit_list(user=user).filter(code=code).first()
    if unit is None:
        raise Http404("No such unit")
    return unit


def units_in_scope(*, user) -> QuerySet[OrgUnit]:
    """The units the user works in, each with its descendants."""
    return scope_of(user).filter(OrgUnit.objects.all(), field=None)


def population_list(*, user, unit: OrgUnit | None = None) -> QuerySet[Population]:
    if not _require_reference(user):
        return Population.objects.none()
    populations = Population.objects.select_related("unit")
    return populations.filter(unit=unit) if unit else populations


def latest_populations(*, user, units: list[OrgUnit]) -> dict[int, Population]:
    """Each unit's most recent all-ages, all-people population, in one read: unit pk → population (a unit without
    one is left out)."""
    rows = population_list(user=user).filter(unit__in=units, age_band="", sex="", ethnicity="").order_by("unit_id", "period_end", "pk")
    return {row.unit_id: row for row in rows}  # ordered by period end, so the latest of each unit is kept


def national_group_list(*, user) -> QuerySet[NationalGroup]:
    return NationalGroup.objects.all() if _require_reference(user) else NationalGroup.objects.none()


def national_group_get(*, user, code: str) -> NationalGroup:
    group = national_group_list(user=user).filter(code=code).first()
    if group is None:
        raise Http404("No such group")
    return group


def user_list(*, user) -> list:
    """The users this user may see: all for the national office, those within scope for a regional
    coordinator, themselves for everyone else."""
    User = get_user_model()
    candidates = (
        User.objects.select_related("profile", "profile__agency")
        .prefetch_related(Prefetch("profile__units", queryset=OrgUnit.objects.only("path", "name", "code")))
        .order_by("username")
    )
    return [other for other in candidates if user.has_perm("org.view_user", other)]


def user_get(*, user, user_id: int):
    User = get_user_model()
    other = User.objects.select_related("profile").filter(pk=user_id).first()
    if other is None or not user.has_perm("org.view_user", other):
        raise Http404("No such user")
    return other


def users_with_role(*roles: str, agency_id: int | None = None) -> QuerySet:
    """Active users holding one of ``roles`` (of one agency when ``agency_id`` is given): the people the system
    tells about work for that role, each then checked against the rule that lets them act on the record."""
    User = get_user_model()
    found = User.objects.filter(is_active=True, profile__role__in=roles)
    if agency_id is not None:
        found = found.filter(profile__agency_id=agency_id)
    return found.select_related("profile").order_by("pk")
