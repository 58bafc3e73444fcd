"""App configuration for the measures capability."""

from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "rocc.measures"
    label = "measures"
    verbose_name = "Measures"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.measures.models_reporting import REPORTING_MODELS

        for model in REPORTING_MODELS:  # provider reporting: data sets, providers, returns, figures, history
            auditlog.register(model)
