"""App configuration for the events capability."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "rocc.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.events import models

        auditlog.register(models.EventSource)
        auditlog.register(models.ImportBatch, exclude_fields=["progress", "stage"])
