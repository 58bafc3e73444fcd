"""A queued import runs once: running its batch again (a repeated background task) finds no file, says so, and
leaves the batch and the store as the first run left them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from rocc.events import store
from rocc.events.models import BatchStatus, ImportBatch
from rocc.events.selectors import events_frame
from rocc.events.services import batch_queue, batch_run
from rocc.events.tasks import batch_import_task
from rocc.events.tests.conftest import GOOD_ROWS, csv_text


@pytest.fixture
def imported(source, analyst) -> ImportBatch:
    upload = SimpleUploadedFile("extract.csv", csv_text(*GOOD_ROWS).encode("utf-8"), content_type="text/csv")
    batch = batch_queue(user=analyst, source=source, upload=upload, partial=False)
    kept = store.absolute(batch.upload_file)
    assert kept.exists()
    assert batch_import_task.call(batch.pk) == BatchStatus.DONE  # what the worker runs
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.rows_imported == 3
    assert batch.upload_file == "" and not kept.exists()
    return batch


def test_running_a_finished_batch_again_is_refused_and_changes_nothing(imported, analyst):
    before = ImportBatch.objects.values().get(pk=imported.pk)
    with pytest.raises(ValidationError, match="has no file to read") as refused:
        batch_run(batch=ImportBatch.objects.get(pk=imported.pk))
    assert "nothing was changed" in str(refused.value)
    assert ImportBatch.objects.values().get(pk=imported.pk) == before
    assert events_frame(user=analyst)["event_id"].tolist() == ["E1", "E2", "E3"]


def test_a_repeated_import_task_leaves_the_imported_batch_imported(imported, analyst):
    batch_import_task.call(imported.pk)
    imported.refresh_from_db()
    assert imported.status == BatchStatus.DONE
    assert "unexpectedly" not in imported.message
    assert events_frame(user=analyst)["event_id"].tolist() == ["E1", "E2", "E3"]
