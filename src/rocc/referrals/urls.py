"""URLs of referrals and the services directory, in the ``referrals`` namespace."""

from django.urls import path  # noqa: F401

app_name = "referrals"
urlpatterns: list = []
