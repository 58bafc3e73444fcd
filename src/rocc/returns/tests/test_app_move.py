"""Provider reporting moved from measures into its own app without moving any data: its tables keep their measures_
names, and a database migrated before the move keeps its returns, their change history and their permissions."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as installed_apps
from django.db import connection

from rocc.returns.models import REPORTING_MODELS

TABLES = {
    "DataSet": "measures_dataset",
    "DataSetIndicator": "measures_datasetindicator",
    "DataSetProvider": "measures_datasetprovider",
    "ProviderReturn": "measures_providerreturn",
    "ReturnValue": "measures_returnvalue",
    "ReturnEvent": "measures_returnevent",
}
content_types_move = importlib.import_module("rocc.returns.migrations.0002_content_types_from_measures")


@pytest.mark.django_db
def test_every_provider_reporting_table_keeps_its_measures_name():
    assert {model.__name__: model._meta.db_table for model in REPORTING_MODELS} == TABLES
    assert {model._meta.app_label for model in REPORTING_MODELS} == {"returns"}
    assert set(TABLES.values()) <= set(connection.introspection.table_names())


@pytest.mark.django_db(databases="__all__")  # the test database first, then the upgraded one (see upgraded_installation)
@pytest.mark.xdist_group("upgraded_installation")
def test_a_database_migrated_before_the_move_keeps_its_returns_their_history_and_permissions(upgraded_installation, django_db_blocker):
    from auditlog.models import LogEntry
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from rocc.returns.models import DataSet, ProviderReturn

    upgraded, written = upgraded_installation
    alias, before = upgraded.alias, written["content_types"]
    assert set(before) == {m.lower() for m in TABLES}, "the content types were where they were before the move"
    with django_db_blocker.unblock():
        ContentType.objects.clear_cache()
        moved = ProviderReturn.objects.using(alias).select_related("provider").get(data_set__code="whanau-returns")
        assert (moved.pk, moved.note, moved.provider.short_name, moved.period_label) == (written["return"], "Kia ora", "Te Whare Āwhina", "Jul 2024")
        assert DataSet.objects.using(alias).get(code="whanau-returns").name == "Whānau returns"
        content_type = ContentType.objects.db_manager(alias).get_for_model(ProviderReturn)
        assert (content_type.app_label, content_type.pk) == ("returns", before["providerreturn"])
        history = LogEntry.objects.using(alias).filter(content_type=content_type, object_pk=str(moved.pk))
        assert [entry.object_repr for entry in history] == ["the July return"]
        assert Permission.objects.using(alias).filter(content_type=content_type, codename="view_providerreturn").count() == 1
        assert not ContentType.objects.db_manager(alias).filter(app_label="measures", model__in=[m.lower() for m in TABLES]).exists()
        ContentType.objects.clear_cache()


@pytest.mark.django_db
def test_the_move_refuses_to_guess_when_both_apps_hold_a_content_type_for_a_model_and_changes_nothing():
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    target = ContentType.objects.get_or_create(app_label="returns", model="providerreturn")[0]
    stray = ContentType.objects.create(app_label="measures", model="providerreturn")
    with pytest.raises(RuntimeError, match=r"Both content types measures\.providerreturn and returns\.providerreturn exist"):
        content_types_move._move(installed_apps, db="default", source="measures", target="returns")
    assert ContentType.objects.get(pk=stray.pk).app_label == "measures"
    assert ContentType.objects.get(pk=target.pk).app_label == "returns"
