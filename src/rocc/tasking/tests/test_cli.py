"""The `rocc tasking` commands as a user runs them: real processes on a real, freshly loaded data directory."""

import pytest

from rocc.testing import copy_data_dir, run

GOOD = """\
methodology:
  dimensions:
    - {code: harm, name: Harm to people, role: harm, weight: 1, levels: [[0, None], [1, Some], [2, Serious]]}
    - {code: likelihood, name: Likelihood, role: likelihood, weight: 1, levels: [[1, Unlikely], [2, Likely]]}
"""
BAD = """\
dimensions:
  - {code: harm, name: Harm, role: harm, weight: -2, levels: [[0, None], [1, Some]]}
  - {code: reach, name: Reach, role: spread, weight: 1, levels: [[0, a], [1, b]]}
"""


@pytest.fixture(scope="module")
def loaded(installed_data_dir, tmp_path_factory):
    data = copy_data_dir(installed_data_dir, tmp_path_factory.mktemp("rocc-tasking") / "data")
    run("createuser", "pm", "--role", "programme_manager", data_dir=data, env={"ROCC_PASSWORD": "a-long-test-password-77"}, check=True)
    return data


def test_load_defaults_ships_the_default_methodology(loaded):
    result = run("tasking", "methodology", data_dir=loaded, check=True)
    assert "rocc harm and risk prioritisation v1 (rocc-harm-priority)" in result.stdout
    assert "organisational-position: Organisational position (capacity and capability) [modifier] scale 1–4, weight 1.00" in result.stdout


def test_a_bad_methodology_file_is_refused_naming_each_problem_and_a_good_one_becomes_current(loaded, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = run("tasking", "methodology-import", str(bad), "--as", "pm", data_dir=loaded)
    assert result.returncode == 2
    assert f"{bad}: dimensions.harm: Harm: the weight must be from 0 to 100." in result.stderr
    assert f"{bad}: dimensions.reach: Reach: role must be one of harm, likelihood, modifier." in result.stderr
    assert "nothing was imported" in result.stderr and "Traceback" not in result.stderr
    unreadable = tmp_path / "broken.yaml"
    unreadable.write_text("dimensions: [\n  - {code: x\n", encoding="utf-8")
    result = run("tasking", "methodology-import", str(unreadable), "--as", "pm", data_dir=loaded)
    assert result.returncode == 2 and f"{unreadable}:" in result.stderr and "not valid YAML" in result.stderr

    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    result = run("tasking", "methodology-import", str(good), "--as", "pm", "--note", "Simpler scales for a pilot", data_dir=loaded, check=True)
    assert "rocc harm and risk prioritisation v2 added and current: 0 score(s) re-ranked" in result.stdout
    assert "Harm to people [harm] scale 0–2" in run("tasking", "methodology", data_dir=loaded, check=True).stdout


def test_overdue_lists_nothing_on_a_fresh_install(loaded):
    result = run("tasking", "overdue", "--as", "pm", data_dir=loaded, check=True)
    assert result.stdout.strip() == "0 overdue tasking(s)."
