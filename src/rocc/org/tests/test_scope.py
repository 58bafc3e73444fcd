"""The scope filter: which rows a user's organisational scope lets a read return, decided in one place."""

import pytest

from rocc.org.models import OrgUnit, Population, UnitLevel
from rocc.org.scope import NO_SCOPE, Scope, scope_of


def _codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


@pytest.mark.django_db
def test_a_district_scope_holds_the_district_and_its_areas_and_nothing_else(make_user):
    scope = scope_of(make_user("regional_coordinator", units=["waitemata"]))

    found = _codes(scope.filter(OrgUnit.objects.all(), field=None))

    assert found == _codes(OrgUnit.objects.get(code="waitemata").descendants())
    assert {"waitemata", "north-shore"} <= found
    assert "canterbury" not in found and "nz" not in found


@pytest.mark.django_db
def test_the_filter_follows_a_foreign_key_to_the_unit(make_user):
    scope = scope_of(make_user("analyst", units=["waitemata"]))

    populations = scope.filter(Population.objects.all(), field="unit")

    assert populations.exists()
    assert {p.unit.path for p in populations} == set(Population.objects.filter(unit__path__startswith="/nz/waitemata/").values_list("unit__path", flat=True))
    assert not populations.filter(unit__code="canterbury").exists()


@pytest.mark.django_db
def test_a_national_scope_holds_every_unit_of_its_root(make_user):
    scope = scope_of(make_user("programme_manager", units=["nz"]))

    assert scope.national
    assert _codes(scope.filter(OrgUnit.objects.all(), field=None)) == _codes(OrgUnit.objects.all())


@pytest.mark.django_db
def test_a_national_scope_does_not_reach_another_root(make_user):
    other_root = OrgUnit.objects.create(code="aotearoa-test-root", name="Another framework's root", level=UnitLevel.NATIONAL)
    scope = scope_of(make_user("programme_manager", units=["nz"]))

    assert other_root not in scope.filter(OrgUnit.objects.all(), field=None)


@pytest.mark.django_db
def test_a_unit_whose_code_starts_like_a_scope_unit_is_not_inside_it(defaults):
    district = OrgUnit.objects.get(code="waitemata")
    lookalike = OrgUnit.objects.create(code="waitemata-west", name="Waitematā West", level=district.level, parent=district.parent)
    scope = Scope(role="analyst", unit_paths=(district.path,), agency_id=None)

    assert lookalike not in scope.filter(OrgUnit.objects.all(), field=None)
    assert not scope.covers(lookalike.path)


@pytest.mark.django_db
def test_no_units_means_nothing_not_everything(defaults):
    assert not NO_SCOPE.filter(OrgUnit.objects.all(), field=None).exists()
    assert not NO_SCOPE.filter(Population.objects.all(), field="unit").exists()
    assert not OrgUnit.objects.filter(NO_SCOPE.condition(None)).exists()


@pytest.mark.django_db
def test_the_condition_combines_with_other_rules(make_user):
    """A read that also shows national rows to everyone ORs its own rule with the scope's condition."""
    from django.db.models import Q

    scope = scope_of(make_user("regional_coordinator", units=["canterbury"]))

    found = _codes(OrgUnit.objects.filter(Q(level=UnitLevel.NATIONAL) | scope.condition(None)))

    assert "nz" in found and "canterbury" in found
    assert "waitemata" not in found


@pytest.mark.django_db
def test_several_units_are_each_searched(make_user):
    scope = scope_of(make_user("regional_coordinator", units=["waitemata", "canterbury"]))

    found = _codes(scope.filter(OrgUnit.objects.all(), field=None))

    assert {"waitemata", "north-shore", "canterbury"} <= found
    assert found == _codes(OrgUnit.objects.get(code="waitemata").descendants()) | _codes(OrgUnit.objects.get(code="canterbury").descendants())


def test_the_same_rule_holds_for_a_column_of_unit_paths_in_the_event_engine():
    """The event store is queried through Ibis: the scope's column condition keeps the same rows as ``covers``, and a
    scope with no units keeps none (never all); narrowing to a unit outside the scope keeps none either."""
    import ibis

    paths = ["/nz/waitemata/", "/nz/waitemata/north-shore/", "/nz/canterbury/", "/nzx/", "/nz/"]
    table = ibis.memtable({"unit_path": paths})

    def kept(scope: Scope) -> list[str]:
        return sorted(table.filter(scope.column_condition(table.unit_path)).unit_path.to_pyarrow().to_pylist())

    district = Scope(role="analyst", unit_paths=("/nz/waitemata/", "/nz/canterbury/"), agency_id=None)
    assert kept(district) == sorted(p for p in paths if district.covers(p))
    assert kept(NO_SCOPE) == []
    assert kept(district.narrowed("/nz/waitemata/north-shore/")) == ["/nz/waitemata/north-shore/"]
    assert kept(district.narrowed("/nz/auckland/")) == []
