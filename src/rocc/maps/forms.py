"""The indicator map's choices: which indicator, district or area, which period, and whether to see it as the public does."""

from __future__ import annotations

from django import forms

from rocc.measures.selectors import indicators_for
from rocc.org.models import UnitLevel


class IndicatorMapForm(forms.Form):
    indicator = forms.ChoiceField(label="Indicator")
    level = forms.ChoiceField(label="By", choices=[(UnitLevel.DISTRICT, "District"), (UnitLevel.AREA, "Area")], initial=UnitLevel.DISTRICT)
    period = forms.ChoiceField(label="Period", required=False, choices=[("", "Latest figure of each unit")])
    public = forms.BooleanField(label="As the public sees it (every figure protected)", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["indicator"].choices = [(i.code, i.name) for i in indicators_for(user=user).order_by("name")]
        # A period chosen from a link stays valid until the indicator's own periods are known (offer_periods).
        chosen = (self.data.get("period") or "") if self.is_bound else ""
        if chosen:
            self.fields["period"].choices = [*self.fields["period"].choices, (chosen, chosen)]

    def offer_periods(self, periods: list[dict]) -> None:
        self.fields["period"].choices = [("", "Latest figure of each unit"), *((p["key"], p["label"]) for p in periods)]
