"""A protected scorecard reads the cells the status recompute stored protected, and never cells stored under other
disclosure rules: what a viewer sees is what computing the cell from the protected counts on the spot would give."""

from __future__ import annotations

from rocc.measures.disclosure import DisclosureRules
from rocc.measures.models import StatusSnapshot
from rocc.measures.selectors import scorecard_for


def _computed_on_the_spot(viewer) -> dict:
    """The viewer's scorecard with every stored protected cell set aside, so each is computed on reading."""
    stored = list(StatusSnapshot.objects.values_list("pk", "protected_cell", "protected_rules"))
    StatusSnapshot.objects.update(protected_cell=None)
    try:
        return scorecard_for(user=viewer)
    finally:
        for pk, cell, rules in stored:
            StatusSnapshot.objects.filter(pk=pk).update(protected_cell=cell, protected_rules=rules)


def test_the_recompute_stores_every_cell_protected_under_the_rules_in_force(small_world):
    fingerprint = DisclosureRules.from_settings().fingerprint
    snapshots = StatusSnapshot.objects.filter(indicator=small_world)
    assert snapshots.exists()
    assert all(s.protected_cell is not None and s.protected_rules == fingerprint for s in snapshots)
    # The stored protected figure is a rounded one: a multiple of 3 (or suppressed), never the true small count.
    waitemata = snapshots.get(unit__code="waitemata")
    assert waitemata.latest_numerator is not None and waitemata.protected_cell["numerator"] != waitemata.latest_numerator


def test_a_viewers_scorecard_read_from_stored_cells_equals_the_cells_computed_on_the_spot(small_world, make_user):
    viewer = make_user("viewer", units=["waitemata"])
    assert scorecard_for(user=viewer) == _computed_on_the_spot(viewer)


def test_cells_stored_under_other_disclosure_rules_are_not_read(small_world, make_user, settings):
    viewer = make_user("viewer", units=["waitemata"])
    settings.ROCC_DISCLOSURE = {"suppress_below": 10, "base": 5}
    assert StatusSnapshot.objects.exclude(protected_rules=DisclosureRules.from_settings().fingerprint).exists()
    shown = scorecard_for(user=viewer)
    assert shown == _computed_on_the_spot(viewer)
    numerators = [c["numerator"] for row in shown["rows"] for c in row["cells"] if c and c["numerator"] is not None]
    assert numerators and all(n % 5 == 0 for n in numerators)
