"""A user's role and organisational scope, read once per request and cached on the user object."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from rocc.org.models import OrgUnit, Profile, Role


@dataclass(frozen=True)
class Scope:
    role: str | None
    unit_paths: tuple[str, ...]
    agency_id: int | None

    @property
    def national(self) -> bool:
        return any(path.count("/") == 2 for path in self.unit_paths)

    def covers(self, unit_path: str) -> bool:
        """True when the unit with this path is one of the scope's units or below one of them."""
        return any(unit_path.startswith(path) for path in self.unit_paths)

    def condition(self, field: str | None = "unit") -> Q:
        """The filter for rows whose unit lies within the scope: ``field`` names the foreign key to an OrgUnit, or is
        None when the rows are OrgUnits themselves. With no units it matches nothing (never everything)."""
        lookup = f"{field}__path__startswith" if field else "path__startswith"
        # A unit's path is its ancestors' codes, so "within the scope" is one prefix match per scope unit, which is
        # also what keeps a national user for one root from seeing another root's records.
        condition = Q(pk__in=[])
        for path in self.unit_paths:
            condition |= Q(**{lookup: path})
        return condition

    def column_condition(self, column):
        """The same rule for a column of unit paths in an engine expression (an Ibis column of the event store): one
        prefix match per scope unit, and with no units a condition that matches nothing."""
        condition = None
        for path in self.unit_paths:
            clause = column.startswith(path)
            condition = clause if condition is None else condition | clause
        return condition if condition is not None else column.isnull() & column.notnull()

    def narrowed(self, unit_path: str) -> Scope:
        """The scope limited to one unit it covers (the same scope with no units when it does not cover it)."""
        return Scope(role=self.role, unit_paths=(unit_path,) if self.covers(unit_path) else (), agency_id=self.agency_id)

    def filter(self, queryset: QuerySet, *, field: str | None = "unit") -> QuerySet:
        """``queryset`` limited to the rows whose unit is one of the scope's units or below one of them."""
        if not self.unit_paths:
            return queryset.none()
        return queryset.filter(self.condition(field))


NO_SCOPE = Scope(role=None, unit_paths=(), agency_id=None)


def scope_of(user) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_rocc_scope", None)
    if cached is not None:
        return cached

    try:
        profile = user.profile
    except Profile.DoesNotExist:
        profile = None
    role = profile.role if profile else (Role.ADMINISTRATOR if user.is_superuser else None)
    if role == Role.ADMINISTRATOR:
        # Administrators look after the whole system, so their scope is every root unit.
        paths = tuple(OrgUnit.objects.filter(parent__isnull=True).values_list("path", flat=True))
    else:
        paths = tuple(profile.units.values_list("path", flat=True)) if profile else ()
    scope = Scope(role=role, unit_paths=paths, agency_id=profile.agency_id if profile else None)
    user._rocc_scope = scope
    return scope
