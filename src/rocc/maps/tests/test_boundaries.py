"""Loading boundaries: a good file (NZTM2000, WGS84, a shapefile) loads with its source and licence; bad geometry, an
unknown unit, mixed coordinate systems, overlaps and a unit given twice refuse the whole file, each problem located
by feature and unit, and nothing changes."""

from __future__ import annotations

import json
import zipfile

import pytest

from rocc.maps.models import Boundary, BoundarySet
from rocc.maps.services import BoundariesRefused, boundaries_import
from rocc.maps.tests.synthetic import SHAPES, box, feature, good_file, to_wgs84, write


@pytest.fixture
def admin(make_user):
    return make_user("administrator")


def _refused(admin, path, **kwargs) -> list[str]:
    with pytest.raises(BoundariesRefused) as caught:
        boundaries_import(actor=admin, path=path, source=kwargs.pop("source", "Synthetic test boundaries"), licence=kwargs.pop("licence", "CC0"), **kwargs)
    assert Boundary.objects.count() == 0 and BoundarySet.objects.count() == 0, "a refused file changed something"
    return [str(p) for p in caught.value.problems]


def test_a_good_nztm_file_loads_every_unit_with_its_source_and_licence(admin, tmp_path):
    loaded = boundaries_import(actor=admin, path=good_file(tmp_path), source="Synthetic test boundaries 2026", licence="CC BY 4.0")
    assert (loaded.created, loaded.replaced, loaded.unchanged) == (6, 0, 0)
    assert loaded.source_crs.startswith("NZTM2000")
    waitemata = Boundary.objects.get(unit__code="waitemata")
    assert waitemata.area_km2 == pytest.approx(20 * 30)
    assert waitemata.boundary_set.source == "Synthetic test boundaries 2026" and waitemata.boundary_set.licence == "CC BY 4.0"
    # Kept in WGS84 for the map: Waitematā's synthetic box is north-west of Auckland.
    assert 174.0 < waitemata.west < waitemata.east < 175.0 and -37.5 < waitemata.south < waitemata.north < -36.0
    assert Boundary.objects.get(unit__code="counties-manukau").area_km2 == pytest.approx(30 * 30 - 10 * 10)


def test_the_same_boundaries_in_wgs84_are_the_same_polygons_and_loading_them_again_adds_nothing(admin, tmp_path):
    boundaries_import(actor=admin, path=good_file(tmp_path), source="Synthetic", licence="CC0")
    again = boundaries_import(actor=admin, path=good_file(tmp_path, wgs84=True, name="wgs84.geojson"), source="Synthetic", licence="CC0")
    assert (again.created, again.replaced, again.unchanged) == (0, 0, 6)
    assert again.source_crs.startswith("WGS84")
    assert BoundarySet.objects.count() == 1


def test_a_new_boundary_for_a_unit_replaces_its_old_one(admin, tmp_path):
    boundaries_import(actor=admin, path=good_file(tmp_path), source="Edition 1", licence="CC0")
    smaller = write(tmp_path / "v2.geojson", [feature("auckland-city", {"type": "Polygon", "coordinates": [box(1_760_000, 5_910_000, 1_765_000, 5_940_000)]})])
    loaded = boundaries_import(actor=admin, path=smaller, source="Edition 2", licence="CC0")
    assert (loaded.created, loaded.replaced) == (0, 1)
    city = Boundary.objects.get(unit__code="auckland-city")
    assert city.area_km2 == pytest.approx(5 * 30) and city.boundary_set.source == "Edition 2"
    assert Boundary.objects.count() == 6


def test_a_self_intersecting_polygon_refuses_the_file_naming_the_feature_the_unit_and_where(admin, tmp_path):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[1_740_000, 5_910_000], [1_760_000, 5_940_000], [1_760_000, 5_910_000], [1_740_000, 5_940_000], [1_740_000, 5_910_000]]],
    }
    path = write(tmp_path / "bad.geojson", [feature("auckland-city", SHAPES["auckland-city"]), feature("waitemata", bowtie)])
    problems = _refused(admin, path)
    assert len(problems) == 1
    assert problems[0].startswith("feature 2, unit 'waitemata': the polygon is not valid: Self-intersection[1750000 5925000]")


def test_a_unit_rocc_does_not_know_refuses_the_file_naming_the_feature_and_the_property(admin, tmp_path):
    path = write(tmp_path / "unknown.geojson", [feature("waitemata", SHAPES["waitemata"]), feature("Atlantis", SHAPES["auckland-city"])])
    assert _refused(admin, path) == ["feature 2, unit 'Atlantis': No organisational unit is called 'Atlantis'. (property 'code')"]


def test_units_are_matched_by_alias_and_name_without_macrons(admin, tmp_path):
    path = write(
        tmp_path / "aliases.geojson",
        [
            {"type": "Feature", "properties": {"DISTRICT": "Waitemata"}, "geometry": SHAPES["waitemata"]},
            {"type": "Feature", "properties": {"DISTRICT": "Tāmaki Makaurau"}, "geometry": SHAPES["auckland-city"]},
        ],
    )
    boundaries_import(actor=admin, path=path, source="Synthetic", licence="CC0", key="DISTRICT")
    assert set(Boundary.objects.values_list("unit__code", flat=True)) == {"waitemata", "auckland-city"}


