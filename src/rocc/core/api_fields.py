"""The field types the API's schemas share where pydantic's lax reading would accept what the document refuses: a
date only as an ISO date (`2026-07-01`, never a number read as seconds since 1970), and a whole number in a JSON body
only as a number (never `true` or `"3"`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Strict

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


#: A date the API reads only from its ISO form (or a date object, on the way out).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]

#: A whole number in a JSON body: `true` and `"3"` are refused rather than read as 1 and 3.
BodyInt = Annotated[int, Strict()]
