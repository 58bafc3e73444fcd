"""Template tags that put the map component on other capabilities' pages with one line each:
``{% load maps %}`` then ``{% hotspot_map result %}``, ``{% events_map %}``, ``{% deconfliction_map views %}`` or
``{% case_area_map case %}``, ``{% near_repeat_pairs_map result %}``. Each reads through the maps selectors, scoped to the signed-in user."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from rocc.maps import components, selectors
from rocc.org.models import UnitLevel

register = template.Library()


def _render(context, map_context) -> str:
    if map_context is None:
        return ""
    return render_to_string("maps/_map.html", {"map": map_context}, request=context.get("request"))


@register.simple_tag(takes_context=True)
def hotspot_map(context, result, stored=None, cells_url=None):
    """The hot-spot result's cells on the map (nothing when the cells are not in NZTM2000). With ``stored`` (the map's
    head kept with a saved analysis) and ``cells_url``, the page carries the head only and the map fetches the cells."""
    if stored and cells_url:
        return _render(context, components.saved_hotspot_map(stored, cells_url=cells_url))
    return _render(context, components.hotspot_map(result))


@register.simple_tag(takes_context=True)
def near_repeat_pairs_map(context, result, chains=False):
    """A near-repeat result's linked pairs (``chains``: a chains result's links) as lines on the map, with the table
    of the same pairs; nothing when it kept none or its coordinates are not NZTM2000."""
    return _render(context, components.pairs_map(result, chains=bool(chains)))


@register.simple_tag(takes_context=True)
def events_map(context):
    return _render(context, components.events_map(user=context["request"].user))


@register.simple_tag(takes_context=True)
def deconfliction_map(context, views):
    return _render(context, components.deconfliction_map(user=context["request"].user, views=views))


@register.simple_tag(takes_context=True)
def case_area_map(context, case):
    return _render(context, components.area_map(user=context["request"].user, unit=case.scope_unit))


@register.simple_tag
def public_indicator_map(indicator):
    """A published indicator by district, and by area when the release holds area figures, drawn on the server for
    the public pages (a level is left out when fewer than two of its units have a boundary loaded). ``indicator`` is
    one indicator of a release version's content: only its frozen figures are read."""
    parts = []
    for level in (UnitLevel.DISTRICT, UnitLevel.AREA):
        layer = selectors.public_choropleth(indicator, level=level)
        if layer:
            parts.append(render_to_string("maps/_public_choropleth.html", {"m": layer, "first": not parts}))
    return mark_safe("".join(parts))  # noqa: S308  (templates rendered with autoescape)
