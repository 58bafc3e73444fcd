"""The site's URLs: pages by capability, the admin, and the API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from rocc.api import api
from rocc.web import views as web_views

admin.site.site_header = "rocc administration"
admin.site.site_title = "rocc admin"

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/login/", web_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("org/", include("rocc.org.urls")),
    path("audit/", include("rocc.audit.urls")),
    path("strategy/", include("rocc.strategy.urls")),
    path("measures/", include("rocc.measures.urls")),
    path("measures/returns/", include("rocc.returns.urls")),
    path("events/", include("rocc.events.urls")),
    path("analyses/", include("rocc.analysis_pages.urls")),
    path("problems/", include("rocc.problems.urls")),
    path("tasking/", include("rocc.tasking.urls")),
    path("referrals/", include("rocc.referrals.urls")),
    path("public/", include("rocc.releases.urls")),
    path("inbox/", include("rocc.inbox.urls")),
    path("governance/", include("rocc.governance.urls")),
    path("maps/", include("rocc.maps.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
