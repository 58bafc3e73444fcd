"""URLs of the problems pages."""

from django.urls import path

from rocc.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.overview, name="overview"),
]
