"""How long an identifier, a name and a piece of free text may be, and which event dates are plausible: the one place
each bound is set, used by the importers, the file schemas, the API schemas (so the OpenAPI document shows them) and
the save of every model that stores text."""

from __future__ import annotations

import datetime as dt
import os
from typing import Annotated

from django.conf import settings
from django.utils import timezone
from pydantic import StringConstraints

IDENTIFIER_MAX = 100  # an event id, a person identifier, a code
NAME_MAX = 300  # a title or a name
TEXT_MAX = 50_000  # free text: a goal, a description, a narrative, a comment (about 25 pages)

Identifier = Annotated[str, StringConstraints(max_length=IDENTIFIER_MAX)]
Name = Annotated[str, StringConstraints(max_length=NAME_MAX)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]

EVENTS_EARLIEST = dt.date(1900, 1, 1)
CLOCK_SKEW = dt.timedelta(days=1)  # a clock that runs a little ahead does not make today's events "in the future"


class BoundSettingInvalid(ValueError):
    """A deployment's bound setting that is not what it should be (the message says which and why)."""


def too_long(value: str, limit: int) -> str:
    """What to say about text past its bound, without repeating the text."""
    return f"is {len(value):,} characters long; at most {limit:,} are allowed"


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
