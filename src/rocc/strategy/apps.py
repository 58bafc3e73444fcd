"""App configuration for the strategy capability."""

from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "rocc.strategy"
    label = "strategy"
    verbose_name = "Strategy and co-design"
