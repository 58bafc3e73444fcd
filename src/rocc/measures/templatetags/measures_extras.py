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
