"""App configuration for the events capability."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "rocc.events"
    label = "events"
    verbose_name = "Events"
