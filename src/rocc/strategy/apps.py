"""App configuration for the strategy capability."""

from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "rocc.strategy"
    label = "strategy"
    verbose_name = "Strategy and co-design"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.strategy import models

        for model in (
            models.Framework,
            models.GuidingPrinciple,
            models.Objective,
            models.SystemicBarrier,
            models.IndicativeMeasure,
            models.OutcomeStatement,
            models.ActionPlan,
            models.FocusArea,
            models.PriorityActionArea,
            models.Activity,
            models.SubActivity,
            models.ActivityAgency,
            models.Milestone,
            models.ProgressUpdate,
            models.DistrictPlan,
            models.PlanVersion,
            models.PlanFocusArea,
            models.SuccessCondition,
            models.PlanAnswer,
            models.ChainElement,
            models.MonitoringRow,
            models.BarrierEscalation,
            models.Initiative,
        ):
            auditlog.register(model)
