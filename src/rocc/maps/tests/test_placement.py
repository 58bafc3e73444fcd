"""Placing points in units: hand-checked points on the small synthetic boundary set (concave shapes, a hole, a shared
edge, a district with no areas), and the events importer placing events that have coordinates but no unit, reporting
by row those outside every boundary."""

from __future__ import annotations

import numpy as np
import pytest

from rocc.events.testing import event_store, events_create  # noqa: F401  (event_store is a fixture)
from rocc.maps.services import boundaries_import
from rocc.maps.tests.synthetic import HAND_CHECKED, good_file


@pytest.fixture
def boundaries(make_user, tmp_path):
    boundaries_import(actor=make_user("administrator"), path=good_file(tmp_path), source="Synthetic", licence="CC0")


def test_every_hand_checked_point_falls_in_the_unit_drawn_for_it(boundaries):
    from rocc.maps.selectors import units_for_points

    points = np.array([p for p, _ in HAND_CHECKED], dtype=np.float64)
    placement = units_for_points(points[:, 0], points[:, 1])
    assert list(zip(map(tuple, points.astype(int).tolist()), placement.codes.tolist(), strict=True)) == [(p, unit) for p, unit in HAND_CHECKED]
    assert placement.outside.tolist() == [unit == "" for _, unit in HAND_CHECKED]


def test_points_without_coordinates_are_outside_and_areas_are_named(boundaries):
    from rocc.maps.selectors import area_names_for_points, units_for_points

    placement = units_for_points(np.array([np.nan, 1_755_000.0]), np.array([5_920_000.0, np.nan]))
    assert placement.codes.tolist() == ["", ""] and placement.placed == 0
    assert area_names_for_points(np.array([1_745_000.0, 1_765_000.0, 1_900_000.0]), np.array([5_920_000.0] * 3)) == ["West Auckland", "Auckland City", None]


def test_a_new_boundary_is_used_at_once(boundaries, tmp_path, make_user):
    from rocc.maps.selectors import units_for_points
    from rocc.maps.tests.synthetic import box, feature, write

    assert units_for_points(np.array([1_775_000.0]), np.array([5_925_000.0])).codes.tolist() == [""]
    wider = write(tmp_path / "wider.geojson", [feature("auckland-city", {"type": "Polygon", "coordinates": [box(1_760_000, 5_910_000, 1_780_000, 5_940_000)]})])
    boundaries_import(actor=make_user("administrator"), path=wider, source="Synthetic 2", licence="CC0")
    assert units_for_points(np.array([1_775_000.0]), np.array([5_925_000.0])).codes.tolist() == ["auckland-city"]


def test_the_importer_places_events_with_coordinates_but_no_unit_and_reports_those_outside_by_row(boundaries, event_store, make_user):
    from rocc.events.selectors import events_frame

    analyst = make_user("analyst", units=["waitemata"])
    batch = events_create(
        user=analyst,
        partial=True,
        rows=[
            {"event_id": "E1", "date": "2024-03-01", "offence_code": "0211", "unit": "", "x": 1755000, "y": 5920000},
            {"event_id": "E2", "date": "2024-03-02", "offence_code": "0211", "unit": "", "x": 1745000, "y": 5935000},
            {"event_id": "E3", "date": "2024-03-03", "offence_code": "0211", "unit": "", "x": 1900000, "y": 5500000},
            {"event_id": "E4", "date": "2024-03-04", "offence_code": "0211", "unit": "Rodney", "x": 1900000, "y": 5500000},
            {"event_id": "E5", "date": "2024-03-05", "offence_code": "0211", "unit": "", "x": 1765000, "y": 5920000},
            {"event_id": "E6", "date": "2024-03-06", "offence_code": "0211", "unit": "", "x": "", "y": ""},
        ],
    )
    assert batch.rows_imported == 3, batch.problems
    by_row = {p["row"]: p["message"] for p in batch.problems}
    assert by_row == {
        4: "the organisational unit is blank, and the point x=1,900,000, y=5,500,000 lies outside every loaded boundary: give the unit",
        6: "Auckland City is outside your scope: you can import events only for your own units",
        7: "the organisational unit is blank",
    }
    stored = events_frame(user=analyst).set_index("event_id")["unit_code"].to_dict()
    assert stored == {"E1": "north-shore", "E2": "west-auckland", "E4": "rodney"}


def test_without_boundaries_an_event_with_no_unit_says_none_are_loaded(event_store, make_user):
    analyst = make_user("analyst", units=["waitemata"])
    batch = events_create(
        user=analyst, partial=True, rows=[{"event_id": "E1", "date": "2024-03-01", "offence_code": "0211", "unit": "", "x": 1755000, "y": 5920000}]
    )
    assert batch.rows_imported == 0
    assert "no boundaries are loaded to place the event by its coordinates" in batch.problems[0]["message"]
