"""Template helpers of the public pages: figures as they are written, server-drawn curves, bilingual headings."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop

from rocc.releases.charts import curve_svg, figure
from rocc.releases.selectors import public_headings_mi

register = template.Library()

# The headings the public pages use, marked so that a translation catalogue (and ROCC_PUBLIC_HEADINGS_MI) can key them.
HEADINGS = [
    gettext_noop("Latest release"),
    gettext_noop("Earlier releases"),
    gettext_noop("Release calendar"),
    gettext_noop("Scorecard"),
    gettext_noop("By district"),
    gettext_noop("Districts' own indicators"),
    gettext_noop("Turning the curve"),
    gettext_noop("Action plan progress"),
    gettext_noop("Open data"),
    gettext_noop("Definition"),
    gettext_noop("Planned"),
    gettext_noop("Published"),
    gettext_noop("Progress"),
]


@register.filter(name="figure")
def figure_filter(value):
    return figure(value)


@register.simple_tag
def curve(cell, title, chart_id):
    return curve_svg(cell=cell, title=title, chart_id=chart_id)


@register.simple_tag
def heading(english: str):
    """A heading in English (translatable) and, where the deployment gives one, its te reo Māori wording beside it."""
    mi = public_headings_mi().get(english)
    shown = gettext(english)
    if mi:
        return format_html('{} <span class="heading-mi" lang="mi">{}</span>', shown, mi)
    return shown
