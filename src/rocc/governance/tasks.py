"""Background work of governance report packs: generating a pack (run by `rocc worker`, or inline in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def report_pack_task(pack_id: int) -> str:
    from rocc.governance.services import pack_generate

    return pack_generate(pack_id=pack_id).status
