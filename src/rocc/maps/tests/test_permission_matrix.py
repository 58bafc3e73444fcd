"""The maps' data endpoints, as a matrix of roles × units: events only in the asker's units and only for roles that
read events (never persons), boundaries and the outline for every role, indicator maps protected for those without
unit-level output."""

from __future__ import annotations

import pytest

from rocc.core.tokens import token_issue
from rocc.events.testing import event_store, events_create  # noqa: F401  (event_store is a fixture)
from rocc.testing import api_call

ROWS = [
    {"event_id": "W1", "date": "2024-03-01", "offence_code": "0211", "unit": "North Shore", "x": 1755000, "y": 5925000, "victim": "V-1"},
    {"event_id": "W2", "date": "2024-06-01", "offence_code": "0711", "unit": "Rodney", "x": "", "y": ""},
    {"event_id": "N1", "date": "2024-05-01", "offence_code": "0211", "unit": "Far North", "x": 1620000, "y": 6100000},
]

# Who sees which events with coordinates on the map (None: refused with this status).
EXPECTED = {
    ("administrator", None): {"W1", "N1"},
    ("programme_manager", None): {"W1", "N1"},
    ("regional_coordinator", "waitemata"): {"W1"},
    ("analyst", "waitemata"): {"W1"},
    ("analyst", "northland"): {"N1"},
    ("tc_member", "waitemata"): {"W1"},
    ("provider_reporter", "waitemata"): 403,
    ("viewer", "waitemata"): 403,
}


@pytest.fixture
def stored(event_store, make_user):
    events_create(user=make_user("administrator", username="loader"), rows=ROWS)


def _token(make_user, role, unit):
    user = make_user(role, units=[unit] if unit else None, agency="MSD" if role == "provider_reporter" else None)
    return token_issue(user=user, name="test")


def test_the_events_layer_shows_each_role_only_its_units_events(stored, make_user):
    found = {}
    for (role, unit), _ in EXPECTED.items():
        status, body = api_call("/api/maps/events", _token(make_user, role, unit))
        found[(role, unit)] = set(body["id"]) if status == 200 else status
    assert found == EXPECTED


def test_the_events_layer_counts_events_without_coordinates_and_carries_no_persons(stored, make_user):
    status, body = api_call("/api/maps/events", _token(make_user, "analyst", "waitemata"))
    assert status == 200
    assert (body["events"], body["located"], body["without_coordinates"], body["left_off"]) == (2, 1, 1, 0)
    assert set(body) == {
        "kind",
        "name",
        "events",
        "located",
        "without_coordinates",
        "left_off",
        "lon0_e5",
        "lat0_e5",
        "dlon_e5",
        "dlat_e5",
        "id",
        "day0",
        "dday",
        "offences",
        "offence",
        "by_unit",
    }
    lon, lat = (body["lon0_e5"] + body["dlon_e5"][0]) / 1e5, (body["lat0_e5"] + body["dlat_e5"][0]) / 1e5
    assert lon == pytest.approx(174.7, abs=0.3) and lat == pytest.approx(-36.9, abs=0.3)
    assert body["offences"][body["offence"][0]] == "0211" and body["day0"] + body["dday"][0] == 19783  # 2024-03-01
    assert "V-1" not in str(body)


def test_one_unit_outside_the_scope_is_not_found_and_anonymous_is_unauthorised(stored, make_user):
    token = _token(make_user, "analyst", "waitemata")
    assert api_call("/api/maps/events?unit=far-north", token)[0] == 404
    assert api_call("/api/maps/events?unit=north-shore", token)[1]["id"] == ["W1"]
    assert api_call("/api/maps/events")[0] == 401
    assert api_call("/api/maps/boundaries")[0] == 401


def test_boundaries_the_outline_and_the_place_lookup_are_reference_data_for_every_role(defaults, make_user, tmp_path):
    from rocc.maps.services import boundaries_import
    from rocc.maps.tests.synthetic import good_file

    boundaries_import(actor=make_user("administrator"), path=good_file(tmp_path), source="Synthetic", licence="CC0")
    for role in ("viewer", "provider_reporter", "analyst"):
        token = _token(make_user, role, "waitemata")
        status, outline = api_call("/api/maps/outline", token)
        assert status == 200 and outline["features"][0]["properties"]["approximate"] is True
        assert "Natural Earth" in outline["features"][0]["properties"]["source"]
        status, boundaries = api_call("/api/maps/boundaries?level=area", token)
        assert status == 200 and sorted(f["properties"]["code"] for f in boundaries["features"]) == ["north-shore", "west-auckland"]
        assert boundaries["features"][0]["properties"]["licence"] == "CC0"
        assert api_call("/api/maps/place?x=1745000&y=5920000", token)[1] == {"unit": "west-auckland", "name": "West Auckland", "outside": False}
        assert api_call("/api/maps/boundary-sets", token)[1][0]["source"] == "Synthetic"
    assert api_call("/api/maps/boundaries?level=suburb", token)[0] == 422


def test_the_indicator_map_endpoint_protects_figures_for_a_viewer(defaults, make_user):
    import datetime as dt

    from rocc.measures.models import SourceKind
    from rocc.measures.services import ObservationInput, indicator_define, observations_record_many
    from rocc.org.models import OrgUnit

    indicator = indicator_define(
        user=None, code="map-count", name="Count", effective_from=dt.date(2000, 1, 1), kind="how_much", unit_label="events",
        numerator_label="Events", denominator_kind="none", factor=1, polarity="lower", period_type="month", data_source="Test",
    )  # fmt: skip
    observations_record_many(
        items=[ObservationInput(indicator=indicator, unit=OrgUnit.objects.get(code=c), period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 1, 31), numerator=n)
               for c, n in (("waitemata", 2), ("northland", 1001))],
        source=SourceKind.IMPORT,
    )  # fmt: skip
    status, viewer = api_call("/api/maps/indicators/map-count", _token(make_user, "viewer", "waitemata"))
    assert status == 200
    units = {u["code"]: u for u in viewer["units"]}
    assert units["waitemata"]["suppressed"] and units["waitemata"]["value"] is None and units["northland"]["value"] != 1001
    status, analyst = api_call("/api/maps/indicators/map-count", _token(make_user, "analyst", "nz"))
    assert {u["code"]: u["value"] for u in analyst["units"]}["waitemata"] == 2
    assert api_call("/api/maps/indicators/no-such", _token(make_user, "analyst", "nz"))[0] == 404
