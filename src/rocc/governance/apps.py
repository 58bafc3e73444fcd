"""App configuration for governance report packs."""

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "rocc.governance"
    label = "governance"
    verbose_name = "Governance report packs"
