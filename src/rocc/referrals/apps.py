"""App configuration for referrals and the services directory."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "rocc.referrals"
    label = "referrals"
    verbose_name = "Referrals and the services directory"
