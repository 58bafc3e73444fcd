"""Frameworks, the annual action plan, co-designed district plans and their logic models."""
