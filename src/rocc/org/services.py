"""Every write to the organisation model: loading the shipped reference data, users and their scopes."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from importlib import resources

import yaml
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from rocc.audit.services import shipped_content_load
from rocc.core.text import fold
from rocc.org.models import Agency, NationalGroup, OrgUnit, Population, Profile, Role, UnitAlias, UnitLevel


@dataclass(frozen=True)
class DefaultsLoaded:
    agencies: int
    units: int
    aliases: int
    populations: int
    groups: int


def _default_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("rocc.org.defaults").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _split(cell: str) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


@shipped_content_load
def defaults_load() -> DefaultsLoaded:
    """Create or update the shipped agencies, units, aliases, populations and national structure.

    Running it again changes nothing that is already as shipped, and never removes what users added.
    """
    agencies = 0
    for row in _default_rows("agencies.csv"):
        Agency.objects.update_or_create(
            short_name=row["short_name"],
            defaults={"name": row["name"], "kind": row["kind"], "aliases": _split(row["aliases"]), "description": row["description"]},
        )
        agencies += 1

    units = aliases = 0
    by_code: dict[str, OrgUnit] = {}
    for row in _default_rows("units.csv"):
        parent = by_code[row["parent"]] if row["parent"] else None
        unit, _ = OrgUnit.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "parent": parent, "order": int(row["order"]), "notes": row["notes"]},
        )
        by_code[unit.code] = unit
        units += 1
        for alias in _split(row["aliases"]):
            UnitAlias.objects.update_or_create(alias_folded=fold(alias), defaults={"unit": unit, "alias": alias})
            aliases += 1

    populations = 0
    for row in _default_rows("populations.csv"):
        Population.objects.update_or_create(
            unit=by_code[row["unit"]],
            period_start=dt.date.fromisoformat(row["period_start"]),
            period_end=dt.date.fromisoformat(row["period_end"]),
            age_band="",
            sex="",
            ethnicity="",
            defaults={"value": int(row["value"]), "is_approximate": row["is_approximate"] == "true", "source": row["source"]},
        )
        populations += 1

    groups = 0
    structure = yaml.safe_load(resources.files("rocc.org.defaults").joinpath("national_structure.yaml").read_text(encoding="utf-8"))
    for order, group in enumerate(structure, start=1):
        NationalGroup.objects.update_or_create(
            code=group["code"],
            defaults={
                "name": group["name"],
                "short_name": group.get("short_name", ""),
                "includes": group.get("includes", ""),
                "role": group["role"],
                "duties": group["duties"],
                "kind": group["kind"],
                "level": group["level"],
                "notes": group.get("notes", ""),
                "order": order,
            },
        )
        groups += 1
    return DefaultsLoaded(agencies=agencies, units=units, aliases=aliases, populations=populations, groups=groups)


def unit_resolve(name: str) -> OrgUnit:
    """The unit a name, code or alias refers to, with or without macrons ("Waitemata" → Waitematā)."""
    key = fold(name)
    unit = OrgUnit.objects.filter(code=name.strip()).first() or OrgUnit.objects.filter(name_folded=key).first()
    if unit is None:
        alias = UnitAlias.objects.select_related("unit").filter(alias_folded=key).first()
        unit = alias.unit if alias else None
    if unit is None:
        raise ValidationError(f"No organisational unit is called '{name}'.")
    return unit


def unit_national() -> OrgUnit:
    """The national unit: the one root of the organisational tree (the model's constraint allows no other)."""
    return OrgUnit.objects.get(parent__isnull=True)


def agency_resolve(name: str) -> Agency:
    """The agency a short name, full name or alias refers to, with or without macrons."""
    key = fold(name)
    for agency in Agency.objects.all():
        if key in {fold(agency.short_name), fold(agency.name), *(fold(a) for a in agency.aliases)}:
            return agency
    raise ValidationError(f"No agency is called '{name}'.")


NATIONAL_ROLES = {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER}


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    units: list[OrgUnit] | None = None,
    agency: Agency | None = None,
    email: str = "",
    full_name: str = "",
) -> Profile:
    """Create a user with a role and scope. National roles get the national unit when no unit is named;
    other roles must name at least one unit, and a provider reporter must name its agency."""
    User = get_user_model()
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role '{role}'; choose one of: {', '.join(Role.values)}."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"A user called '{username}' already exists."})
    units = list(units or [])
    if not units:
        if role in NATIONAL_ROLES:
            units = list(OrgUnit.objects.filter(level=UnitLevel.NATIONAL))
        else:
            raise ValidationError({"units": "Name at least one organisational unit for this role's scope."})
    if role == Role.PROVIDER_REPORTER and agency is None:
        raise ValidationError({"agency": "A provider reporter reports for an agency: name it."})
    first, _, last = full_name.partition(" ")
    user = User(username=username, email=email, first_name=first, last_name=last)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.is_staff = role == Role.ADMINISTRATOR  # admin access through the rules, never as superuser
    user.save()
    profile = Profile.objects.create(user=user, role=role, agency=agency)
    profile.units.set(units)
    return profile
