"""URLs of public releases, in the ``releases`` namespace, mounted at /public/: the anonymous public pages and open-data
files, the embeddable views, and (signed in) release management under /public/manage/ and a provider's consent page."""

from django.urls import path

from rocc.releases import views

app_name = "releases"
urlpatterns = [
    # Public: no sign-in, live releases only.
    path("", views.public_home, name="home"),
    path("releases/", views.public_releases, name="releases"),
    path("calendar/", views.public_calendar, name="calendar"),
    path("releases/<slug:slug>/", views.public_release, name="release"),
    path("releases/<slug:slug>/action-plan/", views.public_action_plan, name="action_plan"),
    path("releases/<slug:slug>/indicators/<slug:code>/", views.public_indicator, name="indicator"),
    path("releases/<slug:slug>/data.<str:fmt>", views.public_data, name="data"),
    path("releases/<slug:slug>/v<int:number>/", views.public_release, name="release_version"),
    path("releases/<slug:slug>/v<int:number>/action-plan/", views.public_action_plan, name="action_plan_version"),
    path("releases/<slug:slug>/v<int:number>/indicators/<slug:code>/", views.public_indicator, name="indicator_version"),
    path("releases/<slug:slug>/v<int:number>/data.<str:fmt>", views.public_data, name="data_version"),
    path("embed/<slug:slug>/scorecard/", views.embed_scorecard, name="embed_scorecard"),
    path("embed/<slug:slug>/indicators/<slug:code>/", views.embed_indicator, name="embed_indicator"),
    # Signed in.
    path("manage/", views.manage, name="manage"),
    path("manage/<slug:slug>/", views.manage_release, name="manage_release"),
    path("manage/<slug:slug>/do/<slug:action>/", views.manage_action, name="manage_action"),
    path("manage/<slug:slug>/freezing/", views.freeze_status, name="freeze_status"),
    path("manage/<slug:slug>/preview/", views.preview, name="preview"),
    path("manage/<slug:slug>/preview/action-plan/", views.preview, {"page": "action-plan"}, name="preview_action_plan"),
    path("manage/<slug:slug>/preview/indicators/<slug:code>/", views.preview, name="preview_indicator"),
    path("consent/", views.consent, name="consent"),
]
