"""A new database made in one pass (rocc.core.schema, which every `migrate` uses on an empty database) has exactly the
schema that applying every migration one by one gives: the same tables, columns (type, null), indexes and constraints
(columns, kind, target). The one-pass side is made by `rocc migrate` in a process of its own; the other is the suite's
upgraded installation (Django's own migrate, one migration at a time, with rows written on the way), each in a
database of its own on the suite's engine."""

from __future__ import annotations

import re

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from rocc.core.schema import one_pass_refusal
from rocc.testing import run


def _named(name: str) -> str:
    """A constraint's own name; SQLite numbers unnamed constraints and foreign keys by position, which is not a name."""
    return "" if name.startswith("__") or re.fullmatch(r"fk_\d+", name) else name


def _schema(connection) -> dict:
    described = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            columns = {c.name: (c.type_code, c.null_ok) for c in connection.introspection.get_table_description(cursor, table)}
            constraints = sorted(
                repr((c["columns"], c["primary_key"], c["unique"], c["foreign_key"], c["check"], c["index"], c.get("orders"), _named(name)))
                for name, c in connection.introspection.get_constraints(cursor, table).items()
            )
            described[table] = {"columns": columns, "constraints": constraints}
    return described


@pytest.fixture
def databases_made_both_ways(tmp_path, django_db_blocker, upgraded_installation):
    """{"one_pass": connection, "step_by_step": connection}: a new database made by `rocc migrate` in a process of its
    own, and the upgraded installation."""
    base = connections["default"].settings_dict
    sqlite = base["ENGINE"].endswith("sqlite3")
    data_dir = tmp_path / "one_pass"
    data_dir.mkdir()
    env = {}
    with django_db_blocker.unblock():
        if sqlite:
            name = str(data_dir / "rocc.sqlite3")
        else:
            name = f"rocc_schema_one_pass_{abs(hash(str(tmp_path))) % 10**8}"
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cursor.execute(f'CREATE DATABASE "{name}"')
            env["DATABASE_URL"] = f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}/{name}"
        run("migrate", data_dir=data_dir, env=env, check=True)
        connections.settings["one_pass"] = {**base, "NAME": name, "TEST": {"CHARSET": None, "COLLATION": None, "MIGRATE": True, "MIRROR": None, "NAME": None}}
        yield {"one_pass": connections["one_pass"], "step_by_step": upgraded_installation[0]}
        connections["one_pass"].close()
        del connections["one_pass"]
        del connections.settings["one_pass"]
        if not sqlite:
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db(databases="__all__")  # the test database first, then the upgraded one (see upgraded_installation)
@pytest.mark.xdist_group("upgraded_installation")
def test_one_pass_gives_the_schema_the_migrations_give_one_by_one(databases_made_both_ways, django_db_blocker):
    one_pass = databases_made_both_ways["one_pass"]
    with django_db_blocker.unblock():
        described = {side: _schema(connection) for side, connection in databases_made_both_ways.items()}
        assert described["one_pass"] == described["step_by_step"]
        applied = {side: set(MigrationRecorder(connection).applied_migrations()) for side, connection in databases_made_both_ways.items()}
        assert applied["one_pass"] == applied["step_by_step"] and applied["one_pass"]
        executor = MigrationExecutor(one_pass)
        assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == [], "nothing is left to apply"
        if one_pass.vendor == "sqlite":  # large values after the columns lists read, both ways (LargeColumnsLast)
            for tables in described.values():
                assert list(tables["analyses_savedanalysis"]["columns"])[-5:] == ["parameters", "result_head", "map_head", "map_cells", "result"]
                assert list(tables["analyses_analysisupload"]["columns"])[-2:] == ["columns", "content"]
                assert list(tables["governance_reportpack"]["columns"])[-2:] == ["pdf", "xlsx"]


def test_every_data_step_of_rocc_s_own_migrations_is_marked_as_changing_only_existing_rows():
    plan = [(migration, False) for migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values()]
    assert one_pass_refusal(plan) is None, "mark a data migration elidable=True when it only changes rows that exist"
