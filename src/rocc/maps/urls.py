"""URLs of maps and boundaries, in the ``maps`` namespace."""

from django.urls import path

from rocc.maps import views

app_name = "maps"
urlpatterns = [
    path("", views.indicator_map, name="indicator_map"),
]
