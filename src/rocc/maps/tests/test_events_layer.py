"""The events map's columns against the events frame they stand for: the same events with coordinates, the same
dates, offences and counts, scoped and filtered as the events pages are, never a person; in no order unless there are
more than the map draws, then the first by date and event id. Real event store (Parquet through DuckDB)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from rocc.audit.models import AuditEntry
from rocc.events.selectors import events_frame, events_map_points
from rocc.events.testing import event_store, events_create  # noqa: F401  (event_store is a fixture)
from rocc.maps import geometry as geo
from rocc.maps.selectors import events_layer

OFFENCES = ["0211", "0711", "1211", "0111"]


@pytest.fixture
def stored(event_store, make_user):  # noqa: F811
    """60 events in Waitematā (nine without coordinates), 10 in Northland; victims named."""
    rng = np.random.default_rng(4)
    rows = []
    for i in range(60):
        located = i % 7 != 3
        rows.append(
            {
                "event_id": f"W{i:03d}",
                "date": str(pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 300)))).split(" ")[0],
                "offence_code": OFFENCES[i % 4],
                "unit": "North Shore" if i % 2 else "Rodney",
                "x": round(1_755_000 + rng.uniform(-5000, 5000)) if located else "",
                "y": round(5_925_000 + rng.uniform(-5000, 5000)) if located else "",
                "victim": f"V-{i}",
            }
        )
    rows += [{"event_id": f"N{i}", "date": "2024-05-01", "offence_code": "0211", "unit": "Far North", "x": 1_620_000 + i, "y": 6_100_000} for i in range(10)]
    events_create(user=make_user("administrator", username="loader"), rows=rows)


def _decoded(layer: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": layer["id"],
            "lon": (layer["lon0_e5"] + np.array(layer["dlon_e5"], dtype=np.int64)) / 1e5,
            "lat": (layer["lat0_e5"] + np.array(layer["dlat_e5"], dtype=np.int64)) / 1e5,
            "day": layer["day0"] + np.array(layer["dday"], dtype=np.int64),
            "offence": [layer["offences"][k] for k in layer["offence"]],
        }
    )


def test_the_map_columns_are_the_located_events_of_the_frame(stored, make_user):
    analyst = make_user("analyst", units=["waitemata"])
    audit_before = AuditEntry.objects.count()
    layer = events_layer(user=analyst)
    frame = events_frame(user=analyst)
    located = frame[frame["x"].notna() & frame["y"].notna()]
    assert (layer["events"], layer["located"], layer["without_coordinates"], layer["left_off"]) == (60, len(located), 60 - len(located), 0)
    assert len(located) == 60 - 9
    drawn = _decoded(layer).sort_values("event_id").reset_index(drop=True)
    expected = located.sort_values("event_id").reset_index(drop=True)
    assert drawn["event_id"].tolist() == expected["event_id"].tolist()
    lon, lat = geo.lonlat_of_nztm(expected["x"].to_numpy(), expected["y"].to_numpy())
    assert np.abs(drawn["lon"] - lon).max() <= 0.6e-5 and np.abs(drawn["lat"] - lat).max() <= 0.6e-5  # about a metre
    assert drawn["day"].tolist() == expected["date_from"].to_numpy().astype("datetime64[D]").astype(np.int64).tolist()
    assert drawn["offence"].tolist() == expected["offence_code"].tolist()
    assert layer["offences"] == sorted(set(located["offence_code"]))
    assert layer["by_unit"] == [{"unit": "north-shore", "events": 30}, {"unit": "rodney", "events": 30}]
    assert not any("V-" in str(v) for v in layer.values())  # no person, nothing audited
    assert AuditEntry.objects.count() == audit_before


def test_the_map_columns_are_filtered_and_scoped_as_the_frame(stored, make_user):
    analyst = make_user("analyst", units=["waitemata"])
    chosen = events_map_points(user=analyst, unit_code="north-shore", date_from="2024-03-01", offence_codes=["0211"], limit=1000)
    frame = events_frame(user=analyst, unit_code="north-shore", date_from="2024-03-01", offence_codes=["0211"])
    assert sorted(chosen.event_id) == sorted(frame.loc[frame["x"].notna() & frame["y"].notna(), "event_id"])
    assert chosen.events == len(frame) and chosen.by_unit == ({"north-shore": len(frame)} if len(frame) else {})
    national = make_user("administrator", username="admin-2")
    assert {e for e in events_map_points(user=national, limit=1000).event_id if e.startswith("N")} == {f"N{i}" for i in range(10)}
    assert not [e for e in events_map_points(user=analyst, limit=1000).event_id if e.startswith("N")]
    with pytest.raises(Http404):
        events_map_points(user=analyst, unit_code="far-north", limit=1000)
    with pytest.raises(PermissionDenied):
        events_map_points(user=make_user("viewer", units=["waitemata"]), limit=1000)


def test_more_events_than_the_map_draws_keeps_the_first_by_date_and_id(stored, make_user):
    analyst = make_user("analyst", units=["waitemata"])
    chosen = events_map_points(user=analyst, limit=12)
    frame = events_frame(user=analyst, located=True)
    assert chosen.located == len(frame) and chosen.event_id == frame["event_id"].head(12).tolist()
