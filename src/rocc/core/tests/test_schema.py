"""A new database made in one pass (rocc.core.schema, which every `migrate` uses on an empty database) has exactly the
schema that applying every migration one by one gives: the same tables, columns (type, null), indexes and constraints
(columns, kind, target). Each side is made by its own process in a database of its own, on the suite's engine."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from rocc.core.schema import one_pass_refusal
from rocc.testing import run

STEP_BY_STEP = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'rocc.settings'; django.setup(); "
    "from django.core.management import call_command; from django.core.management.commands.migrate import Command; "
    "call_command(Command(), interactive=False, verbosity=0)"
)


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
def databases_made_both_ways(tmp_path, django_db_blocker):
    """{"one_pass": connection, "step_by_step": connection}: `rocc migrate` and Django's own migrate, each run by a
    process of its own on a new database."""
    base = connections["default"].settings_dict
    sqlite = base["ENGINE"].endswith("sqlite3")
    made = {}
    with django_db_blocker.unblock():
        for alias in ("one_pass", "step_by_step"):
            data_dir = tmp_path / alias
            data_dir.mkdir()
            env = {}
            if sqlite:
                name = str(data_dir / "rocc.sqlite3")
            else:
                name = f"rocc_schema_{alias}_{abs(hash(str(tmp_path))) % 10**8}"
                with connections["default"]._nodb_cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                    cursor.execute(f'CREATE DATABASE "{name}"')
                env["DATABASE_URL"] = f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}/{name}"
            if alias == "one_pass":
                run("migrate", data_dir=data_dir, env=env, check=True)
            else:
                environment = {**run_environment(), "ROCC_DATA_DIR": str(data_dir), **env}
                subprocess.run([sys.executable, "-c", STEP_BY_STEP], check=True, env=environment, timeout=300)
            connections.settings[alias] = {**base, "NAME": name, "TEST": {}}
            made[alias] = name
        yield {alias: connections[alias] for alias in made}
        for alias, name in made.items():
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]
            if not sqlite:
                with connections["default"]._nodb_cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run_environment() -> dict:
    return {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ROCC_SECRET_KEY", "ROCC_BACKUP_KEY", "DJANGO_SETTINGS_MODULE"}}


def test_one_pass_gives_the_schema_the_migrations_give_one_by_one(databases_made_both_ways, django_db_blocker):
    one_pass, step_by_step = databases_made_both_ways["one_pass"], databases_made_both_ways["step_by_step"]
    with django_db_blocker.unblock():
        assert _schema(one_pass) == _schema(step_by_step)
        applied = {alias: set(MigrationRecorder(connections[alias]).applied_migrations()) for alias in ("one_pass", "step_by_step")}
        assert applied["one_pass"] == applied["step_by_step"] and applied["one_pass"]
        executor = MigrationExecutor(one_pass)
        assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == [], "nothing is left to apply"
        if one_pass.vendor == "sqlite":  # large values after the columns lists read, both ways (LargeColumnsLast)
            for connection in (one_pass, step_by_step):
                described = _schema(connection)
                assert list(described["analyses_savedanalysis"]["columns"])[-5:] == ["parameters", "result_head", "map_head", "map_cells", "result"]
                assert list(described["analyses_analysisupload"]["columns"])[-2:] == ["columns", "content"]
                assert list(described["governance_reportpack"]["columns"])[-2:] == ["pdf", "xlsx"]


def test_every_data_step_of_rocc_s_own_migrations_is_marked_as_changing_only_existing_rows():
    plan = [(migration, False) for migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values()]
    assert one_pass_refusal(plan) is None, "mark a data migration elidable=True when it only changes rows that exist"
