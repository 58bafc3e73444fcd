"""The home page, one per role: the role's work queue (``rocc.web.queues``), built from selectors the user may call."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from rocc.audit.selectors import audit_entries_for
from rocc.org import selectors as org
from rocc.org.models import Role
from rocc.org.scope import scope_of
from rocc.returns.selectors import data_set_list
from rocc.web import queues

HOME_TEMPLATES = {
    Role.ADMINISTRATOR: "web/home_administrator.html",
    Role.PROGRAMME_MANAGER: "web/home_programme_manager.html",
    Role.REGIONAL_COORDINATOR: "web/home_regional.html",
    Role.ANALYST: "web/home_analyst.html",
    Role.PROVIDER_REPORTER: "web/home_provider.html",
    Role.TC_MEMBER: "web/home_tasking.html",
    Role.VIEWER: "web/home_viewer.html",
}


def home(request):
    if not request.user.is_authenticated:
        return render(request, "web/home_public.html")
    scope = scope_of(request.user)
    if scope.role is None:
        return render(request, "web/home_norole.html")
    units = org.units_in_scope(user=request.user).select_related("parent")
    listed = [u for u in units if u.level != "area"]
    populations = org.latest_populations(user=request.user, units=listed)
    context = {
        "scope_units": units.exclude(level="area") if scope.national else units,
        "scope_populations": [(u, populations.get(u.pk)) for u in listed],
        "recent_entries": audit_entries_for(user=request.user)[:8],
        "agencies": org.agency_list(user=request.user),
        "groups": org.national_group_list(user=request.user),
        "own_agency": request.user.profile.agency,
        "queue": queues.work_queue(request.user),
    }
    if scope.role == Role.PROVIDER_REPORTER:
        context["reporting_data_sets"] = list(data_set_list(user=request.user))
    if scope.role == Role.VIEWER:
        context["scorecard"] = queues.scorecard_for_viewer(request.user)
    if scope.role == Role.ADMINISTRATOR:
        context["user_count"] = get_user_model().objects.count()
        context["locked_attempts"] = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    return render(request, HOME_TEMPLATES[scope.role], context)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(failure_limit=settings.AXES_FAILURE_LIMIT, **kwargs)
