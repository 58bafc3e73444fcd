"""App configuration for the tasking capability."""

from django.apps import AppConfig


class TaskingConfig(AppConfig):
    name = "rocc.tasking"
    label = "tasking"
    verbose_name = "Tasking & Coordination"
