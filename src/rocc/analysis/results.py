"""Turning result objects into JSON-safe documents: NaN and infinity become null, never a number."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """A structure of plain lists, dicts, str, int, float and None, with every non-finite float as None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.datetime64):
        return str(value.astype("datetime64[D]"))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


#: Below this a p-value is written as "< 0.001": more digits would claim a precision no test here has.
P_FLOOR = 0.001


def p_text(p: float | None) -> str:
    """A p-value as a person reads it: "< 0.001", else three decimals ("0.032"); "–" when undefined."""
    if p is None or not math.isfinite(float(p)):
        return "–"
    p = float(p)
    if p < P_FLOOR:
        return f"< {P_FLOOR:g}"
    return f"{p:.3f}"


def p_phrase(p: float | None) -> str:
    """ "p < 0.001" or "p = 0.032", for a sentence."""
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"
