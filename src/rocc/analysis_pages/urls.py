"""URLs of the analysis pages."""

from django.urls import path

from rocc.analysis_pages import views

app_name = "analyses"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("uploads/<int:pk>/status/", views.upload_status, name="upload_status"),
    path("runs/<int:pk>/persons/", views.run_persons, name="run_persons"),
    path("runs/<int:pk>/save/", views.run_save, name="run_save"),
    path("runs/<int:pk>/geojson/", views.run_geojson, name="run_geojson"),
    path("saved/<int:pk>/", views.saved_detail, name="saved"),
    path("saved/<int:pk>/geojson/", views.saved_geojson, name="saved_geojson"),
    path("saved/<int:pk>/map-cells/", views.saved_map_cells, name="saved_map_cells"),
    path("saved/<int:pk>/links/", views.saved_link, name="saved_link"),
    path("displacement/from-hot-spot/", views.displacement_from_hot_spot, name="displacement_from_hot_spot"),
    path("<slug:slug>/", views.analysis_page, name="analysis"),
    path("<slug:slug>/run/", views.analysis_run, name="run_file"),
    path("<slug:slug>/run-events/", views.analysis_run_events, name="run_events"),
]
