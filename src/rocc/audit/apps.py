"""App configuration for the audit trail; connects the signals that feed it."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "rocc.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from rocc.audit import receivers  # noqa: F401  (connects signal receivers)
