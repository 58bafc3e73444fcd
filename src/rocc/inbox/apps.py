"""App configuration for notifications."""

from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "rocc.inbox"
    label = "inbox"
    verbose_name = "Notifications"
