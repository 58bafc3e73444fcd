"""App configuration for the organisation model."""

from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "rocc.org"
    label = "org"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.org import models

        for model in (models.Agency, models.OrgUnit, models.UnitAlias, models.Population, models.NationalGroup, models.Profile):
            auditlog.register(model)
