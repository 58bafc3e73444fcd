"""URLs of the measures pages."""

from django.urls import path

from rocc.measures import views

app_name = "measures"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<slug:code>/story/", views.narrative_edit, name="narrative_edit"),
    path("indicators/<slug:code>/owner/", views.indicator_owner_edit, name="indicator_owner"),
    path("indicators/<slug:code>/series.<str:fmt>", views.indicator_export, name="indicator_export"),
    path("indicators/<slug:code>/districts/", views.compare, name="compare"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecard.<str:fmt>", views.scorecard_export, name="scorecard_export"),
    path("scorecard/<slug:unit_code>/", views.district_scorecard, name="district_scorecard"),
]
