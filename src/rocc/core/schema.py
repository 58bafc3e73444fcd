"""A new, empty database gets the latest schema in one pass.

Applying the migrations one by one re-renders every related model after each operation, and in rocc nearly every model
is related to every other (units, users, the audit trail), so a new database took about 19 s of CPU, mostly in Django's
state rendering. On an empty database the history is not needed: the state the migrations end in is rendered once,
each table is created from it, and every migration is recorded as applied, so later migrations apply one by one as
usual. A database that already has tables, or a migration whose data step is not known to be empty on an empty
database, takes the usual path.

`core/tests/test_schema.py` compares the two paths' schemas table by table, column by column, index and constraint by
constraint, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.special import RunPython, RunSQL, SeparateDatabaseAndState
from django.db.migrations.recorder import MigrationRecorder

# Data steps that change only rows already in the database, so on an empty one they do nothing. Our own are marked
# `elidable=True` in their migrations instead; these are Django's and the installed packages' (read in their source):
# proxy permissions and legacy content-type names (auth, contenttypes), duplicate lock-out records (axes), and the task
# queue's rows rewritten for its newer columns (django_tasks_database).
EMPTY_ON_AN_EMPTY_DATABASE = {
    ("auth", "0011_update_proxy_permissions"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("axes", "0007_alter_accessattempt_unique_together"),
    ("django_tasks_database", "0008_separate_results_field"),
    ("django_tasks_database", "0011_rename_complete_status"),
    ("django_tasks_database", "0013_separate_exception_fields"),
    ("django_tasks_database", "0016_remove_dbtaskresult_django_task_new_ordering_idx_and_more"),
    ("django_tasks_database", "0018_rename_succeeded_status"),
}


def _data_steps(operations) -> list:
    steps = []
    for operation in operations:
        if isinstance(operation, SeparateDatabaseAndState):
            steps += _data_steps(operation.database_operations)
        elif isinstance(operation, (RunPython, RunSQL)):
            steps.append(operation)
    return steps


def one_pass_refusal(plan) -> str | None:
    """Why the plan cannot be applied in one pass, or None: a data step not known to do nothing on an empty database."""
    for migration, backwards in plan:
        if backwards:
            return f"{migration.app_label}.{migration.name} is unapplied"
        if (migration.app_label, migration.name) in EMPTY_ON_AN_EMPTY_DATABASE:
            continue
        if any(not step.elidable for step in _data_steps(migration.operations)):
            return f"{migration.app_label}.{migration.name} has a data step not marked elidable"
    return None


def schema_create_in_one_pass(database: str | BaseDatabaseWrapper = "default") -> bool:
    """On an empty database, create every table of the latest migrations' state and record them applied; True when it
    did. Anything else (tables present, a migration recorded, a data step that might write) is left to the migrations."""
    connection = connections[database] if isinstance(database, str) else database
    if connection.introspection.table_names():
        return False
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    if not plan or one_pass_refusal(plan) is not None:
        return False
    state = executor.loader.project_state(targets)
    models = [
        model
        for model in state.apps.get_models()
        if model._meta.can_migrate(connection) and not model._meta.proxy and model._meta.managed and not model._meta.auto_created
    ]
    recorder = MigrationRecorder(connection)
    with connection.schema_editor(atomic=True) as editor:
        for model in models:
            editor.create_model(model)  # with its many-to-many tables; foreign keys are added once all tables exist
    recorder.ensure_schema()
    recorder.migration_qs.bulk_create(recorder.Migration(app=migration.app_label, name=migration.name) for migration, _ in plan)
    return True
