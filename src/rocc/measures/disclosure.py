"""Disclosure control for counts and rates that leave rocc: small-cell suppression and random rounding to base 3 (Stats NZ
RR3), the same cell always rounding the same way.

Rules come from the ``ROCC_DISCLOSURE`` setting (``suppress_below``, default 6; ``base``, default 3; ``key``, default
derived from the install's secret key). A count of 1 to ``suppress_below − 1`` is suppressed; zero stays zero; any
other count is rounded to a multiple of ``base``: down with probability 1 − r/base, up otherwise (r the remainder),
which keeps the expected value equal to the true count. The random draw is a keyed hash of the cell's identity, so
asking again cannot average the rounding away. A rate is recomputed from the rounded count and suppressed with it.

``DisclosureGate`` is the one step every outward figure passes: the measures selectors ask ``disclosure_for`` (in
``selectors``) for the gate of the user and unit, and ``protect_series`` turns a true series into the series that user
may see, so status, interval, glide path, trend and forecast are then computed from protected counts alone.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass, replace

from django.conf import settings

from rocc.measures.models import DenominatorKind

SUPPRESSED = None


@dataclass(frozen=True)
class DisclosureRules:
    suppress_below: int = 6
    base: int = 3
    key: bytes = b""

    @property
    def fingerprint(self) -> str:
        """Which rules a stored protected figure was computed under (changes when any rule or the key changes)."""
        return hashlib.sha256(f"{self.suppress_below}|{self.base}|".encode() + self.key).hexdigest()

    @classmethod
    def from_settings(cls) -> DisclosureRules:
        configured = getattr(settings, "ROCC_DISCLOSURE", {}) or {}
        key = configured.get("key") or hmac.new(settings.SECRET_KEY.encode(), b"rocc.measures.disclosure", hashlib.sha256).hexdigest()
        return cls(
            suppress_below=int(configured.get("suppress_below", 6)), base=int(configured.get("base", 3)), key=key.encode() if isinstance(key, str) else key
        )


def cell_uniform(identity: str, key: bytes) -> float:
    """A number in [0, 1) fixed by the cell's identity and the install's key: the cell's own 'random' draw."""
    digest = hmac.new(key, identity.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def random_round(count: int, identity: str, *, base: int, key: bytes) -> int:
    """Round ``count`` to a multiple of ``base``, up with probability remainder/base, deterministic per identity."""
    remainder = count % base
    if remainder == 0:
        return count
    down = count - remainder
    return down + base if cell_uniform(identity, key) < remainder / base else down


def disclose_count(count: float | None, identity: str, *, rules: DisclosureRules | None = None) -> int | None:
    """The count as it may be published: None when suppressed or missing, else randomly rounded."""
    if count is None or (isinstance(count, float) and not math.isfinite(count)):
        return None
    rules = rules or DisclosureRules.from_settings()
    whole = int(round(count))
    if whole == 0:
        return 0
    if whole < rules.suppress_below:
        return SUPPRESSED
    return random_round(whole, identity, base=rules.base, key=rules.key)


def disclose_rate(
    count: float | None, denominator: float | None, factor: float, identity: str, *, rules: DisclosureRules | None = None, denominator_is_count: bool = False
) -> tuple[int | None, float | None, float | None]:
    """(count, denominator, rate) as they may be published: the rate comes from the rounded count (and the rounded
    denominator when it too is a count of people or events rather than a population), and is suppressed with it."""
    rules = rules or DisclosureRules.from_settings()
    shown = disclose_count(count, identity + "|numerator", rules=rules)
    shown_denominator = denominator
    if denominator_is_count and denominator is not None:
        shown_denominator = disclose_count(denominator, identity + "|denominator", rules=rules)
    if shown is None or shown_denominator in (None, 0):
        return shown, shown_denominator, None
    return shown, shown_denominator, shown / shown_denominator * factor


def cell_identity(*, indicator: str, unit: str, period: str, disaggregation: str = "", series: str = "") -> str:
    """The identity a published cell is rounded by: the same figure in any page, export or API answer rounds alike."""
    return "|".join([indicator, unit, period, disaggregation, series])


@dataclass(frozen=True)
class DisclosureGate:
    """What one asker may see of one unit's figures: with ``protect`` false (unit-level output allowed) figures pass
    unchanged; otherwise every count is suppressed or randomly rounded under ``rules``."""

    protect: bool
    rules: DisclosureRules

    def count(self, count: float | None, identity: str) -> float | None:
        """A count as this asker may see it (None when suppressed or missing)."""
        if not self.protect:
            return count
        return disclose_count(count, identity + "|numerator", rules=self.rules)

    def is_suppressed(self, count: float | None, identity: str) -> bool:
        return self.protect and count is not None and count != 0 and self.count(count, identity) is None

    def rate(
        self, count: float | None, denominator: float | None, factor: float, identity: str, *, denominator_is_count: bool = False
    ) -> tuple[float | None, float | None, float | None]:
        """(count, denominator, rate) as this asker may see them; the rate always comes from the shown count."""
        if not self.protect:
            value = None if count is None or not denominator else count / denominator * factor
            return count, denominator, value
        return disclose_rate(count, denominator, factor, identity, rules=self.rules, denominator_is_count=denominator_is_count)


def protect_series(series, gate: DisclosureGate):
    """The series as the gate lets it out: each counted point's numerator rounded or suppressed, its value recomputed
    from the shown count (and the shown denominator when that is a count too), suppressed points flagged. Published
    figures with no count behind them are already public and pass as they are."""
    if not gate.protect:
        return series
    version = series.version
    count_denominator = version.denominator_kind == DenominatorKind.SERIES
    points = []
    for point in series.points:
        if point.numerator is None:
            points.append(point)
            continue
        identity = cell_identity(
            indicator=series.indicator.code, unit=series.unit.code, period=point.period.key, disaggregation=series.disaggregation, series=series.period_type
        )
        if version.is_rate:
            numerator, denominator, value = disclose_rate(
                point.numerator, point.denominator, version.factor, identity, rules=gate.rules, denominator_is_count=count_denominator
            )
        else:
            numerator = value = disclose_count(point.numerator, identity + "|numerator", rules=gate.rules)
            denominator = None
        suppressed = numerator is None or (version.is_rate and count_denominator and point.denominator and denominator is None)
        points.append(replace(point, numerator=numerator, denominator=denominator, value=None if suppressed else value, suppressed=bool(suppressed)))
    return replace(series, points=points, disclosure_applied=True)
