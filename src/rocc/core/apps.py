"""App configuration for the core helpers."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rocc.core"
    label = "core"
