"""The `rocc` command as a user runs it: real processes, real data directories, real databases."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rocc.testing import ROCC, copy_data_dir, run


@pytest.fixture(scope="module")
def ready_dir(installed_data_dir, tmp_path_factory) -> Path:
    """A data directory as `rocc migrate` and `rocc load-defaults` leave it, shared by this module's tests."""
    return copy_data_dir(installed_data_dir, tmp_path_factory.mktemp("rocc-data") / "data")


def test_every_command_has_help():
    """`rocc --help` from a process of its own (the installed entry point starts), every command's help through the
    same command-line app in this process (help never starts Django, so a process each adds nothing but start-up)."""
    from typer.testing import CliRunner

    from rocc.cli.analyse import load_commands
    from rocc.cli.main import app

    result = subprocess.run([*ROCC, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Usage" in result.stdout, result.stderr
    load_commands()
    for command in [
        ["serve"],
        ["migrate"],
        ["load-defaults"],
        ["createuser"],
        ["check"],
        ["backup"],
        ["restore"],
        ["audit", "verify"],
        ["audit", "head"],
        ["token", "create"],
        ["analyse"],
    ]:
        result = CliRunner().invoke(app, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)
        assert "Usage" in result.output


def test_check_passes_on_a_set_up_data_directory(ready_dir):
    result = run("check", data_dir=ready_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all migrations applied" in result.stdout and "units loaded" in result.stdout


def test_check_reports_a_file_limit_that_is_not_a_number_and_the_limits_in_force(ready_dir):
    result = run("check", data_dir=ready_dir, env={"ROCC_LIMIT_ROWS": "lots", "ROCC_LIMIT_FILE_MB": "64"})
    assert result.returncode == 0, result.stdout + result.stderr  # a warning: the default is used
    assert "warning file limits: ROCC_LIMIT_ROWS='lots' is not a whole number above 0; the default 5,000,000 is used" in result.stdout
    assert "set it to a whole number above 0" in result.stdout

    result = run("check", data_dir=ready_dir, env={"ROCC_LIMIT_FILE_MB": "64"})
    assert "ok      file limits: files up to 64 MB (20 MB while a page waits), 5,000,000 rows" in result.stdout


def test_secret_key_is_generated_into_the_data_directory_readable_by_owner_only(ready_dir):
    key_file = ready_dir / "secret_key"
    assert key_file.exists() and len(key_file.read_text().strip()) >= 50
    assert (key_file.stat().st_mode & 0o777) == 0o600


def test_a_wrong_database_url_is_explained_without_a_traceback(tmp_path):
    for url, expected in [
        ("mysql://root@localhost/rocc", "scheme 'mysql'"),
        ("postgres://postgres@127.0.0.1:1/rocc", "cannot connect"),
        ("postgres://postgres@127.0.0.1:5432/", "names no database"),
    ]:
        for command in ("check", "serve"):
            result = run(command, data_dir=tmp_path, env={"DATABASE_URL": url})
            output = result.stdout + result.stderr
            assert result.returncode == 1, (url, command, output)
            assert expected in output and "Traceback" not in output, (url, command, output)
            assert "DATABASE_URL" in output or "database server running" in output


def test_an_unusable_data_directory_is_explained_without_a_traceback(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("check", data_dir=blocker / "data")
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output
    assert "cannot be created" in output and "ROCC_DATA_DIR" in output


def test_missing_migrations_are_named_and_serve_refuses_to_start(tmp_path):
    check = run("check", data_dir=tmp_path)
    assert check.returncode == 1 and "not applied" in check.stdout and "rocc migrate" in check.stdout
    serve = run("serve", "--port", "8799", data_dir=tmp_path)
    assert serve.returncode == 1 and "rocc migrate" in serve.stderr and "Traceback" not in serve.stderr


def test_createuser_makes_a_scoped_user_and_refuses_weak_passwords_and_unknown_units(ready_dir):
    made = run(
        "createuser",
        "coordinator-w",
        "--role",
        "regional_coordinator",
        "--unit",
        "Waitemata",
        data_dir=ready_dir,
        env={"ROCC_PASSWORD": "a-long-and-unusual-passphrase"},
    )
    assert made.returncode == 0 and "scope Waitematā" in made.stdout, made.stdout + made.stderr
    weak = run("createuser", "weak", "--role", "viewer", "--unit", "Waikato", data_dir=ready_dir, env={"ROCC_PASSWORD": "password"})
    assert weak.returncode == 1 and "too short" in weak.stderr and "Traceback" not in weak.stderr
    unknown = run("createuser", "lost", "--role", "viewer", "--unit", "Atlantis", data_dir=ready_dir, env={"ROCC_PASSWORD": "a-long-and-unusual-passphrase"})
    assert unknown.returncode == 1 and "No organisational unit is called 'Atlantis'" in unknown.stderr
    provider = run(
        "createuser", "provider", "--role", "provider_reporter", "--unit", "Waikato", data_dir=ready_dir, env={"ROCC_PASSWORD": "a-long-and-unusual-passphrase"}
    )
    assert provider.returncode == 1 and "name it" in provider.stderr


def test_demo_login_is_created_once_and_printed_again(ready_dir):
    first = run("createuser", "demo", "--role", "programme_manager", "--demo", data_dir=ready_dir)
    second = run("createuser", "demo", "--role", "programme_manager", "--demo", data_dir=ready_dir)
    assert first.returncode == second.returncode == 0
    assert "Demo login: user 'demo', password '" in first.stdout
    assert first.stdout.split("password '")[1][:20] == second.stdout.split("password '")[1][:20]


def test_audit_verify_reports_intact_then_tampering(fresh_install):
    import sqlite3

    data = fresh_install()
    intact = run("audit", "verify", data_dir=data)
    assert intact.returncode == 0 and "intact" in intact.stdout
    head = run("audit", "head", data_dir=data, check=True).stdout.strip().replace("\n", "")
    with sqlite3.connect(data / "rocc.sqlite3") as db:
        db.execute("UPDATE audit_auditentry SET object_repr = 'forged' WHERE id = 3")
    tampered = run("audit", "verify", "--checkpoint", head, data_dir=data)
    assert tampered.returncode == 1 and "entry #3: its content no longer matches its hash" in tampered.stderr
