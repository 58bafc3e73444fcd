"""API endpoints for agencies, organisational units, populations, the national structure and users."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from rocc.core.api_fields import IsoDate
from rocc.core.errors import InvalidInput, error_responses
from rocc.org import selectors
from rocc.org.models import OrgUnit
from rocc.org.scope import scope_of
from rocc.org.services import unit_resolve

router = Router(tags=["organisation"])


def unit_named(name: str, *, field: str = "unit") -> OrgUnit:
    """The unit a request names by code, name or alias; a 422 on ``field`` when there is none. Every endpoint that
    takes a unit finds it here."""
    try:
        return unit_resolve(name)
    except ValidationError:
        raise InvalidInput(field_errors={field: [f"No unit with code {name!r}."]}) from None


class AgencyOut(Schema):
    short_name: str
    name: str
    kind: str
    aliases: list[str]


class UnitOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    aliases: list[str]


class PopulationOut(Schema):
    unit: str
    period_start: IsoDate
    period_end: IsoDate
    age_band: str
    sex: str
    ethnicity: str
    value: int
    is_approximate: bool
    source: str


class GroupOut(Schema):
    code: str
    name: str
    short_name: str
    includes: str
    role: str
    duties: list[str]
    kind: str
    level: str


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str | None
    units: list[str]
    agency: str | None


def _unit_out(unit) -> UnitOut:
    return UnitOut(
        code=unit.code, name=unit.name, level=unit.level, parent=unit.parent.code if unit.parent else None, aliases=[a.alias for a in unit.aliases.all()]
    )


def _user_out(user) -> UserOut:
    scope = scope_of(user)
    profile = getattr(user, "profile", None)
    return UserOut(
        id=user.pk,
        username=user.get_username(),
        full_name=user.get_full_name(),
        role=scope.role,
        units=[u.code for u in profile.units.all()] if profile else [],
        agency=profile.agency.short_name if profile and profile.agency else None,
    )


@router.get("/agencies", response=list[AgencyOut], summary="Agencies")
def agencies(request: HttpRequest, q: str = "", kind: str = ""):
    return list(selectors.agency_list(user=request.user, query=q, kind=kind))


@router.get("/agencies/{short_name}", response={200: AgencyOut, **error_responses(404)}, summary="One agency")
def agency(request: HttpRequest, short_name: str):
    return selectors.agency_get(user=request.user, short_name=short_name)


@router.get("/units", response=list[UnitOut], summary="Organisational units (national → district → area)")
def units(request: HttpRequest, q: str = "", level: str = ""):
    return [_unit_out(u) for u in selectors.unit_list(user=request.user, query=q, level=level)]


@router.get("/units/{code}", response={200: UnitOut, **error_responses(404)}, summary="One organisational unit")
def unit(request: HttpRequest, code: str):
    return _unit_out(selectors.unit_get(user=request.user, code=code))


@router.get("/units/{code}/populations", response={200: list[PopulationOut], **error_responses(404)}, summary="A unit's populations")
def unit_populations(request: HttpRequest, code: str):
    found = selectors.unit_get(user=request.user, code=code)
    return [
        PopulationOut(
            unit=p.unit.code,
            period_start=p.period_start,
            period_end=p.period_end,
            age_band=p.age_band,
            sex=p.sex,
            ethnicity=p.ethnicity,
            value=p.value,
            is_approximate=p.is_approximate,
            source=p.source,
        )
        for p in selectors.population_list(user=request.user, unit=found)
    ]


@router.get("/groups", response=list[GroupOut], summary="The national structure for coordinating organised-crime activity")
def groups(request: HttpRequest):
    return list(selectors.national_group_list(user=request.user))


@router.get("/users", response=list[UserOut], summary="Users you may see")
def users(request: HttpRequest):
    return [_user_out(u) for u in selectors.user_list(user=request.user)]


@router.get("/users/{user_id}", response={200: UserOut, **error_responses(404)}, summary="One user (404 when outside your scope)")
def user(request: HttpRequest, user_id: int):
    return _user_out(selectors.user_get(user=request.user, user_id=user_id))


@router.get("/me", response=UserOut, summary="The signed-in user, their role and scope")
def me(request: HttpRequest):
    return _user_out(request.user)
