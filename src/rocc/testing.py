"""What rocc's tests share: the `rocc` command run as a user runs it, a data directory installed once per test session,
and the API called through Django's test client with a bearer token.

Browser helpers (Debian's Chromium through Playwright, the axe-core check) live in ``rocc.web.testing``.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROCC = [sys.executable, "-m", "rocc.cli"]


def run(*args: str, data_dir: Path, env: dict | None = None, check: bool = False, input: str | None = None) -> subprocess.CompletedProcess:
    """`rocc ARGS` in its own process with the production settings and ``data_dir`` as its data directory."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ROCC_SECRET_KEY", "ROCC_BACKUP_KEY", "DJANGO_SETTINGS_MODULE"}}
    environment.update({"ROCC_DATA_DIR": str(data_dir), "COLUMNS": "200", **(env or {})})
    result = subprocess.run([*ROCC, *args], capture_output=True, text=True, env=environment, timeout=180, input=input)
    if check and result.returncode != 0:
        raise AssertionError(f"rocc {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def install_data_dir(folder: Path, migrated: Path | None = None) -> Path:
    """A data directory set up the way `make run` sets one up: `rocc migrate`, then `rocc load-defaults`. With
    ``migrated``, a copy of the directory as `rocc migrate` alone left it is kept there too."""
    run("migrate", data_dir=folder, check=True)
    if migrated is not None:
        copy_data_dir(folder, migrated)
    run("load-defaults", data_dir=folder, check=True)
    return folder


def install_data_dir_once(folder: Path) -> Path:
    """``folder``/data installed by :func:`install_data_dir` (and ``folder``/migrated beside it) unless another test
    process already installed it there; a lock beside the folder makes the others wait while one installs it."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "installed").exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a process that failed half-way left
            folder.mkdir()
            folder.chmod(0o755)  # under a folder others may read, as /srv or /var/lib often is: rocc's own modes must close it
            install_data_dir(folder / "data", migrated=folder / "migrated")
            (folder / "installed").touch()
    return folder / "data"


def copy_data_dir(template: Path, folder: Path, new_machine: bool = False) -> Path:
    """A copy of an installed data directory (database, keys, files), as if installed again; file modes are kept.
    ``new_machine`` leaves the keys behind, as a directory set up on another machine has keys of its own (rocc makes a
    secret key when it first runs)."""
    shutil.copytree(template, folder, copy_function=shutil.copy2)
    if new_machine:
        for key in ("secret_key", "backup.key"):
            (folder / key).unlink(missing_ok=True)
    return folder


def api_call(path: str, token: str | None = None, payload: Any = None, method: str | None = None, headers: dict | None = None) -> tuple[int, Any]:
    """One request to the JSON API through Django's test client, signed in only by the bearer ``token``: (status, body),
    the body parsed from JSON, or the text when the answer is not JSON. POST when there is a payload, else GET."""
    from django.test import Client

    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()})
    method = (method or ("POST" if payload is not None else "GET")).lower()
    kwargs: dict[str, Any] = {} if payload is None else {"data": json.dumps(payload), "content_type": "application/json"}
    response = getattr(Client(), method)(path, **kwargs, **extra)
    text = response.content.decode()
    try:
        return response.status_code, json.loads(text)
    except json.JSONDecodeError:
        return response.status_code, text


# Shipped content, loaded once per test process. ------------------------------------------------------------------
#
# Loading the shipped indicators, frameworks or methodology through their services takes seconds; many tests need them
# as their starting point. `load_once(loader)` runs the real loader the first time a test asks for it from a given
# database state, records every row it added, changed or removed, and from then on replays those rows into the test's
# transaction (a bulk insert, no signals) when another test asks from the same state. The state is told by each
# table's row count and largest key, so a test that has added rows of its own gets a load of its own. The audit
# trail's newest hash is not part of the state: a test's own entries before the load (written at another moment, so
# hashing differently) change it, and the replayed entries are chained on from whatever it is (`_audit_relinked`).

_LOADED: dict[tuple[str, tuple], tuple[Any, list]] = {}


def _tables() -> list:
    from django.apps import apps
    from django.db import connection

    existing = set(connection.introspection.table_names())
    models = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing:
            models.setdefault(model._meta.db_table, model)
    return [models[table] for table in sorted(models)]


def _fingerprint(models: list) -> tuple:
    """Each table's row count and largest key, read in one query. Each part names its table: PostgreSQL may return the
    parts of a UNION ALL in any order (a parallel append), so the rows are matched to tables by name, not position."""
    from django.db import connection

    quote = connection.ops.quote_name
    parts = [f"SELECT '{m._meta.db_table}', COUNT(*), MAX(CAST({quote(m._meta.pk.column)} AS TEXT)) FROM {quote(m._meta.db_table)}" for m in models]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return tuple(sorted(tuple(row) for row in cursor.fetchall()))


def _rows(model) -> dict:
    attnames = [field.attname for field in model._meta.concrete_fields]
    return {row[attnames.index(model._meta.pk.attname)]: row for row in model._base_manager.order_by().values_list(*attnames)}


def _replay(changes: list) -> None:
    from django.core.management.color import no_style
    from django.db import connection, transaction

    with transaction.atomic():
        _replay_rows(_audit_relinked(changes))
    if connection.vendor == "postgresql":
        statements = connection.ops.sequence_reset_sql(no_style(), [model for model, *_ in changes])
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _audit_relinked(changes: list) -> list:
    """The recorded changes with the loader's audit entries chained on from the trail's head as it is now, and the
    head moved to the last of them: the same entries, the same ids, a chain that verifies."""
    from rocc.audit.chain import entry_hash
    from rocc.audit.models import GENESIS_HASH, AuditEntry, AuditHead

    recorded = {model: (removed, changed, added) for model, removed, changed, added in changes}
    if AuditEntry not in recorded or not recorded[AuditEntry][2]:
        return changes
    head = AuditHead.objects.filter(id=1).values_list("last_hash", "count").first() or (GENESIS_HASH, 0)
    last_hash, count = head
    names = [field.attname for field in AuditEntry._meta.concrete_fields]
    entries = []
    for row in sorted(recorded[AuditEntry][2], key=lambda row: row[names.index("id")]):
        values = dict(zip(names, row, strict=True))
        values["prev_hash"], values["hash"] = last_hash, entry_hash(last_hash, values)
        last_hash, count = values["hash"], count + 1
        entries.append(tuple(values[name] for name in names))
    head_names = [field.attname for field in AuditHead._meta.concrete_fields]
    relinked = []
    for model, removed, changed, added in changes:
        if model is AuditEntry:
            added = entries
        elif model is AuditHead:
            moved = {"last_id": entries[-1][names.index("id")], "last_hash": last_hash, "count": count}
            changed = [tuple(moved.get(name, value) for name, value in zip(head_names, row, strict=True)) for row in changed]
            added = [tuple(moved.get(name, value) for name, value in zip(head_names, row, strict=True)) for row in added]
        relinked.append((model, removed, changed, added))
    return relinked


def _replay_rows(changes: list) -> None:
    """The recorded rows written back as they were: deleted without the ORM's cascade or signals, updated and inserted in
    bulk (the foreign keys are checked when the transaction ends, so the order of the tables does not matter)."""
    from django.db import connection

    for model, removed, changed, added in changes:
        attnames = [field.attname for field in model._meta.concrete_fields]
        if removed:
            model._base_manager.filter(pk__in=removed)._raw_delete(connection.alias)
        if changed:
            instances = [model(**dict(zip(attnames, row, strict=True))) for row in changed]
            model._base_manager.bulk_update(instances, [f.attname for f in model._meta.concrete_fields if not f.primary_key])
        if added:
            model._base_manager.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in added])


def load_once(loader):
    """``loader()`` (a shipped-content service such as ``measures_defaults_load``) into the test database: run for real
    the first time from this database state, replayed from its recorded rows after that. Returns what the loader
    returned (a copy)."""
    import copy

    models = _tables()
    key = (f"{loader.__module__}.{loader.__qualname__}", _fingerprint(models))
    if key in _LOADED:
        result, changes = _LOADED[key]
        _replay(changes)
        return copy.deepcopy(result)
    before = {model: _rows(model) for model in models}
    result = loader()
    changes = []
    for model in models:
        old, new = before[model], _rows(model)
        removed = [pk for pk in old if pk not in new]
        changed = [row for pk, row in new.items() if pk in old and old[pk] != row]
        added = [row for pk, row in new.items() if pk not in old]
        if removed or changed or added:
            changes.append((model, removed, changed, added))
    _LOADED[key] = (copy.deepcopy(result), changes)
    return result


# A database migrated one migration at a time, as an older installation is upgraded. ------------------------------
#
# Django's own migrate (not rocc's, which makes an empty database in one pass) takes a new database up to the last
# migration before provider reporting moved out of measures, an installation of that time writes a data set and a
# return with its change history, and the same migrate then upgrades it to the latest migrations. The schema test
# compares its schema with a one-pass database; the app-move test reads what the upgrade kept.

BEFORE_THE_MOVE = ("measures", "0005_return_checks_ceiling_and_warnings_shown")


def upgraded_database(folder: Path, alias: str = "upgraded"):
    """Yield (connection, written) for a new database upgraded step by step (see above); ``written`` holds the keys of
    the rows written before the upgrade. The database is dropped afterwards."""
    from django.core.management import call_command
    from django.core.management.commands.migrate import Command as DjangoMigrate
    from django.db import connections

    base = connections["default"].settings_dict
    sqlite = base["ENGINE"].endswith("sqlite3")
    name = str(folder / "upgraded.sqlite3") if sqlite else f"rocc_upgraded_{os.getpid()}_{abs(hash(str(folder))) % 10**8}"
    if not sqlite:
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    connections.settings[alias] = {**base, "NAME": name, "TEST": {"CHARSET": None, "COLLATION": None, "MIGRATE": True, "MIRROR": None, "NAME": None}}
    try:
        _migrate_to_before_the_move(connections[alias])
        written = _written_before_the_move(connections[alias])
        call_command(DjangoMigrate(), database=alias, interactive=False, verbosity=0)
        yield connections[alias], written
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
        if not sqlite:
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _migrate_to_before_the_move(connection) -> None:
    """Every migration that does not come after the move (each app as an installation of that time had it), applied
    one at a time as Django's migrate applies them, then its post-migrate step (content types, permissions)."""
    from django.core.management.sql import emit_post_migrate_signal
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    the_move = ("measures", "0006_provider_reporting_moves_to_returns")
    after = {node for node in graph.nodes if the_move in graph.forwards_plan(node)}
    plan = [
        (migration, backwards) for migration, backwards in executor.migration_plan(graph.leaf_nodes()) if (migration.app_label, migration.name) not in after
    ]
    state = executor.migrate(targets=[], plan=plan)
    emit_post_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)


