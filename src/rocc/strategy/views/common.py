"""What the strategy pages share."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_allowed(request) -> None:
    if not request.user.has_perm("strategy.view_strategy"):
        raise PermissionDenied


def error_messages(error: ValidationError) -> list[str]:
    return [m for problems in error.message_dict.values() for m in problems] if hasattr(error, "error_dict") else list(error.messages)
