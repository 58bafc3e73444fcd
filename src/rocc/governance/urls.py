"""URLs of governance report packs, in the ``governance`` namespace."""

from django.urls import path  # noqa: F401

app_name = "governance"
urlpatterns: list = []
