"""A user's role and organisational scope, read once per request and cached on the user object."""

from __future__ import annotations

from dataclasses import dataclass

from rocc.org.models import Role


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


NO_SCOPE = Scope(role=None, unit_paths=(), agency_id=None)


def scope_of(user) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_rocc_scope", None)
    if cached is not None:
        return cached
    from rocc.org.models import OrgUnit, Profile

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
