"""Content the benchmarks share: the monthly per-10,000 indicator each of them defines to fill a scorecard."""

from __future__ import annotations

import datetime as dt


def benchmark_indicator(n: int, *, polarity: str, **extra):
    """Benchmark indicator number ``n + 1`` (code bench-NN): monthly, per 10,000 people, defined through the real
    service, with any further fields in ``extra``. Needs Django set up."""
    from rocc.measures.services import indicator_define

    return indicator_define(
        user=None,
        code=f"bench-{n:02d}",
        name=f"Benchmark indicator {n + 1}",
        effective_from=dt.date(2000, 1, 1),
        kind="population",
        unit_label="per 10,000 people",
        numerator_label="Events",
        denominator_kind="population",
        factor=10000,
        polarity=polarity,
        period_type="month",
        **extra,
    )
