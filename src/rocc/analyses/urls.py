"""URLs of the analysis pages."""

from django.urls import path

from rocc.analyses import views

app_name = "analyses"
urlpatterns = [
    path("", views.overview, name="overview"),
]
