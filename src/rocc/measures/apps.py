"""App configuration for the measures capability."""

from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "rocc.measures"
    label = "measures"
    verbose_name = "Measures"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.measures import models

        # Definitions, targets and narratives are audited; observations and status snapshots are figures written in
        # bulk (their provenance and source_ref say where each came from).
        for model in (models.Indicator, models.IndicatorVersion, models.Target, models.Narrative):
            auditlog.register(model)
