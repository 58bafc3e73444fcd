"""Background work of releases: computing a release's figures (run by `rocc worker`, or inline in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def release_freeze_task(freeze_id: int) -> str:
    from rocc.releases.services import release_freeze_run

    return release_freeze_run(freeze_id=freeze_id).status
