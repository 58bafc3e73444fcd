"""The concentration page rounded out: the Gini's bootstrap interval and the chance (Poisson) baseline on the page,
the same figures as the library's for the same seed; and the same on the command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from rocc.analysis.concentration import concentration
from rocc.analysis.inputs import read_table
from rocc.analysis_pages.tests.conftest import LONDON
from rocc.analysis_pages.tests.test_pages import followed, run, text
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()


def test_the_gini_interval_and_the_chance_curve_are_the_librarys(analyst_client, upload, waitemata):
    _, upload_id = upload("concentration", LONDON)
    fields = {"unit": "Location", "units_total": "2000", "bootstrap": "99", "confidence": "0.9", "seed": "7", "chance_baseline": "on"}
    html = text(followed(analyst_client, run(analyst_client, "concentration", upload_id, waitemata, **fields)))
    expected = concentration(units=read_table(LONDON)["Location"], units_total=2000, bootstrap=99, confidence=0.9, seed=7, chance_baseline=True)
    low, high = expected.gini_interval
    assert f'Gini, 90% bootstrap interval ({expected.gini_interval_method}, 99 replicates, seed 7)</th><td class="num">{low:.3f} to {high:.3f}</td>' in html
    assert f"Gini if events fell by chance (Poisson, {expected.chance_mean:.3f}".rstrip("0") in html
    assert f'<td class="num">{expected.chance_gini:.3f}</td>' in html
    assert 'stroke-dasharray="2 3"' in html and "the dotted curve is chance" in html


def test_the_command_prints_the_interval_and_the_chance_gini():
    runner = CliRunner()
    result = runner.invoke(
        app, ["analyse", "concentration", str(LONDON), "--unit", "Location", "--units-total", "2000", "--bootstrap", "49", "--chance", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    expected = concentration(units=read_table(LONDON)["Location"], units_total=2000, bootstrap=49, seed=1, chance_baseline=True)
    assert document["gini_interval"] == list(expected.gini_interval) and document["seed"] == 1
    assert document["chance_gini"] == expected.chance_gini
    text_output = runner.invoke(app, ["analyse", "concentration", str(LONDON), "--unit", "Location", "--bootstrap", "49"])
    assert "95% bootstrap interval" in text_output.stdout
