"""Background tasks of notifications: sending e-mail off the web request."""

from __future__ import annotations

from django_tasks import task


@task()
def notifications_email_task(ids: list[int]) -> int:
    from rocc.inbox.services import emails_send

    return emails_send(ids=ids)
