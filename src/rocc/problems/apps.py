"""App configuration for the problems capability."""

from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "rocc.problems"
    label = "problems"
    verbose_name = "Problem solving"
