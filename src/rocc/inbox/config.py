"""How notifications leave by e-mail, read from the environment without ever failing (as ``rocc.core.config``).

E-mail is off unless ``ROCC_SMTP_HOST`` is set. The settings module turns what is read here into Django's e-mail
settings; ``problems`` says what is wrong with a half-given configuration, so ``rocc check`` can say it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from rocc.core.config import Problem

SECURITY_CHOICES = ("none", "starttls", "tls")


@dataclass
class MailConfig:
    enabled: bool
    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    security: str = "none"
    sender: str = "rocc <rocc@localhost>"
    site_url: str = "http://127.0.0.1:8000"
    digest_hour: int = 7
    schedule_seconds: int = 300
    problems: list[Problem] = field(default_factory=list)

    @property
    def backend(self) -> str:
        """Django's SMTP e-mail backend when e-mail is on; otherwise one that sends nothing."""
        return "django.core.mail.backends.smtp.EmailBackend" if self.enabled else "django.core.mail.backends.dummy.EmailBackend"


def _whole(name: str, default: int, low: int, high: int, problems: list[Problem]) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        problems.append(Problem(f"{name} is '{raw}', not a whole number from {low} to {high}", f"set {name} to a number from {low} to {high}, or unset it"))
        return default
    return value


def load() -> MailConfig:
    problems: list[Problem] = []
    host = os.environ.get("ROCC_SMTP_HOST", "").strip()
    security = os.environ.get("ROCC_SMTP_SECURITY", "none").strip().lower() or "none"
    if security not in SECURITY_CHOICES:
        problems.append(Problem(f"ROCC_SMTP_SECURITY is '{security}'", f"use one of: {', '.join(SECURITY_CHOICES)}"))
        security = "none"
    default_port = {"none": 25, "starttls": 587, "tls": 465}[security]
    user = os.environ.get("ROCC_SMTP_USER", "").strip()
    password = os.environ.get("ROCC_SMTP_PASSWORD", "")
    if bool(user) != bool(password):
        problems.append(Problem("only one of ROCC_SMTP_USER and ROCC_SMTP_PASSWORD is set", "set both to sign in to the mail server, or neither"))
    site_url = os.environ.get("ROCC_SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
    if not site_url.startswith(("http://", "https://")):
        problems.append(Problem(f"ROCC_SITE_URL is '{site_url}'", "give the address people open rocc at, e.g. https://rocc.example.govt.nz"))
    return MailConfig(
        enabled=bool(host),
        host=host,
        port=_whole("ROCC_SMTP_PORT", default_port, 1, 65535, problems),
        user=user,
        password=password,
        security=security,
        sender=os.environ.get("ROCC_EMAIL_FROM", "").strip() or "rocc <rocc@localhost>",
        site_url=site_url,
        digest_hour=_whole("ROCC_DIGEST_HOUR", 7, 0, 23, problems),
        schedule_seconds=_whole("ROCC_SCHEDULE_SECONDS", 300, 10, 86400, problems),
        problems=problems,
    )
