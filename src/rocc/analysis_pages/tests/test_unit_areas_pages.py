"""Spatial autocorrelation over units with boundaries from the event store: the areas are the districts with a loaded
boundary in the analyst's scope (read through the maps selector), the values the events counted in each, the
neighbours the boundaries' queen or rook contiguity; the same answer as the library on the same counts."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
import shapely

from rocc.analysis.contiguity import area_autocorrelation
from rocc.analysis_pages.models import AnalysisRun
from rocc.events.testing import event_store, events_create  # noqa: F401  (event_store is a fixture)
from rocc.maps.services import boundaries_import
from rocc.maps.tests.synthetic import SHAPES, good_file
from rocc.org.models import OrgUnit

DISTRICTS = ["auckland-city", "counties-manukau", "northland", "waitemata"]  # code order, as the areas are


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def national(make_user, client):
    user = make_user("analyst", units=["nz"])
    client.force_login(user)
    return user, client


@pytest.fixture
def stored_in_districts(event_store, national, make_user, tmp_path):
    """The synthetic boundaries (four districts: Waitematā and Auckland City share an edge, Counties Manukau touches
    Auckland City at a corner only, Northland is an island) and burglaries in each, most in Waitematā."""
    boundaries_import(actor=make_user("administrator"), path=good_file(tmp_path), source="Synthetic test boundaries", licence="CC0")
    rng = np.random.default_rng(3)
    centres = {
        "waitemata": (1_750_000, 5_925_000, 30),
        "auckland-city": (1_765_000, 5_925_000, 12),
        "counties-manukau": (1_775_000, 5_905_000, 4),
        "northland": (1_625_000, 6_075_000, 6),
    }
    rows = []
    for code, (x, y, n) in centres.items():
        for i in range(n):
            rows.append(
                {
                    "event_id": f"{code}-{i}",
                    "date": str(dt.date(2024, 3, 1) + dt.timedelta(days=int(rng.integers(0, 60)))),
                    "offence_code": "0711",
                    "unit": code,
                    "x": round(x + rng.uniform(-3000, 3000)),
                    "y": round(y + rng.uniform(-3000, 3000)),
                }
            )
    rows.append({"event_id": "unlocated", "date": "2024-03-02", "offence_code": "0711", "unit": "waitemata"})
    events_create(user=national[0], rows=rows)
    return rows


def post(client, **fields):
    nz = OrgUnit.objects.get(code="nz")
    return client.post(
        "/analyses/autocorrelation/run-events/",
        {
            "events-date_from": "2024-01-01",
            "events-date_to": "2024-12-31",
            "ev-scope_unit": nz.pk,
            "ev-coordinates": "nztm",
            "ev-areas_are": "units",
            "ev-boundary_level": "district",
            "ev-permutations": "99",
            "ev-seed": "5",
            "ev-drop_unlocated": "on",
            **{f"ev-{k}": v for k, v in fields.items()},
        },
    )


@pytest.mark.parametrize("contiguity", ["queen", "rook"])
def test_units_with_boundaries_from_the_store_are_the_librarys_answer(national, stored_in_districts, contiguity):
    user, client = national
    response = post(client, contiguity=contiguity)
    assert response.status_code == 302, text(response)[:3000]
    result = AnalysisRun.objects.get().result
    x = np.array([r["x"] for r in stored_in_districts if "x" in r], dtype=float)
    y = np.array([r["y"] for r in stored_in_districts if "y" in r], dtype=float)
    shapes = [shapely.geometry.shape(SHAPES[code]) for code in DISTRICTS]
    expected = area_autocorrelation(x=x, y=y, ids=DISTRICTS, geometries=shapes, contiguity=contiguity, permutations=99, seed=5)
    assert [a["area"] for a in result["areas"]] == DISTRICTS and [a["value"] for a in result["areas"]] == [12, 4, 6, 30]
    assert result["moran"]["statistic"] == pytest.approx(expected.moran.statistic)
    assert result["parameters"]["contiguity"] == contiguity and result["parameters"]["boundary_level"] == "district"
    clusters = {a["area"]: a["cluster"] for a in result["areas"]}
    assert clusters["northland"] == "No neighbours"
    # Counties Manukau touches Auckland City at one corner only: a neighbour under queen, an island under rook.
    assert (clusters["counties-manukau"] == "No neighbours") == (contiguity == "rook")
    notes = " ".join(result["notes"])
    assert "no neighbour" in notes and "Northland" in notes
    assert "district units have no boundary loaded" in notes and "counts of events, not rates" in notes
    assert "1 row without coordinates was left out" in notes
    page = text(client.get(response["Location"]))
    assert "Moran" in page


def test_a_unit_with_too_few_bounded_areas_is_refused_and_nothing_is_kept(stored_in_districts, make_user, client):
    client.force_login(make_user("analyst", units=["waitemata"]))
    response = client.post(
        "/analyses/autocorrelation/run-events/",
        {
            "events-date_from": "2024-01-01",
            "ev-scope_unit": OrgUnit.objects.get(code="waitemata").pk,
            "ev-coordinates": "nztm",
            "ev-areas_are": "units",
            "ev-boundary_level": "area",
            "ev-permutations": "99",
            "ev-drop_unlocated": "on",
        },
    )
    assert "Waitematā has 2 area units with a boundary in your scope" in text(response)
    assert not AnalysisRun.objects.exists()


def test_an_uploaded_file_in_longitude_and_latitude_is_counted_in_the_units(national, stored_in_districts):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from pyproj import Transformer

    user, client = national
    located = [r for r in stored_in_districts if "x" in r]
    lon, lat = Transformer.from_crs("EPSG:2193", "EPSG:4326", always_xy=True).transform([r["x"] for r in located], [r["y"] for r in located])
    body = "lon,lat\n" + "\n".join(f"{a:.7f},{b:.7f}" for a, b in zip(lon, lat, strict=True)) + "\n"
    response = client.post("/analyses/autocorrelation/", {"file": SimpleUploadedFile("events.csv", body.encode())})
    upload_id = int(response["Location"].split("upload=")[1])
    fields = {"areas_are": "units", "boundary_level": "district", "x": "lon", "y": "lat", "coordinates": "wgs84", "contiguity": "queen", "permutations": "99"}
    response = client.post("/analyses/autocorrelation/run/", {"scope_unit": OrgUnit.objects.get(code="nz").pk, "upload": upload_id, **fields})
    assert response.status_code == 302, text(response)[:3000]
    result = AnalysisRun.objects.get().result
    assert [a["value"] for a in result["areas"]] == [12, 4, 6, 30] and result["parameters"]["crs"] == "EPSG:2193"
    assert [a["name"] for a in result["areas"]] == ["Auckland City", "Counties Manukau", "Northland", "Waitematā"]
