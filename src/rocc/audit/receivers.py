"""Signal receivers that put changes (from django-auditlog) and sign-in events on the audit chain."""

from __future__ import annotations

from auditlog.signals import post_log
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from rocc.audit import chain
from rocc.audit.models import AuditKind


@receiver(post_log, dispatch_uid="rocc_audit_change")
def chain_change(sender, instance, action, changes, log_entry, log_created, **kwargs):
    if not log_created:
        return
    chain.append(
        kind=AuditKind.CHANGE,
        actor=log_entry.actor,
        object_type=f"{sender._meta.app_label}.{sender._meta.model_name}",
        object_id=str(log_entry.object_pk),
        object_repr=log_entry.object_repr,
        details={"log_entry": log_entry.pk, "action": log_entry.get_action_display(), "changes": changes or {}},
    )


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", ""), "agent": request.META.get("HTTP_USER_AGENT", "")[:200]}


@receiver(user_logged_in, dispatch_uid="rocc_audit_login")
def chain_login(sender, request, user, **kwargs):
    chain.append(
        kind=AuditKind.AUTH,
        actor=user,
        object_type="auth.user",
        object_id=str(user.pk),
        object_repr=user.get_username(),
        details={"event": "signed in", **_client(request)},
    )


@receiver(user_logged_out, dispatch_uid="rocc_audit_logout")
def chain_logout(sender, request, user, **kwargs):
    if user is not None:
        chain.append(
            kind=AuditKind.AUTH,
            actor=user,
            object_type="auth.user",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            details={"event": "signed out", **_client(request)},
        )


@receiver(user_login_failed, dispatch_uid="rocc_audit_login_failed")
def chain_login_failed(sender, credentials, request=None, **kwargs):
    chain.append(
        kind=AuditKind.AUTH,
        object_type="auth.user",
        object_repr=str(credentials.get("username", ""))[:150],
        details={"event": "sign-in failed", **_client(request)},
    )
