"""Pages of notifications: the inbox, opening one (marks it read and goes to its page), and the e-mail choice."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rocc.core.errors import InvalidInput
from rocc.inbox import selectors, services
from rocc.inbox.models import EmailChoice


@login_required
def inbox(request):
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only), 50).get_page(request.GET.get("page"))
    return render(request, "inbox/inbox.html", {"page": page, "unread_only": unread_only, "unread": selectors.unread_count(user=request.user)})


@login_required
def notification_open(request, pk: int):
    notification = services.notification_open(user=request.user, notification=selectors.notification_get(user=request.user, pk=pk))
    return redirect(notification.url)


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("inbox:inbox")


@login_required
def preferences(request):
    if request.method == "POST":
        try:
            services.preference_set(user=request.user, email=request.POST.get("email", ""))
        except InvalidInput as error:
            messages.error(request, "; ".join(error.field_errors.get("email", [error.message])))
        else:
            messages.success(request, "Your choice is saved.")
            return redirect("inbox:preferences")
    return render(
        request,
        "inbox/preferences.html",
        {
            "choice": services.preference_of(request.user).email,
            "choices": EmailChoice.choices,
            "email_enabled": settings.ROCC_EMAIL_ENABLED,
            "digest_hour": settings.ROCC_DIGEST_HOUR,
        },
    )
