"""Fixtures shared by rocc's tests: the shipped reference data (loaded once per test session), users of every role,
and an installed data directory for the real `rocc` command."""

from __future__ import annotations

from pathlib import Path

import pytest

from rocc.web.testing import chromium  # noqa: F401  (one Chromium per test process, shared by every browser test module)

PASSWORD = "correct-horse-battery-staple-42"

_SHIPPED: dict = {}


def _shipped_reference_data():
    """The shipped agencies, units, populations and national structure, loaded once into the test database; each test
    runs in a transaction over it. A transactional test (live server, browser) empties the database when it ends, so the
    next test that asks loads them again."""
    from rocc.org.models import OrgUnit
    from rocc.org.services import defaults_load
    from rocc.testing import load_once

    if "org" not in _SHIPPED or not OrgUnit.objects.filter(code="nz").exists():
        _SHIPPED["org"] = load_once(defaults_load)
    return _SHIPPED["org"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _shipped_reference_data()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users: a cheap hasher keeps that quick. The real hashers are covered by the CLI tests,
    which run `rocc` in its own process with the production settings."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def defaults(db):
    return _shipped_reference_data()


@pytest.fixture(scope="session")
def installed_data_dir(tmp_path_factory, worker_id) -> Path:
    """A data directory installed once per test session by the real `rocc migrate` and `rocc load-defaults`. Tests
    never write to it: they take a copy (``fresh_install``). With several test processes the first that needs it
    installs it in the folder they share and the others wait for it, so it is installed once, not once per process."""
    from rocc.testing import install_data_dir_once

    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    folder = shared / "installed"
    return install_data_dir_once(folder)


@pytest.fixture
def fresh_install(installed_data_dir, tmp_path):
    """fresh_install(name="data") → a new data directory, as `rocc migrate` and `rocc load-defaults` leave one.
    fresh_install(name, defaults=False) → one as `rocc migrate` alone leaves it on another machine (keys of its own)."""
    from rocc.testing import copy_data_dir

    def install(name: str = "data", defaults: bool = True) -> Path:
        if defaults:
            return copy_data_dir(installed_data_dir, tmp_path / name)
        return copy_data_dir(installed_data_dir.parent / "migrated", tmp_path / name, new_machine=True)

    return install


@pytest.fixture
def make_user(defaults):
    """make_user(role, units=("waitemata",), agency=None, username=None) → a user created by the real service."""
    from rocc.org.models import Agency, OrgUnit
    from rocc.org.services import user_create

    counter = {"n": 0}

    def make(role: str, units=None, agency: str | None = None, username: str | None = None):
        counter["n"] += 1
        unit_objs = [OrgUnit.objects.get(code=c) for c in (units or [])]
        if not unit_objs and role not in {"administrator", "programme_manager"}:
            unit_objs = [OrgUnit.objects.get(code="waitemata")]
        profile = user_create(
            username=username or f"{role}-{counter['n']}",
            password=PASSWORD,
            role=role,
            units=unit_objs,
            agency=Agency.objects.get(short_name=agency) if agency else None,
        )
        return profile.user

    return make


@pytest.fixture
def actors(make_user):
    """One actor per role (Waitematā scope for the regional roles), a user with no role, and an anonymous visitor:
    the rows of every permission matrix."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    return {
        "administrator": make_user("administrator"),
        "programme_manager": make_user("programme_manager"),
        "regional_coordinator": make_user("regional_coordinator", units=["waitemata"]),
        "analyst": make_user("analyst", units=["waitemata"]),
        "provider_reporter": make_user("provider_reporter", units=["waitemata"], agency="MSD"),
        "tc_member": make_user("tc_member", units=["waitemata"]),
        "viewer": make_user("viewer", units=["waitemata"]),
        "no role": get_user_model().objects.create_user("norole", password="x-unused-password-1"),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture(scope="session")
def upgraded_installation(django_db_setup, tmp_path_factory, django_db_blocker):
    """(connection, written): a database an older installation made and upgraded one migration at a time, by
    Django's own migrate, holding what it wrote before provider reporting had an app of its own (``rocc.testing``).
    Its tests share the xdist group "upgraded_installation", so one test process makes it. It follows the test
    database's set-up: a third-party data migration (django-tasks-db's) writes to the default database, which must be
    the test database by then."""
    from rocc.testing import upgraded_database

    with django_db_blocker.unblock():
        yield from upgraded_database(tmp_path_factory.mktemp("upgraded"))
