"""URLs of the measures pages."""

from django.urls import path

from rocc.measures import views

app_name = "measures"
urlpatterns = [
    path("", views.overview, name="overview"),
]
