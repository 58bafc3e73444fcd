"""App configuration for the provider reporting capability."""

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "rocc.returns"
    label = "returns"
    verbose_name = "Provider returns"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.returns.models import REPORTING_MODELS

        for model in REPORTING_MODELS:  # data sets, providers, returns, figures, history
            auditlog.register(model)
