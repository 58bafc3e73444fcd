"""URLs of the events pages."""

from django.urls import path

from rocc.events import views

app_name = "events"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("import/", views.import_page, name="import"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/status/", views.batch_status, name="batch_status"),
    path("batches/<int:batch_id>/rejects.csv", views.batch_rejects, name="batch_rejects"),
    path("victim-focus/", views.victim_focus, name="victim_focus"),
]
