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


@pytest.mark.django_db
def test_the_migration_refolds_search_columns_stored_with_typographic_apostrophes(defaults, make_user):
    import importlib

    from django.apps import apps
    from django.db import connection

    refold = importlib.import_module("rocc.core.migrations.0002_fold_typographic_apostrophes").fold_apostrophes
    administrator = make_user("administrator")
    trust = Agency.objects.create(short_name="ONT", name="O'Neill Whānau Trust", kind=AgencyKind.NGO)
    unit = unit_resolve("Hawke's Bay")
    alias = UnitAlias.objects.create(unit=unit, alias="O'Neill's Corner")
    taken = UnitAlias.objects.create(unit=unit, alias="Kuia's Corner")
    UnitAlias.objects.create(unit=unit, alias="Kuia’s Corner Two")
    # as the folding before this release stored them
    Agency.objects.filter(pk=trust.pk).update(search_text="ont o’neill whanau trust")
    UnitAlias.objects.filter(pk=alias.pk).update(alias_folded="o’neill’s corner")
    UnitAlias.objects.filter(alias="Kuia’s Corner Two").update(alias_folded="kuia’s corner")  # its new value is taken
    assert list(agency_list(user=administrator, query="O'Neill")) == []

    refold(apps, connection.schema_editor())  # (not entered: the step only asks it which database it migrates)

    assert [a.short_name for a in agency_list(user=administrator, query="O’Neill")] == ["ONT"]
    assert UnitAlias.objects.get(pk=alias.pk).alias_folded == "o'neill's corner"
    assert UnitAlias.objects.get(pk=taken.pk).alias_folded == "kuia's corner"
    assert UnitAlias.objects.get(alias="Kuia’s Corner Two").alias_folded == "kuia’s corner"  # left as it was
