"""The arithmetic of risk prioritisation: checking ratings against a methodology's scales and turning them into a score.

A score runs from 0 to 100::

    score = 100 × harm × likelihood × (floor + (1 − floor) × modifiers)

where each of ``harm``, ``likelihood`` and ``modifiers`` is the weighted mean of its dimensions' ratings, each rating
first placed on 0–1 by its own scale ((rating − bottom) / (top − bottom)). A role with no weighted dimension counts
as 1. Harm and likelihood multiply, so a grave harm that will not happen, or a likely event that harms no one, ranks
low; the modifiers (confidence in the information, organisational position) can lower a score towards ``floor`` of
itself but never to nothing, so a poorly sourced but grave risk still reaches the agenda.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    role: str  # "harm", "likelihood" or "modifier"
    scale_min: int
    scale_max: int
    weight: float


class RatingsInvalid(ValueError):
    """Ratings that do not fit the methodology; ``problems`` maps each dimension code to what is wrong."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{code}: {text}" for code, text in problems.items()))


def ratings_check(dimensions: list[Dimension], ratings: Mapping[str, object]) -> dict[str, int]:
    """The ratings as whole numbers, or RatingsInvalid naming every dimension missing, unknown, or off its scale."""
    problems: dict[str, str] = {}
    known = {d.code for d in dimensions}
    for code in ratings:
        if code not in known:
            problems[code] = f"'{code}' is not a dimension of this methodology (its dimensions are: {', '.join(sorted(known))})."
    clean: dict[str, int] = {}
    for dimension in dimensions:
        value = ratings.get(dimension.code)
        if value is None or value == "":
            problems[dimension.code] = f"{dimension.name}: give a rating from {dimension.scale_min} to {dimension.scale_max}."
            continue
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            problems[dimension.code] = f"{dimension.name}: {value!r} is not a whole number from {dimension.scale_min} to {dimension.scale_max}."
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            problems[dimension.code] = f"{dimension.name}: {value!r} is not a whole number from {dimension.scale_min} to {dimension.scale_max}."
            continue
        if not dimension.scale_min <= number <= dimension.scale_max:
            problems[dimension.code] = f"{dimension.name}: {number} is outside its scale, which runs from {dimension.scale_min} to {dimension.scale_max}."
            continue
        clean[dimension.code] = number
    if problems:
        raise RatingsInvalid(problems)
    return clean


def _weighted_mean(dimensions: list[Dimension], ratings: dict[str, int]) -> float:
    total_weight = sum(d.weight for d in dimensions)
    if total_weight <= 0:
        return 1.0
    return sum(d.weight * (ratings[d.code] - d.scale_min) / (d.scale_max - d.scale_min) for d in dimensions) / total_weight


def risk_score(dimensions: list[Dimension], ratings: Mapping[str, object], *, modifier_floor: float) -> Decimal:
    """The score (0–100, two decimals) that checked ratings give under these dimensions."""
    clean = ratings_check(dimensions, ratings)
    by_role = {role: [d for d in dimensions if d.role == role] for role in ("harm", "likelihood", "modifier")}
    harm = _weighted_mean(by_role["harm"], clean)
    likelihood = _weighted_mean(by_role["likelihood"], clean)
    modifiers = _weighted_mean(by_role["modifier"], clean)
    value = 100 * harm * likelihood * (modifier_floor + (1 - modifier_floor) * modifiers)
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
