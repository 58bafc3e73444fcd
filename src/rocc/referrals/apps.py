"""App configuration for referrals and the services directory."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "rocc.referrals"
    label = "referrals"
    verbose_name = "Referrals and the services directory"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rocc.referrals.models import Service

        # The directory's change history. Referrals themselves keep their own steps (and every look is in the audit
        # trail): a change log of their fields would copy identifying details past their retention period.
        auditlog.register(Service, m2m_fields={"units_served"})