def _written_before_the_move(connection) -> dict:
    """A provider's July return, its data set and its change history, written with the models of that time."""
    import datetime as dt

    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.migrations.executor import MigrationExecutor

    alias = connection.alias
    old = MigrationExecutor(connection).loader.project_state(BEFORE_THE_MOVE).apps
    content_types = {
        ct.model: ct.pk
        for ct in ContentType.objects.db_manager(alias).filter(
            app_label="measures", model__in=["dataset", "datasetindicator", "datasetprovider", "providerreturn", "returnvalue", "returnevent"]
        )
    }
    agency = old.get_model("org", "Agency").objects.using(alias).create(short_name="Te Whare Āwhina", name="Te Whare Āwhina Trust", kind="ngo")
    units = old.get_model("org", "OrgUnit").objects.using(alias)
    national = units.create(code="nz", name="New Zealand", level="national", path="nz")
    unit = units.create(code="waitemata", name="Waitematā", level="district", parent=national, path="nz/waitemata")
    data_set = (
        old.get_model("measures", "DataSet").objects.using(alias).create(code="whanau-returns", name="Whānau returns", first_period_start=dt.date(2024, 7, 1))
    )
    draft = (
        old.get_model("measures", "ProviderReturn")
        .objects.using(alias)
        .create(
            data_set=data_set,
            provider=agency,
            unit=unit,
            period_start=dt.date(2024, 7, 1),
            period_end=dt.date(2024, 7, 31),
            due_date=dt.date(2024, 8, 20),
            note="Kia ora",
        )
    )
    LogEntry.objects.using(alias).create(
        content_type_id=content_types["providerreturn"],
        object_pk=str(draft.pk),
        object_id=draft.pk,
        object_repr="the July return",
        action=LogEntry.Action.CREATE,
        changes={},
    )
    return {"return": draft.pk, "content_types": content_types}
