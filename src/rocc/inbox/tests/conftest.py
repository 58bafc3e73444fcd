"""Fixtures of the notification tests: a real SMTP server on localhost (aiosmtpd) with rocc's e-mail turned on
against it, and the records whose moves raise notifications."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest

from rocc.returns.tests.fixtures import *  # noqa: F403  (the provider-reporting data set, providers and people)
from rocc.testing import load_once


@dataclass
class Received:
    to: list[str]
    subject: str
    body: str


@dataclass
class Mailbox:
    """What the local SMTP server received, in order."""

    messages: list[Received] = field(default_factory=list)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.to]


class _Handler:
    def __init__(self, box: Mailbox):
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        self.box.messages.append(Received(to=list(envelope.rcpt_tos), subject=str(message["subject"]).strip(), body=body.get_content() if body else ""))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server listening on localhost for the test; yields (port, mailbox)."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = _free_port()
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, box
    finally:
        controller.stop()


@pytest.fixture
def mail(smtp_server, settings):
    """rocc's e-mail turned on against the local SMTP server, with background tasks run at once: yields the mailbox.
    E-mail leaves when the transaction commits: tests wrap the moves in ``committed`` to run those hooks."""
    port, box = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "rocc <rocc@example.govt.nz>"
    settings.ROCC_EMAIL_ENABLED = True
    settings.ROCC_SITE_URL = "https://rocc.example.govt.nz"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    yield box


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the commit hooks of what happens inside, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def with_emails(people):
    """Give the provider-reporting people e-mail addresses."""
    for user in people.values():
        user.email = f"{user.username}@example.org.nz"
        user.save(update_fields=["email"])
    return people


@pytest.fixture
def tasking_people(defaults, make_user):
    """The shipped forums, the OCCC chair, and a T&C member in Waitematā and in Canterbury."""
    from rocc.tasking.services.defaults import tasking_defaults_load

    load_once(tasking_defaults_load)
    people = {
        "occc": make_user("tc_member", units=["nz"], username="occc-chair"),
        "waitemata_tc": make_user("tc_member", units=["waitemata"], username="waitemata-tc"),
        "canterbury_tc": make_user("tc_member", units=["canterbury"], username="canterbury-tc"),
    }
    for user in people.values():
        user.email = f"{user.username}@police.example.nz"
        user.save(update_fields=["email"])
    return people


@pytest.fixture
def make_tasking(tasking_people):
    from rocc.org.models import OrgUnit
    from rocc.tasking.services.taskings import tasking_create

    def make(owner="waitemata_tc", unit="waitemata", due=None, title="Disrupt supply to Aroha Ngata's address"):
        return tasking_create(
            actor=tasking_people["occc"],
            title=title,
            description="Follow up the address.",
            owner=tasking_people[owner],
            due_date=due or dt.date.today() + dt.timedelta(days=14),
            tasked_unit=OrgUnit.objects.get(code=unit),
        )

    return make
