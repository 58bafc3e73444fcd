"""URLs of the tasking pages."""

from django.urls import path

from rocc.tasking import views

app_name = "tasking"
urlpatterns = [
    path("", views.overview, name="overview"),
]
