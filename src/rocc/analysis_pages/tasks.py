"""Background work of the analyses capability: long runs (near repeats with many permutations, big networks) and
checking uploaded files too large to read while the page waits."""

from __future__ import annotations

from django_tasks import task


@task()
def analysis_run_task(run_id: int) -> str:
    from rocc.analysis_pages.services import analysis_run_execute

    return analysis_run_execute(run_id=run_id).status


@task()
def analysis_upload_task(upload_id: int) -> str:
    from rocc.analysis_pages.services import analysis_upload_check

    return analysis_upload_check(upload_id=upload_id).status
