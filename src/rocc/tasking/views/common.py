"""What every Tasking & Coordination page shares: who may open the pages, a service's refusal put on the form, and
Excel downloads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse

from rocc.tasking.services.common import RecordChanged

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_allowed(request) -> None:
    if not request.user.has_perm("tasking.view_tasking"):
        raise PermissionDenied


def refused(form, error: Exception) -> int:
    """Put a service's refusal on the form; returns the status to show the page again with (409 when the record
    changed since it was opened, 400 for bad input)."""
    if isinstance(error, RecordChanged):
        form.add_error(None, error.message)
        return 409
    errors_into(form, error)
    return 400


def errors_into(form, error: ValidationError) -> None:
    problems = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in problems.items():
        key = field if field in form.fields else None
        if field and field.startswith("ratings."):
            key = f"rating_{field.removeprefix('ratings.')}"
            key = key if key in form.fields else None
        for text in texts:
            form.add_error(key, text)


def xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
