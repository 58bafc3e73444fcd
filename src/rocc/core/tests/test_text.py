"""Search folds text the one way (rocc.core.text.fold): macrons and accents off, lower case, and the typographic
apostrophes that word processors and phones type made ASCII, so a name matches however its apostrophe was typed."""

from __future__ import annotations

import pytest

from rocc.core.text import fold, nfc
from rocc.org.models import Agency, AgencyKind, UnitAlias
from rocc.org.selectors import agency_list, unit_list
from rocc.org.services import unit_resolve


@pytest.mark.parametrize("typed", ["O’Neill", "O‘Neill", "Oʼneill", "O'Neill", "o'neill"])
def test_every_apostrophe_folds_to_the_ascii_one(typed):
    assert fold(typed) == "o'neill"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Whānau", "whanau"),
        ("Waitematā", "waitemata"),
        ("Tāmaki Makaurau", "tamaki makaurau"),
        ("Ngāti Whātua Ōrākei", "ngati whatua orakei"),
        ("Kāinga Ora", "kainga ora"),
        ("whanau", "whanau"),
        ("  Café  ", "cafe"),
        ("", ""),
    ],
)
def test_maori_names_with_macrons_fold_as_before(text, folded):
    assert fold(text) == folded
    assert fold(nfc(text)) == folded  # stored NFC or typed decomposed, the same search form


def test_folding_keeps_the_stored_text_as_it_was_typed():
    assert nfc("Hawke’s Bay") == "Hawke’s Bay"


@pytest.mark.django_db
def test_a_unit_named_with_a_typographic_apostrophe_is_the_unit_with_an_ascii_one(defaults):
    hawkes_bay = unit_resolve("Hawke's Bay")
    assert unit_resolve("Hawke’s Bay") == hawkes_bay
    assert unit_resolve("HAWKEʼS BAY") == hawkes_bay


@pytest.mark.django_db
def test_searching_with_a_typographic_apostrophe_finds_names_typed_with_the_ascii_one(defaults, make_user):
    administrator = make_user("administrator")
    unit = unit_resolve("Hawke's Bay")
    UnitAlias.objects.create(unit=unit, alias="O'Neill's Corner")
    Agency.objects.create(short_name="ONT", name="O'Neill Whānau Trust", kind=AgencyKind.NGO)

    assert list(unit_list(user=administrator, query="O’Neill")) == [unit]
    assert [a.short_name for a in agency_list(user=administrator, query="O’Neill whanau")] == ["ONT"]
    # and the other way round: typed with the typographic one, found with the ASCII one
    Agency.objects.create(short_name="KKT", name="Kuia’s Kāuta Trust", kind=AgencyKind.NGO)
    assert [a.short_name for a in agency_list(user=administrator, query="kuia's kauta")] == ["KKT"]
