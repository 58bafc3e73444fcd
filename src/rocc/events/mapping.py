"""A source's column mapping: which column of its files holds each field of an event (pydantic schema, YAML)."""

from __future__ import annotations

from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rocc.core import limits

ROLES = ("victim", "offender")


class PersonColumn(BaseModel):
    """A column of person identifiers and the role those persons played (one identifier per cell)."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["victim", "offender"]
    identifier: str = Field(min_length=1, description="The column holding the person's identifier")


class SourceMapping(BaseModel):
    """How one source's files map to events. Column names are matched exactly (after trimming spaces).

    An event needs an id, a date (``date``) or an occurrence window (``date_from`` and ``date_to``), an
    offence code, and an organisational unit: from the ``unit`` column, or the source's ``default_unit``
    when its files cover one unit. A location is optional: NZTM2000 ``x``/``y`` in metres, or WGS84
    ``latitude``/``longitude`` in degrees (converted to NZTM2000).
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80, pattern=r"^[-a-z0-9_]+$", description="The source's short name")
    description: str = ""
    event_id: str = Field(min_length=1)
    date: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    day_first: bool = Field(True, description="Slashed dates are day/month/year (New Zealand); false for month/day/year")
    offence_code: str = Field(min_length=1)
    x: str | None = None
    y: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    unit: str | None = None
    default_unit: str | None = Field(None, description="The unit of every event when the files have no unit column")
    persons: list[PersonColumn] = Field(default_factory=list)

    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _complete(self) -> SourceMapping:
        if self.date and (self.date_from or self.date_to):
            raise ValueError("give either date, or date_from and date_to, not both")
        if not self.date and not self.date_from:
            raise ValueError("map the event date: date, or date_from (with date_to for an occurrence window)")
        if self.date_to and not self.date_from:
            raise ValueError("date_to needs date_from")
        if bool(self.x) != bool(self.y):
            raise ValueError("map both x and y (NZTM2000 metres), or neither")
        if bool(self.latitude) != bool(self.longitude):
            raise ValueError("map both latitude and longitude (WGS84 degrees), or neither")
        if self.x and self.latitude:
            raise ValueError("map the location once: x/y (NZTM2000) or latitude/longitude (WGS84), not both")
        if not self.unit and not self.default_unit:
            raise ValueError("map the unit column, or give the source a default_unit")
        return self

    @property
    def date_from_column(self) -> str:
        return self.date or self.date_from  # type: ignore[return-value]

    @property
    def date_to_column(self) -> str | None:
        return self.date_to

    def required_columns(self) -> list[str]:
        columns = [self.event_id, self.date_from_column, self.offence_code]
        for name in (self.date_to, self.x, self.y, self.latitude, self.longitude, self.unit):
            if name:
                columns.append(name)
        columns += [p.identifier for p in self.persons]
        return columns


class MappingInvalid(ValueError):
    """A mapping that does not validate; ``problems`` lists each with where it is."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def mapping_from_dict(data: dict, *, source: str = "mapping") -> SourceMapping:
    try:
        return SourceMapping.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "(top level)"
            problems.append(f"{source}: {where}: {error['msg'].removeprefix('Value error, ')}")
        raise MappingInvalid(problems) from None


def mapping_from_yaml(text: str, *, source: str = "mapping.yaml", default_name: str | None = None) -> SourceMapping:
    """Read a mapping from YAML text; errors name the file and the field (or line for bad YAML).
    ``default_name`` is the source's name when the file does not give one."""
    try:
        data = limits.yaml_load(text)  # within the alias, depth and size limits
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise MappingInvalid([f"{source}: {where}not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    if not isinstance(data, dict):
        raise MappingInvalid([f"{source}: expected a mapping of field names to column names"])
    if default_name and "name" not in data:
        data["name"] = default_name
    return mapping_from_dict(data, source=source)


def mapping_to_yaml(mapping: SourceMapping) -> str:
    return yaml.safe_dump(mapping.model_dump(exclude_defaults=True), sort_keys=False, allow_unicode=True)
