"""Pages for the audit trail: the entries a user may see, and verification of the chain."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from rocc.audit import chain
from rocc.audit.models import AuditKind
from rocc.audit.selectors import audit_entries_for


@login_required
def entries(request):
    if not request.user.has_perm("audit.view_own_entries"):
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    page = Paginator(audit_entries_for(user=request.user, kind=kind or None), 50).get_page(request.GET.get("page"))
    return render(
        request, "audit/entries.html", {"page": page, "kind": kind, "kinds": AuditKind.choices, "all_entries": request.user.has_perm("audit.view_all_entries")}
    )


@login_required
def verify(request):
    if not request.user.has_perm("audit.verify_chain"):
        raise PermissionDenied
    return render(request, "audit/verify.html", {"result": chain.verify()})
