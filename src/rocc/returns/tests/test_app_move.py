"""Provider reporting moved from measures into its own app without moving any data: its tables keep their measures_
names, and a database migrated before the move keeps its returns, their change history and their permissions."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as installed_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rocc.returns.models import REPORTING_MODELS

BEFORE_THE_MOVE = ("measures", "0005_return_checks_ceiling_and_warnings_shown")
TABLES = {
    "DataSet": "measures_dataset",
    "DataSetIndicator": "measures_datasetindicator",
    "DataSetProvider": "measures_datasetprovider",
    "ProviderReturn": "measures_providerreturn",
    "ReturnValue": "measures_returnvalue",
    "ReturnEvent": "measures_returnevent",
}
content_types_move = importlib.import_module("rocc.returns.migrations.0002_content_types_from_measures")


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def _latest():
    """Every app's latest migration: going back before the move also unapplies the apps that depend on measures or
    returns (later capabilities), and the database must be whole again for the tests that follow."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db
def test_every_provider_reporting_table_keeps_its_measures_name():
    assert {model.__name__: model._meta.db_table for model in REPORTING_MODELS} == TABLES
    assert {model._meta.app_label for model in REPORTING_MODELS} == {"returns"}
    assert set(TABLES.values()) <= set(connection.introspection.table_names())


@pytest.mark.django_db(transaction=True)
def test_a_database_migrated_before_the_move_keeps_its_returns_their_history_and_permissions(defaults):
    from auditlog.models import LogEntry
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from rocc.returns.models import DataSet, ProviderReturn

    _migrate([BEFORE_THE_MOVE, ("returns", None)])
    try:
        ContentType.objects.clear_cache()
        old = MigrationExecutor(connection).loader.project_state(BEFORE_THE_MOVE).apps
        before = {ct.model: ct.pk for ct in ContentType.objects.filter(app_label="measures", model__in=[m.lower() for m in TABLES])}
        assert set(before) == {m.lower() for m in TABLES}, "the content types are back where they were before the move"
        agency = old.get_model("org", "Agency").objects.create(short_name="Te Whare Āwhina", name="Te Whare Āwhina Trust", kind="ngo")
        unit = old.get_model("org", "OrgUnit").objects.get(code="waitemata")
        data_set = old.get_model("measures", "DataSet").objects.create(code="whanau-returns", name="Whānau returns", first_period_start=dt.date(2024, 7, 1))
        draft = old.get_model("measures", "ProviderReturn").objects.create(
            data_set=data_set,
            provider=agency,
            unit=unit,
            period_start=dt.date(2024, 7, 1),
            period_end=dt.date(2024, 7, 31),
            due_date=dt.date(2024, 8, 20),
            note="Kia ora",
        )
        LogEntry.objects.create(
            content_type_id=before["providerreturn"],
            object_pk=str(draft.pk),
            object_id=draft.pk,
            object_repr="the July return",
            action=LogEntry.Action.CREATE,
            changes={},
        )
    finally:
        _migrate(_latest())
    ContentType.objects.clear_cache()

    moved = ProviderReturn.objects.get(data_set__code="whanau-returns")
    assert (moved.pk, moved.note, moved.provider.short_name, moved.period_label) == (draft.pk, "Kia ora", "Te Whare Āwhina", "Jul 2024")
    assert DataSet.objects.get(code="whanau-returns").name == "Whānau returns"
    content_type = ContentType.objects.get_for_model(ProviderReturn)
    assert (content_type.app_label, content_type.pk) == ("returns", before["providerreturn"])
    assert [entry.object_repr for entry in LogEntry.objects.get_for_object(moved)] == ["the July return"]
    assert Permission.objects.filter(content_type=content_type, codename="view_providerreturn").count() == 1
    assert not ContentType.objects.filter(app_label="measures", model__in=[m.lower() for m in TABLES]).exists()


@pytest.mark.django_db
def test_the_move_refuses_to_guess_when_both_apps_hold_a_content_type_for_a_model_and_changes_nothing():
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    target = ContentType.objects.get_or_create(app_label="returns", model="providerreturn")[0]
    stray = ContentType.objects.create(app_label="measures", model="providerreturn")
    with pytest.raises(RuntimeError, match=r"Both content types measures\.providerreturn and returns\.providerreturn exist"):
        content_types_move.forwards(installed_apps, None)
    assert ContentType.objects.get(pk=stray.pk).app_label == "measures"
    assert ContentType.objects.get(pk=target.pk).app_label == "returns"
