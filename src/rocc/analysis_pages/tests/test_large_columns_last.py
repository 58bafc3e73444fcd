"""Saved analyses' large columns move after the others on an existing SQLite database, with every row kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rocc.analysis_pages.models import AnalysisKind, SavedAnalysis
from rocc.org.models import OrgUnit

BEFORE = ("analyses", "0005_uploads_checked_by_the_worker")
AFTER = ("analyses", "0006_large_columns_last")


def _columns() -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, "analyses_savedanalysis")]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite keeps large values inside the row")
@pytest.mark.django_db(transaction=True)
def test_an_existing_table_is_rebuilt_with_its_results_last_and_every_row_kept(make_user):
    analyst = make_user("analyst")
    result = {"cells": [[i, i % 7] for i in range(50_000)]}
    saved = SavedAnalysis.objects.create(
        kind=AnalysisKind.HOTSPOTS,
        title="Before",
        scope_unit=OrgUnit.objects.get(code="waitemata"),
        source="a file",
        parameters={"cell": 250},
        result=result,
        created_by=analyst,
    )
    MigrationExecutor(connection).migrate([BEFORE])
    try:
        with connection.cursor() as cursor:  # the order an older database has: the result mid-row
            cursor.execute(
                'CREATE TABLE "old_order" AS SELECT id, kind, title, source, parameters, result, holds_person_level, created_at, created_by_id, scope_unit_id, result_head, map_head, map_cells FROM analyses_savedanalysis'
            )
            cursor.execute("DROP TABLE analyses_savedanalysis")
            cursor.execute('ALTER TABLE "old_order" RENAME TO analyses_savedanalysis')
        assert _columns().index("result") < _columns().index("created_at")
    finally:
        MigrationExecutor(connection).migrate([AFTER])
    assert _columns()[-5:] == ["parameters", "result_head", "map_head", "map_cells", "result"]
    kept = SavedAnalysis.objects.get(pk=saved.pk)
    assert (kept.title, kept.parameters, kept.result, kept.created_by_id) == ("Before", {"cell": 250}, result, analyst.pk)
