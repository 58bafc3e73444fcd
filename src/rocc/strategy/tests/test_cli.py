"""The `rocc framework` commands, run as a user runs them: validate, import, export."""

from typer.testing import CliRunner

from rocc.strategy.cli import framework_app
from rocc.strategy.models import Framework

BAD = """\
code: broken
name: Broken
jurisdiction: Nowhere
mandate: x
goal: x
action_plans:
  - code: broken-1
    title: Broken plan
    year: first
    unit: nz
"""


def test_validate_lists_located_problems_and_import_refuses_the_file(defaults, make_user, tmp_path):
    make_user("programme_manager", username="manager")
    path = tmp_path / "broken.yaml"
    path.write_text(BAD, encoding="utf-8")
    result = CliRunner().invoke(framework_app, ["validate", str(path)])
    assert result.exit_code == 2 and f"{path}:9:11: 'action_plans.0.year': input should be a valid integer" in result.output
    result = CliRunner().invoke(framework_app, ["import", str(path), "--as", "manager"])
    assert result.exit_code == 2 and "nothing was imported" in result.output
    assert not Framework.objects.filter(code="broken").exists()


def test_export_writes_a_file_that_validates_and_imports(strategy, make_user, tmp_path):
    make_user("programme_manager", username="manager")
    out = tmp_path / "rocc.yaml"
    assert CliRunner().invoke(framework_app, ["export", "rocc", "--as", "manager", "-o", str(out)]).exit_code == 0
    result = CliRunner().invoke(framework_app, ["validate", str(out)])
    assert result.exit_code == 0 and "valid (rocc: 1 plan(s), 15 activities)" in result.output
    assert CliRunner().invoke(framework_app, ["import", str(out), "--as", "manager"]).exit_code == 0
