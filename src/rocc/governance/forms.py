"""The form that asks for a governance report pack: the unit, a quarter (or dates), and the audience."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from rocc.governance.models import Audience
from rocc.governance.periods import PackPeriod, last_complete_quarter, parse_quarter, recent_quarters


class PackForm(forms.Form):
    unit = forms.ChoiceField(label="For")
    quarter = forms.ChoiceField(label="Quarter", required=False, help_text="The last complete quarter unless you choose another.")
    period_start = forms.DateField(
        label="Or from", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Give both dates for another period."
    )
    period_end = forms.DateField(label="to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    audience = forms.ChoiceField(label="Audience", choices=Audience.choices, initial=Audience.INTERNAL, widget=forms.RadioSelect)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        self.fields["unit"].choices = [(u.code, u.name) for u in units]
        today = timezone.localdate()
        self.fields["quarter"].choices = [(q.key, q.label) for q in recent_quarters(today)]
        self.fields["quarter"].initial = last_complete_quarter(today).key

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if bool(start) != bool(end):
            self.add_error("period_end" if start else "period_start", "Give both dates, or neither to use the quarter.")
        elif start and end:
            data["period"] = PackPeriod(start, end)
        else:
            data["period"] = parse_quarter(data.get("quarter") or "") or last_complete_quarter(timezone.localdate())
        return data
