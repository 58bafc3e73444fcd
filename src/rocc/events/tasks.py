"""Background tasks of the events capability: running an import batch off the web request."""

from __future__ import annotations

from django_tasks import task


@task()
def batch_import_task(batch_id: int) -> str:
    from rocc.events.models import ImportBatch
    from rocc.events.services import batch_run

    batch = ImportBatch.objects.select_related("source", "created_by").get(pk=batch_id)
    try:
        batch = batch_run(batch=batch)
    except Exception:  # recorded on the batch as failed; the page shows it
        return "failed"
    return batch.status
