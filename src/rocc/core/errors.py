"""The refusals every capability shares, and the one shape the API answers them in: refused (403), stale or in
the wrong state (409) and invalid (422, with each field's errors). Services raise them; the API turns them into
answers in one place (rocc.api), so no endpoint words an error itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Schema

NOTHING_SAVED = "Nothing was saved."


class ErrorOut(Schema):
    """Every error answer: what went wrong in a sentence, and where a form field or a record's history says more.
    A capability whose refusal locates more (a case's missing answers, a return's cells) extends this schema."""

    detail: str
    errors: dict[str, list[str]] | None = None
    changed_by: str | None = None
    changed_at: dt.datetime | None = None


def error_responses(*codes: int, schema: type[ErrorOut] = ErrorOut) -> dict[int, type[ErrorOut]]:
    """The error answers an operation documents, e.g. ``response={201: ThingOut, **error_responses(403, 422)}``."""
    return {code: schema for code in codes}


class Refused(PermissionDenied):
    """The user may not do this (403). A PermissionDenied, so pages and the API treat both alike."""


class InvalidInput(Exception):
    """The input cannot be accepted and nothing changed (422). ``field_errors`` names each field that was wrong;
    a subclass that locates problems another way adds them to ``answer()``."""

    def __init__(self, message: str = NOTHING_SAVED, *, field_errors: Mapping[str, list[str]] | None = None):
        self.message = message
        self.field_errors: dict[str, list[str]] = {field: list(errors) for field, errors in (field_errors or {}).items()}
        super().__init__(message)

    @classmethod
    def from_validation(cls, error: ValidationError, message: str = NOTHING_SAVED) -> InvalidInput:
        """Django's ValidationError as a 422: its field errors, or its messages under "" when it names no field."""
        return cls(message, field_errors=error.message_dict if hasattr(error, "error_dict") else {"": error.messages})

    def answer(self) -> dict[str, Any]:
        return {"detail": self.message, "errors": self.field_errors or None}


class Conflict(Exception):
    """The record is not in a state that allows this (a closed case, an approved return): 409, nothing changed."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def answer(self) -> dict[str, Any]:
        return {"detail": self.message}


class StaleRecord(Conflict):
    """A write based on a version of a record that someone has changed since (409); says who and when."""

    def __init__(self, *, changed_by, changed_at: dt.datetime | None, message: str):
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(message)

    @staticmethod
    def who(user) -> str:
        """The changer as the message names them."""
        return (user.get_full_name() or user.get_username()) if user is not None else "someone"

    @staticmethod
    def when(at: dt.datetime | None) -> str:
        """The change's local time as the message gives it."""
        return timezone.localtime(at).strftime("%d %b %Y %H:%M") if at else "an unknown time"

    def answer(self) -> dict[str, Any]:
        return {
            "detail": self.message,
            "changed_by": self.changed_by.get_username() if self.changed_by is not None else None,
            "changed_at": self.changed_at,
        }
