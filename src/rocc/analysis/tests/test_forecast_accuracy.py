"""Hot-spot forecast accuracy (PAI, PEI, RRI) against a cell-by-cell count in plain Python, a worked example of the
definitions (Chainey, Tompson and Uhlig 2008; Hunt 2016; Levine 2008), and a study area with water in it."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.forecast_accuracy import forecast_accuracy, prediction_scores, top_cells
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()


def oracle_counts(events_before, events_after, *, cell, share, west, south, cols, rows):
    """Count each period's events per cell, pick the top cells by the first period's count (ties by cell order,
    empty cells never), and compute PAI, PEI and RRI from their definitions."""
    first, second = {}, {}
    for table, events in ((first, events_before), (second, events_after)):
        for x, y in events:
            key = (int((y - south) // cell), int((x - west) // cell))
            table[key] = table.get(key, 0) + 1
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    k = max(1, round(share * len(cells)))
    ranked = sorted((cell_ for cell_ in cells if first.get(cell_, 0) > 0), key=lambda rc: (-first.get(rc, 0), rc))[:k]
    hits = sum(second.get(rc, 0) for rc in ranked)
    best = sum(sorted((second.get(rc, 0) for rc in cells), reverse=True)[: len(ranked)])
    recaptured = sum(first.get(rc, 0) for rc in ranked)
    n1, n2 = len(events_before), len(events_after)
    pai = (hits / n2) / (len(ranked) / len(cells))
    pei = hits / best if best else None
    rri = (hits / recaptured) / (n2 / n1)
    return len(ranked), hits, pai, pei, rri


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(st.tuples(st.integers(0, 999), st.integers(0, 799), st.booleans()), min_size=4, max_size=80),
    share=st.sampled_from([0.01, 0.05, 0.1, 0.25, 0.5]),
)
def test_counts_maps_agree_with_the_cell_by_cell_oracle(points, share):
    before = [(x + 0.5, y + 0.5) for x, y, late in points if not late]
    after = [(x + 0.5, y + 0.5) for x, y, late in points if late]
    if not before or not after:
        return
    xs = [p[0] for p in before + after]
    ys = [p[1] for p in before + after]
    dates = ["2024-01-10"] * len(before) + ["2024-02-10"] * len(after)
    result = forecast_accuracy(x=xs, y=ys, dates=dates, split="2024-02-01", cells=[100], methods=["counts"], shares=[share], extent=(0, 0, 1000, 800))
    row = result.scores[0]
    hot, hits, pai, pei, rri = oracle_counts(before, after, cell=100, share=share, west=0, south=0, cols=10, rows=8)
    assert (row["hot_cells"], row["hits"]) == (hot, hits)
    assert row["pai"] == pytest.approx(pai)
    assert row["pei"] == pytest.approx(pei) if pei is not None else row["pei"] is None
    assert row["rri"] == pytest.approx(rri)


def test_the_worked_example_of_the_definitions():
    """100 cells; a map of 5 of them (5% of the area) catches 20 of the next period's 50 events (a hit rate of 40%):
    PAI = 40% / 5% = 8 (Chainey et al. 2008). The best 5 cells held 25: PEI = 20 / 25 = 0.8 (Hunt 2016). The same
    5 cells held 30 of the first period's 100 events: RRI = (20 / 30) / (50 / 100) = 1.33 (Levine 2008)."""
    figures = prediction_scores(hits=20, best_hits=25, recaptured=30, events_before=100, events_after=50, hot_cells=5, study_cells=100)
    assert figures["hit_rate"] == pytest.approx(0.4)
    assert figures["area_share"] == pytest.approx(0.05)
    assert figures["pai"] == pytest.approx(8.0)
    assert figures["pei"] == pytest.approx(0.8)
    assert figures["rri"] == pytest.approx(4 / 3)


def burglaries(seed=3):
    """A stable hot area and a background, over two months."""
    rng = np.random.default_rng(seed)
    frames = []
    for month in ("2024-03", "2024-04"):
        hot = np.column_stack([rng.normal(2500, 150, 120), rng.normal(2500, 150, 120)])
        background = rng.uniform(0, 5000, (120, 2))
        points = np.vstack([hot, background])
        frames.append(pd.DataFrame({"x": points[:, 0], "y": points[:, 1], "date": f"{month}-15"}))
    return pd.concat(frames, ignore_index=True)


