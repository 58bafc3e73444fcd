"""Rates and disaggregation cells: the arithmetic every measures figure shares, with no reads or writes."""

from __future__ import annotations

import math
from collections.abc import Mapping

from rocc.core.errors import InvalidInput
from rocc.core.text import nfc


class ObservationInvalid(InvalidInput, ValueError):
    """An observation that cannot be recorded; the message says which figure and why."""


def disaggregation_key(cell: Mapping[str, str] | str | None) -> str:
    """The canonical key of a disaggregation cell: "" for the total, else sorted ``dimension=value`` pairs joined by ";"."""
    if not cell:
        return ""
    if isinstance(cell, str):
        pairs = [part.split("=", 1) for part in cell.split(";") if part.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ObservationInvalid(f"Disaggregation {cell!r} is not 'dimension=value' pairs separated by ';'.")
        cell = {k: v for k, v in pairs}
    return ";".join(f"{nfc(str(k)).strip()}={nfc(str(v)).strip()}" for k, v in sorted(cell.items()) if str(v).strip())


def disaggregation_cell(key: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in key.split(";") if part) if key else {}


def rate_value(numerator: float | None, denominator: float | None, factor: int) -> float | None:
    """numerator / denominator × factor; no rate (None) when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    value = numerator / denominator * factor
    return value if math.isfinite(value) else None
