"""App configuration of the analysis pages: the web face of the `rocc.analysis` library (uploads, runs on the event store,
saved analyses). Its label stays `analyses`, so its tables, permissions and URLs keep their names."""

from django.apps import AppConfig


class AnalysesConfig(AppConfig):
    name = "rocc.analysis_pages"
    label = "analyses"
    verbose_name = "Analyses"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.analysis_pages import models

        auditlog.register(models.SavedAnalysis, exclude_fields=["result"])
