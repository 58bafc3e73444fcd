"""What every Tasking & Coordination endpoint shares: finding the users, units, groups, forums and records a request
names (a located 422 for a name that does not exist, 404 for a record outside the scope)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from rocc.org import api as org_api
from rocc.org.models import NationalGroup
from rocc.tasking.models import Forum
from rocc.tasking.selectors import deconfliction as deconfliction_selectors
from rocc.tasking.selectors import products as products_selectors
from rocc.tasking.selectors import reports as reports_selectors
from rocc.tasking.selectors import scope as scope_selectors
from rocc.tasking.selectors import taskings as taskings_selectors


def local_today() -> dt.date:
    return timezone.localdate()


def user_named(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationError({"owner": f"No user is called '{username}'."})
    return user


def unit_named(name: str | None, field: str):
    return org_api.unit_named(name, field=field) if name else None


def group_named(code: str | None, field: str):
    if not code:
        return None
    group = NationalGroup.objects.filter(code=code).first() or NationalGroup.objects.filter(short_name__iexact=code).first()
    if group is None:
        raise ValidationError({field: f"No national group is called '{code}'."})
    return group


def forum_named(code: str | None):
    if not code:
        return None
    forum = Forum.objects.filter(code=code).first()
    if forum is None:
        raise ValidationError({"to_forum": f"No forum is called '{code}' (forums: {', '.join(Forum.objects.values_list('code', flat=True))})."})
    return forum


def subject_named(user, subject_type: str, subject_id: int):
    """The record a score or target is for, if the user may see it (404 otherwise)."""
    if subject_type == "report":
        return reports_selectors.report_get(user=user, pk=subject_id)
    if subject_type == "product":
        return products_selectors.product_get(user=user, pk=subject_id)
    if subject_type == "tasking":
        return taskings_selectors.tasking_get(user=user, pk=subject_id)
    visible = {"case": scope_selectors.cases_visible, "target": deconfliction_selectors.targets_visible}.get(subject_type)
    found = visible(user=user).filter(pk=subject_id).first() if visible else None
    if found is None:
        raise Http404("Not found")
    return found
