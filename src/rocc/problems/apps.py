"""App configuration for the problems capability."""

from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "rocc.problems"
    label = "problems"
    verbose_name = "Problem solving"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.problems import models

        for model in (
            models.QuestionBank,
            models.Question,
            models.Case,
            models.Answer,
            models.Evidence,
            models.StageMove,
            models.StrategyComponent,
            models.LeadMeasure,
            models.Milestone,
            models.Review,
            models.OutcomeMeasure,
            models.CommunityImpactFigure,
        ):
            auditlog.register(model)
