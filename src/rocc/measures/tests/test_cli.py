"""The `rocc measures` commands as users run them."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from typer.testing import CliRunner

from rocc.core.tests.test_cli_and_checks import ready_dir  # noqa: F401  (the module-scoped data directory)
from rocc.measures.cli import measures_app
from rocc.measures.models import Observation
from rocc.testing import run


def test_list_json_names_every_indicator(small_world):
    result = CliRunner().invoke(measures_app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["code"] for r in rows] == ["assaults"]


def test_series_json_has_the_keys_the_issue_names(small_world):
    result = CliRunner().invoke(measures_app, ["series", "assaults", "--unit", "Waitemata", "--period-type", "year_ended", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["indicator"] == "assaults" and out["unit"] == "waitemata"
    assert set(out["points"][0]) >= {"period", "numerator", "denominator", "value", "baseline", "target", "status"}
    assert out["points"][-1]["period"] == "YE2020-12" and out["points"][-1]["numerator"] == 48


def test_series_as_reported_and_unknown_inputs(small_world):
    assert CliRunner().invoke(measures_app, ["series", "assaults", "--as-reported", "--json"]).exit_code == 0
    result = CliRunner().invoke(measures_app, ["series", "nope", "--json"])
    assert result.exit_code == 2 and "No indicator has code 'nope'" in result.output
    assert CliRunner().invoke(measures_app, ["series", "assaults", "--period-type", "fortnight"]).exit_code == 2


def test_import_refuses_a_bad_file_and_imports_a_good_one(small_world, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,unit,period,numerator\nassaults,Waitemata,2021-01,x\n", encoding="utf-8")
    result = CliRunner().invoke(measures_app, ["import", str(bad)])
    assert result.exit_code == 2 and "row 2, column numerator: expected a number" in result.output
    good = tmp_path / "good.csv"
    good.write_text("indicator,unit,period,numerator\nassaults,Waitemata,2021-01,9\n", encoding="utf-8")
    before = Observation.objects.count()
    assert CliRunner().invoke(measures_app, ["import", str(good)]).exit_code == 0
    assert Observation.objects.count() == before + 1


def test_export_public_applies_disclosure_control(small_world, tmp_path):
    out = tmp_path / "s.csv"
    assert CliRunner().invoke(measures_app, ["export", "assaults", "--unit", "northland", "--format", "csv", "-o", str(out)]).exit_code == 0
    true = [r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))) if not r["indicator"].startswith("#")]
    assert CliRunner().invoke(measures_app, ["export", "assaults", "--unit", "northland", "--public", "--format", "csv", "-o", str(out)]).exit_code == 0
    public = [r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))) if not r["indicator"].startswith("#")]
    assert all(float(p["numerator"]) % 3 == 0 for p in public)
    assert [r["numerator"] for r in true] != [r["numerator"] for r in public]
    xlsx = tmp_path / "s.xlsx"
    assert CliRunner().invoke(measures_app, ["export", "assaults", "--format", "xlsx", "-o", str(xlsx)]).exit_code == 0
    assert xlsx.read_bytes()[:2] == b"PK"


def test_the_real_rocc_command_prints_a_shipped_series(ready_dir):  # noqa: F811
    result = run("measures", "series", "youth-court-appearances", "--unit", "Northland", "--json", data_dir=ready_dir)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    point = next(p for p in out["points"] if p["period"] == "2010/11")
    assert round(point["value"], 6) == round(599 / 6829.58 * 10000, 6)
    listed = run("measures", "list", "--json", data_dir=ready_dir)
    assert "bps-total-crime-rate" in [r["code"] for r in json.loads(listed.stdout)]
    assert subprocess.run([sys.executable, "-m", "rocc.cli", "measures", "--help"], capture_output=True, text=True).returncode == 0
