"""The action plan on a turn-the-curve page: the activities and taskings a curve's action plan picks, with their
status, and (for whoever may write the curve's story) the form that picks them. Measures' indicator page includes
it, so the picks are strategy's and the page stays Measures'."""

from __future__ import annotations

from django import template

from rocc.strategy.selectors.frameworks import curve_action_choices, curve_actions_for

register = template.Library()


@register.inclusion_tag("strategy/_curve_actions.html", takes_context=True)
def curve_actions(context, indicator, unit):
    user = context["request"].user
    picked = curve_actions_for(user=user, indicator=indicator, unit=unit)
    may_pick = user.has_perm("measures.edit_narrative", unit)
    choices = curve_action_choices(user=user) if may_pick else {"activities": [], "taskings": []}
    chosen = {(item.kind, item.pk) for item in picked.items}
    # A tasking already picked stays offered (checked) once it is closed.
    offered_taskings = dict(choices["taskings"])
    for item in picked.items:
        if item.kind == "tasking":
            offered_taskings.setdefault(item.pk, item.label)
    return {
        "indicator": indicator,
        "unit": unit,
        "picked": picked,
        "may_pick": may_pick,
        "activities": [(pk, label, ("activity", pk) in chosen) for pk, label in choices["activities"]],
        "taskings": [(pk, label, ("tasking", pk) in chosen) for pk, label in offered_taskings.items()],
        "csrf_token": context.get("csrf_token"),
    }
