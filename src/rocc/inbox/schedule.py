"""The schedule the background worker runs beside its queue: every few minutes it raises the reminders due, sends
e-mail still waiting, and sends the daily digests once their hour has come. No external cron is needed; running it
on several workers at once is safe, because each reminder, e-mail and digest is claimed once."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from rocc.inbox.reminders import reminders_raise
from rocc.inbox.services import digests_send, emails_send
from rocc.referrals.services import referrals_overdue_notify

log = logging.getLogger(__name__)


def schedule_run_once(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass of the schedule at ``now``: what it raised and sent."""

    now = now or timezone.now()
    raised = reminders_raise(today=timezone.localtime(now).date())
    overdue_referrals = referrals_overdue_notify(now=now).notified
    return {**raised, "referrals": overdue_referrals, "emails": emails_send(), "digests": digests_send(now=now)}


def _loop(stop: threading.Event, every: float) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            schedule_run_once()
        except Exception:  # one failed pass must not stop the schedule: the next one tries again
            log.exception("the notification schedule failed; it runs again in %s s", every)
        finally:
            close_old_connections()
        stop.wait(every)


def schedule_start(*, every: float | None = None) -> tuple[threading.Thread, threading.Event]:
    """Start the schedule in a background thread of this process (the worker); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=_loop, args=(stop, every or settings.ROCC_SCHEDULE_SECONDS), name="rocc-schedule", daemon=True)
    thread.start()
    return thread, stop
