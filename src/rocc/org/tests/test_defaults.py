"""The shipped reference data: agencies, units with macrons and aliases, populations, the national structure."""

import pytest
from django.core.exceptions import ValidationError

from rocc.org.models import Agency, NationalGroup, OrgUnit, Population
from rocc.org.services import agency_resolve, defaults_load, unit_resolve

ACTION_PLAN_AGENCIES = [
    "Police",
    "APA",
    "MSD",
    "MBIE",
    "Oranga Tamariki",
    "Manatū Hauora",
    "Te Whatu Ora",
    "Te Aka Whai Ora",
    "Kāinga Ora",
    "TPK",
    "SWA",
    "NDIB",
    "GHIC",
    "MoE",
    "MOJ",
    "RPS Policy Office",
    "ROCC",
    "TNOC",
]

DISTRICTS = [
    "Northland",
    "Waitematā",
    "Auckland City",
    "Counties Manukau",
    "Waikato",
    "Bay of Plenty",
    "Eastern",
    "Central",
    "Wellington",
    "Tasman",
    "Canterbury",
    "Southern",
]


def test_every_agency_named_in_the_year_two_action_plan_is_shipped(defaults):
    shipped = set(Agency.objects.values_list("short_name", flat=True))
    assert set(ACTION_PLAN_AGENCIES) <= shipped


def test_action_plan_spellings_resolve_to_the_shipped_agency(defaults):
    assert agency_resolve("OT").short_name == "Oranga Tamariki"
    assert agency_resolve("MoH").short_name == "Manatū Hauora"
    assert agency_resolve("MOE").short_name == "MoE"
    assert agency_resolve("Kainga Ora").short_name == "Kāinga Ora"
    with pytest.raises(ValidationError, match="No agency is called 'Nonesuch'"):
        agency_resolve("Nonesuch")


def test_the_twelve_districts_hang_under_the_national_unit_with_macrons(defaults):
    national = OrgUnit.objects.get(level="national")
    districts = list(national.children.order_by("order").values_list("name", flat=True))
    assert districts == DISTRICTS
    assert all(area.parent.level == "district" for area in OrgUnit.objects.filter(level="area"))
    assert OrgUnit.objects.filter(level="area").count() >= 24


@pytest.mark.parametrize("spelling", ["Waitemata", "waitematā", "Counties/Manukau", "Bay Of Plenty", "counties manukau"])
def test_police_extract_spellings_resolve_to_districts(defaults, spelling):
    assert unit_resolve(spelling).level == "district"


def test_unknown_unit_name_is_refused_by_name(defaults):
    with pytest.raises(ValidationError, match="No organisational unit is called 'Atlantis'"):
        unit_resolve("Atlantis")


def test_descendants_of_a_district_are_its_areas_and_itself(defaults):
    waikato = OrgUnit.objects.get(code="waikato")
    names = set(waikato.descendants().values_list("code", flat=True))
    assert names == {"waikato", "hamilton-city", "waikato-east", "waikato-west"}


def test_district_populations_are_the_approximate_2015_figures_and_labelled_so(defaults):
    districts = Population.objects.filter(unit__level="district")
    assert districts.count() == 12
    assert all(p.is_approximate for p in districts)
    # The national figure is the sum of the districts, so a parent's rate always aggregates its children's.
    assert sum(p.value for p in districts) == Population.objects.get(unit__code="nz").value == 4_595_110
    assert Population.objects.get(unit__code="waitemata").value == 575_550


def test_national_structure_has_every_group_with_role_duties_and_kind(defaults):
    expected = {
        "District",
        "Policy",
        "National Organised Crime Group",
        "National Criminal Investigations Group",
        "Prevention",
        "National Intelligence Functions",
        "Financial Crime Group",
        "Māori, Pacific and Ethnic Services",
        "Crime Services",
        "District Intelligence",
        "Partnerships and Harm Prevention",
        "International Services Group",
        "Frontline",
        "Crime and Drug Prevention Officer",
    }
    groups = {g.name: g for g in NationalGroup.objects.all()}
    assert set(groups) == expected
    for group in groups.values():
        assert group.role and group.duties and group.kind in {"operational", "strategic", "both"}
    assert "Targeting influential members of organised crime groups" in groups["National Organised Crime Group"].duties


def test_loading_defaults_twice_changes_nothing(defaults):
    from rocc.audit.models import AuditEntry

    before = (Agency.objects.count(), OrgUnit.objects.count(), Population.objects.count(), NationalGroup.objects.count())
    changes = AuditEntry.objects.filter(kind="change").count()
    defaults_load()
    assert (Agency.objects.count(), OrgUnit.objects.count(), Population.objects.count(), NationalGroup.objects.count()) == before
    assert AuditEntry.objects.filter(kind="change").count() == changes, "a second load recorded changes"


def test_names_are_stored_composed_so_macrons_compare_equal(defaults):
    decomposed = "Waitema\u0304ta\u0304"
    unit = OrgUnit.objects.get(code="waitemata")
    assert unit.name == "Waitematā" and len(unit.name) == 9
    assert unit_resolve(decomposed) == unit
