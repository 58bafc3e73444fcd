"""Deployment hygiene as an operator meets it: what rocc creates in its data directory is its owner's alone (files
0600, folders 0700), HTTPS behind a proxy is set from the environment (HSTS, the proxy's header, the redirect) and
off by default, and the CSRF cookie is HTTP-only. Real processes, real data directories, real requests."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from rocc.testing import copy_data_dir, run

MAPPING = """\
event_id: Occurrence ID
date: Date
offence_code: Offence
unit: District
persons:
  - role: victim
    identifier: Victim ID
"""
EVENTS = """\
Occurrence ID,Date,Offence,District,Victim ID
E1,01/03/2024,0211,North Shore,PRN-1
E2,05/03/2024,071,Waitemata,PRN-1
"""


def _modes(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` (and itself) → its permission bits, as ls shows them in octal."""
    found = {".": oct(stat.S_IMODE(folder.stat().st_mode))}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def _loose(modes: dict[str, str], folder: Path) -> dict[str, str]:
    """The files and folders others could read: folders should be 0700, files 0600."""
    return {name: mode for name, mode in modes.items() if mode != ("0o700" if (folder / name).is_dir() else "0o600")}


def test_everything_rocc_creates_in_its_data_directory_is_for_its_owner_only(installed_data_dir, tmp_path):
    # What `rocc migrate` and `rocc load-defaults` made (the suite's installed directory, under a parent others may
    # read), then what an import, a new user and a backup add to a copy of it (a copy keeps each file's mode).
    assert installed_data_dir.parent.stat().st_mode & 0o005, "the installed directory's parent is one others may read"
    assert _loose(_modes(installed_data_dir), installed_data_dir) == {}, _modes(installed_data_dir)
    os.chmod(tmp_path, 0o755)  # a parent folder others may read, as /srv or /var/lib often is
    data = copy_data_dir(installed_data_dir, tmp_path / "data")
    inputs = tmp_path / "inputs"
    inputs.mkdir(mode=0o755)
    (inputs / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (inputs / "events.csv").write_text(EVENTS, encoding="utf-8")

    imported = run("events", "import", str(inputs / "events.csv"), "--source", "extract", "--mapping", str(inputs / "mapping.yaml"), data_dir=data)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    run("createuser", "operator", "--role", "administrator", "--demo", data_dir=data, check=True)
    archive = tmp_path / "rocc-backup.tar.gz"
    run("backup", str(archive), data_dir=data, check=True)

    modes = _modes(data)
    # what the run made: the database, the keys, the event store with its person index, the demo login
    assert "rocc.sqlite3" in modes and "secret_key" in modes and "backup.key" in modes, sorted(modes)
    assert oct(stat.S_IMODE(archive.stat().st_mode)) == "0o600"  # a backup holds the keys, wherever it is written
    assert any(name.endswith(".parquet") for name in modes), sorted(modes)
    assert _loose(modes, data) == {}, _loose(modes, data)

    checked = run("check", data_dir=data)
    assert checked.returncode == 0 and "data directory" not in checked.stdout.replace(f"data directory {data}", ""), checked.stdout


def test_check_warns_of_a_data_directory_others_can_read_and_says_how_to_close_it(fresh_install):
    data = fresh_install()
    os.chmod(data / "rocc.sqlite3", 0o644)
    os.chmod(data, 0o755)
    result = run("check", data_dir=data)
    assert result.returncode == 0, result.stdout + result.stderr  # a warning, not a refusal to serve
    assert "warning data directory: 2 item(s) in the data directory can be read by other users (., rocc.sqlite3)" in result.stdout
    assert f"fix: chmod -R go= {data}" in result.stdout


_SETTINGS = """
import json
from rocc.core.ready import django_ready
django_ready()
from django.conf import settings
from django.test import Client
client = Client()
plain = client.get("/accounts/login/")
proxied = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
print(json.dumps({
    "hsts": settings.SECURE_HSTS_SECONDS,
    "header": settings.SECURE_PROXY_SSL_HEADER,
    "redirect": settings.SECURE_SSL_REDIRECT,
    "plain": [plain.status_code, plain.headers.get("Location", ""), plain.headers.get("Strict-Transport-Security", "")],
    "proxied": [proxied.status_code, proxied.headers.get("Strict-Transport-Security", "")],
}))
"""


def _served(data: Path, **environment: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROCC_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))}
    env.update({"ROCC_DATA_DIR": str(data), "ROCC_ALLOWED_HOSTS": "testserver", **environment})
    done = subprocess.run([sys.executable, "-c", _SETTINGS], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_https_settings_are_off_unless_the_deployment_sets_them(fresh_install):
    found = _served(fresh_install())
    assert found == {"hsts": 0, "header": None, "redirect": False, "plain": [200, "", ""], "proxied": [200, ""]}


def test_behind_a_tls_proxy_hsts_and_the_redirect_to_https_follow_the_environment(fresh_install):
    found = _served(
        fresh_install(),
        ROCC_HSTS_SECONDS="31536000",
        ROCC_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
        ROCC_SECURE_SSL_REDIRECT="1",
    )
    assert found["hsts"] == 31536000 and found["header"] == ["HTTP_X_FORWARDED_PROTO", "https"] and found["redirect"] is True
    assert found["plain"] == [301, "https://testserver/accounts/login/", ""]  # plain HTTP goes to HTTPS, with no HSTS
    assert found["proxied"] == [200, "max-age=31536000"]  # what came through the proxy over HTTPS is served, with HSTS


def test_the_older_proxy_setting_still_names_the_usual_header(fresh_install):
    assert _served(fresh_install(), ROCC_BEHIND_TLS_PROXY="1")["header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("ROCC_HSTS_SECONDS", "a year", "ROCC_HSTS_SECONDS='a year' is not a whole number of seconds"),
        ("ROCC_SECURE_PROXY_SSL_HEADER", "https", "ROCC_SECURE_PROXY_SSL_HEADER='https' is not a header and its value"),
    ],
)
def test_a_malformed_https_setting_is_explained_and_serve_refuses_to_start(fresh_install, variable, value, said):
    data = fresh_install()
    result = run("check", data_dir=data, env={variable: value})
    assert result.returncode == 1 and said in result.stdout and "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr


@pytest.mark.django_db
def test_the_csrf_cookie_is_http_only_secure_and_same_site(client):
    page = client.get("/accounts/login/")
    cookie = page.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
