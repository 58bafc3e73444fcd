"""The spatial-statistics toolkit's pages (autocorrelation, forecast accuracy, point patterns) on an uploaded file and
on the event store: the library's figures on the page, located errors that keep nothing, and saving a run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.html import escape

from rocc.analysis.autocorrelation import grid_autocorrelation, neighbours_from_table, spatial_autocorrelation, weights_from_neighbours
from rocc.analysis_pages.models import AnalysisRun, SavedAnalysis
from rocc.analysis_pages.tests.test_event_store import stored  # noqa: F401  (a fixture)
from rocc.analysis_pages.tests.test_pages import followed, run, text
from rocc.events.testing import event_store  # noqa: F401  (a fixture)

COLUMBUS = Path(__file__).resolve().parents[2] / "analysis" / "tests" / "data" / "columbus_crime.csv"
AREAS = {"areas_are": "areas", "area": "neighbourhood", "value": "crime", "neighbours": "neighbours", "permutations": "999", "seed": "3"}


def test_autocorrelation_of_areas_with_neighbours_shows_morans_i_and_the_clusters(analyst_client, upload, waitemata):
    _, upload_id = upload("autocorrelation", COLUMBUS)
    html = text(followed(analyst_client, run(analyst_client, "autocorrelation", upload_id, waitemata, **AREAS)))
    frame = pd.read_csv(COLUMBUS, dtype=str, keep_default_na=False)
    weights = weights_from_neighbours(neighbours=neighbours_from_table(frame, area="neighbourhood", neighbours="neighbours"))
    expected = spatial_autocorrelation(values=frame["crime"].astype(float), weights=weights, permutations=999, seed=3, value_label="values of crime")
    assert escape(expected.summary) in html
    assert f"{expected.moran.statistic:,.4f}" in html and "0.5002" in html
    assert f"High–high cluster (HH): {expected.counts['High–high cluster']}" in html
    run_row = AnalysisRun.objects.get()
    assert run_row.result["moran"]["statistic"] == expected.moran.statistic
    saved = analyst_client.post(f"/analyses/runs/{run_row.pk}/save/", {"title": "Columbus crime clusters"})
    assert saved.status_code == 302
    assert SavedAnalysis.objects.get().kind == "autocorrelation"
    assert "0.5002" in text(analyst_client.get(saved["Location"]))


def test_autocorrelation_of_areas_without_their_columns_is_refused_on_the_form(analyst_client, upload, waitemata):
    _, upload_id = upload("autocorrelation", COLUMBUS)
    response = run(analyst_client, "autocorrelation", upload_id, waitemata, areas_are="areas", area="neighbourhood", permutations="99")
    assert response.status_code == 400 and "Areas need their id, value and neighbours columns." in response.content.decode()
    assert AnalysisRun.objects.count() == 0


def test_an_unknown_neighbour_is_located_and_nothing_is_kept(analyst_client, upload, waitemata):
    body = b"area,count,next\nA,3,B\nB,4,A;C\nC,5,B;D\nD,1,C;E\n"
    _, upload_id = upload("autocorrelation", ("areas.csv", body))
    response = run(analyst_client, "autocorrelation", upload_id, waitemata, areas_are="areas", area="area", value="count", neighbours="next")
    assert response.status_code == 400
    assert "column &#x27;next&#x27;, row 4: area &#x27;D&#x27; names neighbour &#x27;E&#x27;" in response.content.decode()
    assert AnalysisRun.objects.count() == 0


def test_autocorrelation_of_the_stored_events_finds_the_cluster_on_the_grid(analyst_client, stored, waitemata):  # noqa: F811
    page = text(analyst_client.get("/analyses/autocorrelation/"))
    assert "From the event store" in page
    response = analyst_client.post(
        "/analyses/autocorrelation/run-events/",
        {"ev-scope_unit": waitemata.pk, "ev-cell": "500", "ev-contiguity": "queen", "ev-permutations": "199", "ev-seed": "4", "ev-significance": "0.05"},
    )
    html = text(followed(analyst_client, response))
    run_row = AnalysisRun.objects.get()
    assert run_row.data_source == "events" and run_row.result["parameters"]["events"] == 120
    xs = np.array([r["x"] for r in stored], dtype=float)
    ys = np.array([r["y"] for r in stored], dtype=float)
    expected = grid_autocorrelation(x=xs, y=ys, cell=500, permutations=199, seed=4)
    assert run_row.result["moran"]["statistic"] == expected.moran.statistic
    hh = [a for a in run_row.result["areas"] if a["cluster"] == "High–high cluster"]
    assert any(abs(a["x"] - 1755000) <= 750 and abs(a["y"] - 5925000) <= 750 for a in hh)
    assert "Map of local clusters and outliers" in html


# --- hot-spot forecast accuracy ------------------------------------------------------------------------------


def two_months_csv() -> tuple[str, bytes]:
    rng = np.random.default_rng(8)
    lines = ["easting,northing,occurred"]
    for month in ("2024-03", "2024-04"):
        for _ in range(100):
            lines.append(f"{1755000 + rng.normal(0, 120):.0f},{5925000 + rng.normal(0, 120):.0f},{month}-1{rng.integers(0, 9)}")
        for _ in range(100):
            lines.append(f"{rng.uniform(1750000, 1760000):.0f},{rng.uniform(5920000, 5930000):.0f},{month}-2{rng.integers(0, 9)}")
    return "burglaries.csv", ("\n".join(lines) + "\n").encode()


FORECAST = {"x": "easting", "y": "northing", "date": "occurred", "coordinates": "nztm", "split": "2024-04-01", "cells": "250,500", "shares": "1,5,10"}


def test_forecast_accuracy_from_a_file_scores_each_method_and_cell_size(analyst_client, upload, waitemata):
    from rocc.analysis.forecast_accuracy import forecast_accuracy

    _, upload_id = upload("forecast-accuracy", two_months_csv())
    response = run(analyst_client, "forecast-accuracy", upload_id, waitemata, **FORECAST, methods=["counts", "gi"])
    html = text(followed(analyst_client, response))
    frame = pd.read_csv(pd.io.common.BytesIO(two_months_csv()[1]))
    expected = forecast_accuracy(
        x=frame.easting, y=frame.northing, dates=frame.occurred, split="2024-04-01", cells=[250, 500], methods=["counts", "gi"], shares=[0.01, 0.05, 0.1]
    )
    assert escape(expected.summary) in html
    assert html.count("★</span>") >= 3  # the best at each share (more where two tie)
    assert len(AnalysisRun.objects.get().result["scores"]) == 12
    assert f"{expected.scores[0]['pai']:,.2f}" in html


def test_forecast_accuracy_refuses_a_bad_share_and_keeps_nothing(analyst_client, upload, waitemata):
    _, upload_id = upload("forecast-accuracy", two_months_csv())
    response = run(analyst_client, "forecast-accuracy", upload_id, waitemata, **{**FORECAST, "shares": "5,150"}, methods=["counts"])
    assert response.status_code == 400 and "Shares: 150 is out of range" in response.content.decode()
    assert AnalysisRun.objects.count() == 0


def test_forecast_accuracy_on_the_stored_events_splits_them_by_date(analyst_client, stored, waitemata):  # noqa: F811
    response = analyst_client.post(
        "/analyses/forecast-accuracy/run-events/",
        {
            "ev-scope_unit": waitemata.pk,
            "ev-coordinates": "nztm",
            "ev-split": "2024-06-01",
            "ev-cells": "250",
            "ev-methods": ["counts", "density"],
            "ev-shares": "5",
            "ev-bandwidth_cells": "3",
        },
    )
    html = text(followed(analyst_client, response))
    result = AnalysisRun.objects.get().result
    assert result["events_before"] + result["events_after"] == 120
    assert "Hot-spot forecast accuracy" in html and result["scores"][0]["method"] == "counts"


# --- point patterns -----------------------------------------------------------------------------------------


def test_point_pattern_from_a_file_with_a_study_area_shows_the_index_the_envelope_and_the_density(analyst_client, upload, waitemata):
    import json

    from rocc.analysis.point_pattern import point_pattern

    rng = np.random.default_rng(6)
    x, y = rng.normal(1755000, 150, 150), rng.normal(5925000, 150, 150)
    body = "easting,northing\n" + "\n".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y)) + "\n"
    land = {"type": "Polygon", "coordinates": [[[1754000, 5924000], [1756000, 5924000], [1756000, 5926000], [1754000, 5926000], [1754000, 5924000]]]}
    _, upload_id = upload("point-pattern", ("events.csv", body.encode()))
    fields = {
        "x": "easting",
        "y": "northing",
        "coordinates": "nztm",
        "simulations": "19",
        "seed": "2",
        "study_area": json.dumps(land),
        "event_label": "burglaries",
    }
    html = text(followed(analyst_client, run(analyst_client, "point-pattern", upload_id, waitemata, **fields)))
    frame = pd.read_csv(pd.io.common.BytesIO(body.encode()))
    expected = point_pattern(x=frame.easting, y=frame.northing, study_area=land, simulations=19, seed=2, event_label="burglaries")
    assert escape(expected.summary) in html
    assert f"{expected.nearest_neighbour['index']:.3f}" in html
    assert "Ripley's L minus distance" in html and "Kernel density" in html and "Clustered (above the envelope)" in html
    assert AnalysisRun.objects.get().result["study_area"]["area_km2"] == 4.0


def test_point_pattern_with_a_broken_study_area_is_refused_on_the_form(analyst_client, upload, waitemata):
    _, upload_id = upload("point-pattern", ("events.csv", b"x,y\n1,2\n3,4\n5,7\n"))
    response = run(analyst_client, "point-pattern", upload_id, waitemata, x="x", y="y", coordinates="metres", study_area="{not json")
    assert response.status_code == 400 and "The study area is not valid GeoJSON" in response.content.decode()
    assert AnalysisRun.objects.count() == 0


def test_point_pattern_of_the_stored_events(analyst_client, stored, waitemata):  # noqa: F811
    response = analyst_client.post(
        "/analyses/point-pattern/run-events/",
        {"ev-scope_unit": waitemata.pk, "ev-coordinates": "nztm", "ev-simulations": "19", "ev-seed": "1", "ev-event_label": "burglaries"},
    )
    html = text(followed(analyst_client, response))
    result = AnalysisRun.objects.get().result
    assert result["n"] == 120 and result["nearest_neighbour"]["index"] < 1
    assert "The burglaries are clustered" in html


# --- emerging hot spots -------------------------------------------------------------------------------------


def test_emerging_hot_spots_from_a_file_name_each_cells_pattern(analyst_client, upload, waitemata):
    from rocc.analysis.emerging_hotspots import emerging_hotspots
    from rocc.analysis.tests.test_emerging_hotspots import cube_events

    x, y, dates = cube_events()
    x, y = x + 1755000, y + 5925000
    body = "easting,northing,occurred\n" + "\n".join(f"{a:.1f},{b:.1f},{d}" for a, b, d in zip(x, y, dates.astype(str))) + "\n"
    _, upload_id = upload("emerging-hotspots", ("cube.csv", body.encode()))
    fields = {"x": "easting", "y": "northing", "date": "occurred", "coordinates": "nztm", "cell": "200", "slice_days": "28", "start": "2024-01-01"}
    html = text(followed(analyst_client, run(analyst_client, "emerging-hotspots", upload_id, waitemata, **fields)))
    frame = pd.read_csv(pd.io.common.BytesIO(body.encode()))
    expected = emerging_hotspots(x=frame.easting, y=frame.northing, dates=frame.occurred, cell=200, slice_days=28, start="2024-01-01")
    assert escape(expected.summary) in html
    assert "Cells by pattern" in html and "H H H" in html
    assert AnalysisRun.objects.get().result["counts"] == expected.counts
    assert AnalysisRun.objects.get().result["parameters"]["time_step"] == 1 and "neighbourhood time step 1" in html
