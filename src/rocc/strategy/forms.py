"""Forms of the strategy pages: a progress update and a milestone."""

from __future__ import annotations

from django import forms

from rocc.strategy.models import ActivityStatus


class ProgressUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=ActivityStatus.choices)
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="What happened since the last update, and what comes next.")
    evidence_link = forms.URLField(required=False, assume_scheme="https", label="Evidence link",
                                   help_text="Optional: a web address of a report, minutes or other evidence.")


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=300)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due date")