def test_a_file_mixing_nztm_and_wgs84_is_refused_naming_the_odd_feature(admin, tmp_path):
    path = write(
        tmp_path / "mixed.geojson",
        [
            feature("waitemata", SHAPES["waitemata"]),
            feature("auckland-city", SHAPES["auckland-city"]),
            feature("northland", to_wgs84(SHAPES["northland"])),
        ],
    )
    problems = _refused(admin, path)
    assert problems == [
        "feature 3, unit 'northland': the coordinates are WGS84 (longitude/latitude) but the file's other features are NZTM2000 (EPSG:2193): one file, one coordinate system"
    ]


def test_coordinates_in_neither_system_and_a_declared_other_system_are_refused(admin, tmp_path):
    far = {"type": "Polygon", "coordinates": [box(300_000, 200_000, 310_000, 210_000)]}
    path = write(tmp_path / "far.geojson", [feature("waitemata", far)])
    assert "neither NZTM2000 metres in New Zealand nor longitude/latitude" in _refused(admin, path)[0]
    declared = write(tmp_path / "utm.geojson", [feature("waitemata", SHAPES["waitemata"])], crs={"type": "name", "properties": {"name": "EPSG:32760"}})
    assert any("WGS 84 / UTM zone 60S" in p and "export it in NZTM2000" in p for p in _refused(admin, declared))


def test_every_problem_is_reported_at_once_and_the_good_features_are_not_loaded_either(admin, tmp_path):
    path = write(
        tmp_path / "several.geojson",
        [
            feature("waitemata", SHAPES["waitemata"]),
            feature("Atlantis", SHAPES["auckland-city"]),
            feature("northland", None),
            feature("waitemata", SHAPES["waitemata"]),
            {"type": "Feature", "properties": {"colour": "red"}, "geometry": SHAPES["northland"]},
            feature("southern", {"type": "Point", "coordinates": [1_400_000, 4_900_000]}),
        ],
    )
    problems = _refused(admin, path)
    assert [p.split(":")[0] for p in problems] == [
        "feature 2, unit 'Atlantis'",
        "feature 3, unit 'northland'",
        "feature 4, unit 'waitemata'",
        "feature 5",
        "feature 6, unit 'southern'",
    ]
    assert "has a boundary already, in feature 1" in problems[2]
    assert "expected a Polygon or MultiPolygon, found a Point" in problems[4]


def test_two_boundaries_of_one_level_that_share_land_are_refused(admin, tmp_path):
    overlapping = {"type": "Polygon", "coordinates": [box(1_755_000, 5_910_000, 1_770_000, 5_940_000)]}
    path = write(tmp_path / "overlap.geojson", [feature("waitemata", SHAPES["waitemata"]), feature("auckland-city", overlapping)])
    assert _refused(admin, path) == [
        "feature 2, unit 'auckland-city': overlaps Waitematā (feature 1) by 150.00 km²: boundaries of one level must not share land"
    ]


def test_the_source_and_licence_must_be_given(admin, tmp_path):
    problems = _refused(admin, good_file(tmp_path), source=" ", licence="")
    assert problems == [
        "say where the boundaries come from (--source), e.g. 'NZ Police district boundaries 2023'",
        "say the licence the boundaries are used under (--licence), e.g. 'CC BY 4.0'",
    ]


def test_only_an_administrator_loads_boundaries(make_user, tmp_path):
    from rocc.core.errors import Refused

    for role in ("programme_manager", "analyst", "viewer"):
        with pytest.raises(Refused):
            boundaries_import(actor=make_user(role), path=good_file(tmp_path), source="S", licence="L")
    assert Boundary.objects.count() == 0


def test_a_zipped_shapefile_with_its_projection_loads(admin, tmp_path):
    import shapefile

    folder = tmp_path / "shp"
    folder.mkdir()
    with shapefile.Writer(str(folder / "districts"), shapeType=shapefile.POLYGON) as writer:
        writer.field("UNIT_CODE", "C", size=40)
        for code in ("waitemata", "auckland-city"):
            writer.poly(SHAPES[code]["coordinates"])
            writer.record(code)
    from pyproj import CRS

    (folder / "districts.prj").write_text(CRS.from_epsg(2193).to_wkt("WKT1_ESRI"))
    archive = tmp_path / "districts.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for member in folder.iterdir():
            z.write(member, member.name)
    loaded = boundaries_import(actor=admin, path=archive, source="Synthetic shapefile", licence="CC0")
    assert loaded.created == 2 and loaded.source_crs.startswith("NZTM2000")
    assert Boundary.objects.get(unit__code="auckland-city").area_km2 == pytest.approx(300)


def test_a_file_that_is_not_boundaries_is_refused_saying_what_was_expected(admin, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    assert "expected a GeoJSON file" in _refused(admin, tmp_path / "notes.txt")[0]
    (tmp_path / "broken.geojson").write_text("{not json")
    assert "not valid JSON" in _refused(admin, tmp_path / "broken.geojson")[0]
    (tmp_path / "list.geojson").write_text(json.dumps([1, 2]))
    assert "expected a GeoJSON FeatureCollection" in _refused(admin, tmp_path / "list.geojson")[0]
