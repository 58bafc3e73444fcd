"""App configuration for the tasking capability."""

from django.apps import AppConfig


class TaskingConfig(AppConfig):
    name = "rocc.tasking"
    label = "tasking"
    verbose_name = "Tasking & Coordination"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.tasking import models

        for model in (
            models.Forum,
            models.InsightsProduct,
            models.InsightsReport,
            models.RoutingDecision,
            models.RiskMethodology,
            models.RiskDimension,
            models.RiskScore,
            models.Tasking,
            models.TaskingUpdate,
            models.Target,
            models.DeconflictionAlert,
            models.Meeting,
            models.Minute,
        ):
            auditlog.register(model)
