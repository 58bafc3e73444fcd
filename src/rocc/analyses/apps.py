"""App configuration for the analyses capability."""

from django.apps import AppConfig


class AnalysesConfig(AppConfig):
    name = "rocc.analyses"
    label = "analyses"
    verbose_name = "Analyses"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.analyses import models

        auditlog.register(models.SavedAnalysis, exclude_fields=["result"])
