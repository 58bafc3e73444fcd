"""rocc: resilience to organised crime in communities, from co-design to results."""

__version__ = "0.1.0"
