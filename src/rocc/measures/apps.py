"""App configuration for the measures capability."""

from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "rocc.measures"
    label = "measures"
    verbose_name = "Measures"
