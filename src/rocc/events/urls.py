"""URLs of the events pages."""

from django.urls import path

from rocc.events import views

app_name = "events"
urlpatterns = [
    path("", views.overview, name="overview"),
]
