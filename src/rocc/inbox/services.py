"""Every write of notifications: telling people (``notify``, the one call other capabilities make), marking read,
each person's e-mail choice, and the e-mails themselves (at once, or in a daily digest).

``notify`` is the contract. Callers give who, why (a ``Reason``), a short title and the page to link to; they never
put person-level data in the title (a person's name, identifier or details): name the record by its reference and
unit instead. The page the link opens applies the reader's scope and records any look at person-level data."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from rocc.core.errors import InvalidInput, Refused
from rocc.core.text import nfc
from rocc.inbox.models import EmailChoice, Notification, Preference, Reason
from rocc.inbox.tasks import notifications_email_task

log = logging.getLogger(__name__)

TITLE_MAX = 200


def _setting(name: str, default):
    """One of the notification settings (rocc.inbox.config, read in the settings module)."""
    return getattr(settings, name, default)


def _site() -> str:
    return _setting("ROCC_SITE_URL", "http://127.0.0.1:8000")


def _check(*, reason: str, title: str, url: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if reason not in Reason.values:
        errors["reason"] = [f"Unknown reason '{reason}'; choose one of: {', '.join(Reason.values)}."]
    if not title.strip():
        errors["title"] = ["Give the notification a title."]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"A title holds at most {TITLE_MAX} characters; this one has {len(title)}."]
    # A path inside rocc only: a notification never sends anyone to another site.
    if not url.startswith("/") or url.startswith("//") or "\n" in url:
        errors["url"] = [f"'{url}' is not a page of rocc: give a path such as /tasking/taskings/12/."]
    return errors


@transaction.atomic
def notify(*, recipients: Iterable, reason: str, title: str, url: str, key: str = "") -> list[Notification]:
    """Tell each of ``recipients`` (users; inactive ones and repeats are skipped) that ``title`` happened, linking
    to ``url`` (a path inside rocc). With ``key`` (the item and the reason, e.g. ``"tasking:12:overdue"``) each
    recipient is told once however often this is called: what reminders use. Returns the notifications made.
    E-mail follows after the transaction commits, for those who chose it, when the deployment configures SMTP.
    Raises InvalidInput (nothing made) for an unknown reason, an empty or overlong title, or a link outside rocc."""
    title = nfc(" ".join(title.split()))
    errors = _check(reason=reason, title=title, url=url)
    if errors:
        raise InvalidInput("The notification was not made.", field_errors=errors)
    made: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if key and Notification.objects.filter(recipient=user, key=key).exists():
            continue
        try:
            with transaction.atomic():
                made.append(Notification.objects.create(recipient=user, reason=reason, title=title, url=url, key=key))
        except IntegrityError:
            continue  # another worker raised the same reminder a moment ago
    if made and _setting("ROCC_EMAIL_ENABLED", False):
        ids = [n.pk for n in made]
        transaction.on_commit(lambda: _email_soon(ids))
    return made


def _email_soon(ids: list[int]) -> None:

    try:
        notifications_email_task.enqueue(ids)
    except Exception:  # the schedule's next run sends whatever is still waiting
        log.exception("could not queue notification e-mails %s", ids)


@transaction.atomic
def notification_open(*, user, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read (opening it does this) and return it."""
    if notification.recipient_id != user.pk:
        raise Refused("This notification is someone else's.")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def preference_set(*, user, email: str) -> Preference:
    """The user's choice of e-mail: each notification at once, a daily digest, or none."""
    if email not in EmailChoice.values:
        raise InvalidInput("Your choice was not saved.", field_errors={"email": [f"Choose one of: {', '.join(EmailChoice.values)}."]})
    preference, _ = Preference.objects.get_or_create(user=user)
    preference.email = email
    preference.save(update_fields=["email"])
    return preference


def preference_of(user) -> Preference:
    """The user's preference as stored, or the default (immediate) when they never chose."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


# --- e-mail --------------------------------------------------------------------------------------------------------


def link_for(notification: Notification) -> str:
    """The absolute address of the notification's page, for e-mail (through the inbox, so opening it marks it read)."""
    return f"{_site()}/inbox/{notification.pk}/"


