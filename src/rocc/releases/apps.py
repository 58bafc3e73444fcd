"""App configuration for public releases."""

from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "rocc.releases"
    label = "releases"
    verbose_name = "Public releases"
