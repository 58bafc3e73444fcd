"""The field types the API's schemas share where pydantic's lax reading would accept what the document refuses: a
date only as an ISO date (`2026-07-01`, never a number read as seconds since 1970), and a whole number in a JSON body
only as a number (never `true` or `"3"`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, Strict

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


#: A date the API reads only from its ISO form (or a date object, on the way out).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]

#: A whole number in a JSON body: `true` and `"3"` are refused rather than read as 1 and 3.
BodyInt = Annotated[int, Strict()]

# Codes from open sets (units, indicators, periods) cannot be an enum: the document shows real ones as examples, so a
# request built from the document names a unit or an indicator that exists instead of one that is refused.

#: An organisational unit's code.
UnitCode = Annotated[str, Field(examples=["waitemata", "canterbury", "nz"])]

#: An indicator's code in the Measures catalogue.
IndicatorCode = Annotated[str, Field(examples=["bps-total-crime-rate", "bps-violent-crime-rate"])]

#: A reporting period as a return is written: a month, a quarter, a year or a July–June year.
PeriodKey = Annotated[str, Field(examples=["2025-03", "2025-Q1", "2025", "2024/25"])]
