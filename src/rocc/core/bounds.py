"""How long an identifier, a name and a piece of free text may be, and which event dates are plausible: the one place
each bound is set, used by the importers, the file schemas, the API schemas (so the OpenAPI document shows them) and
the save of every model that stores text."""

from __future__ import annotations

import datetime as dt
import os
from typing import Annotated, Any, ClassVar, Literal, get_args

from annotated_types import MaxLen
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict, StringConstraints
from pydantic.fields import FieldInfo

IDENTIFIER_MAX = 100  # an event id, a person identifier, a code
NAME_MAX = 300  # a title or a name
TEXT_MAX = 100_000  # free text: a goal, a description, a narrative, a comment (about 50 pages)

Identifier = Annotated[str, StringConstraints(max_length=IDENTIFIER_MAX)]
Name = Annotated[str, StringConstraints(max_length=NAME_MAX)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]

EVENTS_EARLIEST = dt.date(1900, 1, 1)
CLOCK_SKEW = dt.timedelta(days=1)  # a clock that runs a little ahead does not make today's events "in the future"


class BoundedInput(Schema):
    """The base of every API input schema: no text field takes more than ``TEXT_MAX`` characters (a field may set a
    tighter bound with ``Identifier`` or ``Name``); the OpenAPI document shows each bound as ``maxLength``.

    ``bounded_by`` names the models a schema's fields are saved to: a text field named as one of their fields with a
    ``max_length`` takes that bound, so the document shows the length the save enforces and a longer value is refused
    (422, the field named) before any service runs, instead of being documented as valid and then refused."""

    model_config = ConfigDict(str_max_length=TEXT_MAX)
    bounded_by: ClassVar[tuple[type[models.Model] | str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.bounded_by and _bound_by_models(cls):
            cls.model_rebuild(force=True)


def _is_text(annotation: Any) -> bool:
    return annotation is str or str in get_args(annotation)


def _bound_by_models(schema: type[BoundedInput]) -> bool:
    """Give each text field of ``schema`` the tightest ``max_length`` of a same-named field of its models, or, when
    that field takes one of a fixed set (its ``choices``: a status, a kind, a capacity), that set as the field's enum,
    so the document names the values the save accepts and any other is refused (422, the field named) up front."""
    changed = False
    for name, info in schema.model_fields.items():
        if not _is_text(info.annotation):
            continue
        current = min([m.max_length for m in info.metadata if isinstance(m, MaxLen)] or [TEXT_MAX])
        for named in schema.bounded_by:
            # A model may be named as "app_label.Model": a thin layer takes its lengths without importing its rows.
            model = apps.get_model(named) if isinstance(named, str) else named
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if getattr(field, "choices", None):
                _take_choices(info, field)
                changed = True
                break
            limit = getattr(field, "max_length", None)
            if limit and limit < current:
                info.metadata.append(MaxLen(limit))
                current, changed = limit, True
    return changed


def _take_choices(info: FieldInfo, field: Any) -> None:
    """Make a text field one of the model field's choices (and "" where the model allows a blank or the schema's
    default is ""), keeping None where the schema allowed it."""
    values = [str(value) for value, _ in field.flatchoices if value is not None]
    if "" not in values and (field.blank or info.default == ""):
        values.insert(0, "")
    enum: Any = Literal[tuple(values)]
    info.annotation = enum | None if type(None) in get_args(info.annotation) else enum
    info.metadata = [m for m in info.metadata if not isinstance(m, MaxLen)]


#: Text in a query string (a filter, a search, a stated purpose): a request line is at most about 4 KB, which the web
#: server refuses past with its own 400 before rocc sees it, and one character may take 12 once percent-encoded.
QUERY_TEXT_MAX = 200


class BoundedQuery(Schema):
    """The base of every API query-string schema: no text field takes more than ``QUERY_TEXT_MAX`` characters, so a
    request the OpenAPI document calls valid fits in the URL the server reads."""

    model_config = ConfigDict(str_max_length=QUERY_TEXT_MAX)


class BoundSettingInvalid(ValueError):
    """A deployment's bound setting that is not what it should be (the message says which and why)."""


def too_long(value: str, limit: int) -> str:
    """What to say about text past its bound, without repeating the text."""
    return f"is {len(value):,} characters long; at most {limit:,} are allowed"


def text_bound_check(value: str | None, *, field: str, label: str, limit: int = TEXT_MAX) -> None:
    """Refuse text past its bound for a service that takes it without a model or schema in between (a return's
    comment or note): ValidationError on ``field``, saying how long the text is."""
    if value and len(value) > limit:
        raise ValidationError({field: f"{label} {too_long(value, limit)}."})


def shown_input(value: object) -> str:
    """A refused value as a message shows it: itself when short, else how long it is (a 3 MB text is not echoed)."""
    if isinstance(value, str) and len(value) > 200:
        return f"a text of {len(value):,} characters"
    shown = repr(value)
    return shown if len(shown) <= 200 else f"a value of {len(shown):,} characters"


def events_earliest() -> dt.date:
    """The earliest plausible event date: ``ROCC_EVENTS_EARLIEST`` (YYYY-MM-DD, the Django setting or the environment)
    when the deployment sets one, else 1900-01-01."""
    configured = getattr(settings, "ROCC_EVENTS_EARLIEST", None) or os.environ.get("ROCC_EVENTS_EARLIEST", "")
    if not configured:
        return EVENTS_EARLIEST
    if isinstance(configured, dt.date):
        return configured
    try:
        return dt.date.fromisoformat(str(configured).strip())
    except ValueError:
        raise BoundSettingInvalid(f"ROCC_EVENTS_EARLIEST is '{configured}': expected a date written YYYY-MM-DD") from None


def events_window(today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The first and the last moment an event may be dated: from the earliest date to the end of tomorrow."""
    today = today or timezone.localdate()
    latest = dt.datetime.combine(today + CLOCK_SKEW, dt.time.max)
    return dt.datetime.combine(events_earliest(), dt.time.min), latest