def test_a_stable_hot_spot_forecasts_well_with_every_method():
    events = burglaries()
    result = forecast_accuracy(x=events.x, y=events.y, dates=events.date, split="2024-04-01", cells=[250, 500], extent=(0, 0, 5000, 5000))
    frame = result.to_frame()
    assert set(frame["method"]) == {"counts", "density", "gi"} and set(frame["cell"]) == {250.0, 500.0}
    five = frame[frame["share"] == 0.05]
    assert (five["pai"] > 4).all() and (five["pei"] <= 1 + 1e-12).all() and (five["pei"] > 0.5).all()
    assert result.events_before == 240 and result.events_after == 240
    assert result.summary.startswith("Covering 5% of the study area,") and "PAI" in result.summary
    json.dumps(result.to_dict(), allow_nan=False)


def test_water_in_the_study_area_does_not_count_as_area():
    """The same events scored over a box and over the box's land only (its east half is sea): the hot spots cover
    the same share of a smaller study area, so they cover fewer cells and the PAI rises."""
    events = burglaries()
    events = events[events.x < 2500 + 400].reset_index(drop=True)
    land = {"type": "Polygon", "coordinates": [[[0, 0], [3000, 0], [3000, 5000], [0, 5000], [0, 0]]]}
    box = forecast_accuracy(
        x=events.x, y=events.y, dates=events.date, split="2024-04-01", cells=[250], methods=["counts"], shares=[0.05], extent=(0, 0, 6000, 5000)
    )
    coast = forecast_accuracy(x=events.x, y=events.y, dates=events.date, split="2024-04-01", cells=[250], methods=["counts"], shares=[0.05], study_area=land)
    assert box.scores[0]["study_cells"] == 24 * 20 and coast.scores[0]["study_cells"] == 12 * 20
    assert coast.scores[0]["hot_cells"] == 12 and box.scores[0]["hot_cells"] == 24
    assert coast.parameters["study_area"]["area_km2"] == pytest.approx(15.0)


def test_top_cells_picks_only_pickable_cells_and_breaks_ties_by_cell_order():
    score = np.array([0.0, 3.0, 1.0, 3.0, 0.0])
    assert top_cells(score, score > 0, 3).tolist() == [1, 3, 2]
    assert top_cells(score, score > 0, 5).tolist() == [1, 3, 2]
    assert top_cells(score, np.array([False, False, True, True, False]), 2).tolist() == [3, 2]


def test_a_period_without_events_is_refused_naming_the_date_column():
    with pytest.raises(AnalysisInputError, match="column 'date': no event falls on or after 2025-01-01"):
        forecast_accuracy(x=[1, 2, 3], y=[1, 2, 3], dates=["2024-01-01"] * 3, split="2025-01-01")
    with pytest.raises(AnalysisInputError, match="unknown hot-spot method 'kde'"):
        forecast_accuracy(x=[1, 2], y=[1, 2], dates=["2024-01-01", "2024-03-01"], split="2024-02-01", methods=["kde"])
    with pytest.raises(AnalysisInputError, match="above 0 and at most 1"):
        forecast_accuracy(x=[1, 2], y=[1, 2], dates=["2024-01-01", "2024-03-01"], split="2024-02-01", shares=[5])


def test_the_cli_scores_a_file_and_prints_the_summary(tmp_path):
    path = tmp_path / "burglaries.csv"
    burglaries().to_csv(path, index=False)
    runner = CliRunner()
    done = runner.invoke(
        app, ["analyse", "forecast-accuracy", str(path), "--x", "x", "--y", "y", "--date", "date", "--split", "2024-04-01", "--cell", "250", "--cell", "500"]
    )
    assert done.exit_code == 0, done.output
    assert "Covering 5% of the study area" in done.stdout and "PAI" in done.stdout
    as_json = runner.invoke(app, ["analyse", "forecast-accuracy", str(path), "--x", "x", "--y", "y", "--date", "date", "--split", "2024-04-01", "--json"])
    document = json.loads(as_json.stdout)
    assert document["events_after"] == 240 and not math.isnan(document["scores"][0]["pai"])
    bad = runner.invoke(app, ["analyse", "forecast-accuracy", str(path), "--x", "x", "--y", "y", "--date", "date", "--split", "2030-01-01"])
    assert bad.exit_code == 2 and "no event falls on or after 2030-01-01" in bad.output
