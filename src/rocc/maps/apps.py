"""App configuration for maps and boundaries."""

from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "rocc.maps"
    label = "maps"
    verbose_name = "Maps and boundaries"