FOOTER = (
    "rocc shows the details on the page to people whose role and scope allow it; "
    "this e-mail carries no person-level information.\n"
    "Choose how you are told (each notification, a daily digest or none): {site}/inbox/settings/"
)


def _message_one(notification: Notification) -> EmailMessage:
    body = "\n".join(
        [
            notification.title,
            "",
            f"{notification.get_reason_display()} · {timezone.localtime(notification.created_at):%d %b %Y %H:%M}",
            f"Open it in rocc: {link_for(notification)}",
            "",
            FOOTER.format(site=_site()),
        ]
    )
    return EmailMessage(subject=f"rocc: {notification.title}"[:150], body=body, to=[notification.recipient.email])


def _message_digest(user, notifications: list[Notification], day: dt.date) -> EmailMessage:
    lines = [f"Your rocc notifications for {day:%d %B %Y}: {len(notifications)} unread.", ""]
    for n in notifications:
        lines += [f"- {n.title}", f"  {n.get_reason_display()} · {link_for(n)}"]
    lines += ["", FOOTER.format(site=_site())]
    return EmailMessage(
        subject=f"rocc: {len(notifications)} notification{'s' if len(notifications) != 1 else ''} ({day:%d %b %Y})", body="\n".join(lines), to=[user.email]
    )


def _wants(choice: str):
    """Recipients whose stored choice is ``choice`` (no stored choice counts as immediate)."""
    User = get_user_model()
    chose = Preference.objects.filter(email=choice).values("user_id")
    if choice == EmailChoice.IMMEDIATE:
        return User.objects.filter(is_active=True).exclude(email="").exclude(pk__in=Preference.objects.exclude(email=choice).values("user_id"))
    return User.objects.filter(is_active=True, pk__in=chose).exclude(email="")


def emails_send(*, ids: Iterable[int] | None = None) -> int:
    """Send each waiting notification of the people who chose immediate e-mail (only ``ids`` when given); returns
    how many left. Each is claimed before it is sent, so two workers never send one twice; one that fails to leave
    is released for the next run."""
    if not _setting("ROCC_EMAIL_ENABLED", False):
        return 0
    waiting = Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True, recipient__in=_wants(EmailChoice.IMMEDIATE)).select_related(
        "recipient"
    )
    if ids is not None:
        waiting = waiting.filter(pk__in=list(ids))
    sent = 0
    connection = get_connection()
    for notification in waiting.order_by("created_at", "pk"):
        if not Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
            continue
        try:
            connection.send_messages([_message_one(notification)])
        except Exception:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            log.exception("notification %s could not be e-mailed", notification.pk)
            continue
        sent += 1
    return sent


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Send today's digest to each person who chose one and has not had it today, once the digest hour (New Zealand
    time) has come: every unread notification not yet e-mailed. Returns how many digests left."""
    if not _setting("ROCC_EMAIL_ENABLED", False):
        return 0
    now = timezone.localtime(now or timezone.now())
    if now.hour < _setting("ROCC_DIGEST_HOUR", 7):
        return 0
    today = now.date()
    sent = 0
    connection = get_connection()
    for user in _wants(EmailChoice.DIGEST):
        try:
            with transaction.atomic():
                claimed = Preference.objects.filter(user=user, email=EmailChoice.DIGEST).exclude(digest_sent_on=today).update(digest_sent_on=today)
                if not claimed:
                    continue
                waiting = list(
                    Notification.objects.filter(recipient=user, emailed_at__isnull=True, read_at__isnull=True, created_at__lte=now).order_by("created_at", "pk")
                )
                if not waiting:
                    continue
                Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(emailed_at=now)
                connection.send_messages([_message_digest(user, waiting, today)])
        except Exception:  # the claim rolls back with it: the next run tries this person again
            log.exception("the digest for user %s could not be e-mailed", user.pk)
            continue
        sent += 1
    return sent
