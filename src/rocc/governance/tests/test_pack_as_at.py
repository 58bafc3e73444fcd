"""A pack for a period shows the figures as at the period's end: a figure for a later period, however soon it arrives,
is not in it, and the scorecard's statuses are computed from the series as it stood at the period's end."""

from __future__ import annotations

from django.utils import timezone

from rocc.governance.periods import quarter_of
from rocc.governance.selectors import pack_contents
from rocc.measures.models import SourceKind
from rocc.measures.periods import add_months, month_end
from rocc.measures.selectors import scorecard_for
from rocc.measures.services import ObservationInput, observations_record_many, statuses_recompute


def _cells(contents) -> dict:
    return {(c["indicator"], c["unit"]): c for row in contents.scorecard["rows"] for c in row["cells"] if c}


def test_a_figure_for_a_period_after_the_packs_end_leaves_that_quarters_pack_unchanged(world):
    manager, nz, waitemata, indicator = world["manager"], world["nz"], world["waitemata"], world["indicator"]
    quarter = quarter_of(add_months(timezone.localdate(), -6))
    before = pack_contents(user=manager, unit=nz, period=quarter, audience="internal")
    cell = _cells(before)[(indicator.code, "waitemata")]
    assert cell["period"] == f"{quarter.end:%Y-%m}"  # the quarter's last month, though later months are held

    later = add_months(quarter.end.replace(day=1), 1)
    observations_record_many(
        items=[ObservationInput(indicator=indicator, unit=waitemata, period_start=later, period_end=month_end(later), numerator=500)],
        source=SourceKind.RETURN,
    )
    statuses_recompute()
    after = pack_contents(user=manager, unit=nz, period=quarter, audience="internal")
    assert after.scorecard == before.scorecard
    assert after.curves == before.curves
    monthly = [p["period"] for curve in after.curves if curve["indicator"] == indicator.code for p in curve["points"]]
    assert monthly and max(monthly) == f"{quarter.end:%Y-%m}"

    # The pages show the new figure, so the pack would have changed had it read the latest figures.
    latest = scorecard_for(user=manager, units=[waitemata], indicator=indicator, with_intervals=False)["rows"][0]["cells"][0]
    assert latest["period"] > cell["period"]
    # A pack for the quarter the new figure falls in holds it.
    with_it = pack_contents(user=manager, unit=nz, period=quarter_of(later), audience="internal")
    assert _cells(with_it)[(indicator.code, "waitemata")]["value"] != cell["value"]
