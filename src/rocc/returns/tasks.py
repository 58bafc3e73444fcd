"""Background tasks of provider reporting: reading an uploaded template too large to read while the page waits."""

from __future__ import annotations

from django_tasks import task


@task()
def template_upload_task(upload_id: int) -> str:
    from rocc.returns.models import TemplateUpload
    from rocc.returns.services import template_upload_run

    job = TemplateUpload.objects.select_related("data_set", "created_by").get(pk=upload_id)
    return template_upload_run(job=job).status
