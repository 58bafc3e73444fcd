"""Template filters for figures on measures pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def figure(value) -> str:
    """A figure as people read it: thousands separated, one decimal for rates, none for whole counts."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number.is_integer():
        return f"{number:,.0f}"
    return f"{number:,.1f}"


@register.filter
def pvalue(value) -> str:
    if value is None:
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


# The mark and words a status is shown with (the colour comes from the ``status-<status>`` class).
STATUS_MARKS = {"on_track": ("✓", "On track"), "at_risk": ("!", "At risk"), "off_track": ("✗", "Off track")}
NO_STATUS = ("–", "Not enough data")


@register.filter
def status_mark(status) -> str:
    return STATUS_MARKS.get(status, NO_STATUS)[0]


@register.filter
def status_words(status) -> str:
    return STATUS_MARKS.get(status, NO_STATUS)[1]
