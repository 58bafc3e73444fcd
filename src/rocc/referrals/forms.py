"""Forms of the referrals pages: a service's entry, its capacity, a referral, and a step in a referral's life. Choices
of services and units come from the selectors (the same rules the services enforce)."""

from __future__ import annotations

from django import forms

from rocc.referrals.models import Capacity, ContactRoute, DeclineReason, LawfulBasis, Outcome, Source, Urgency


class ServiceForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=None, label="Provider")
    name = forms.CharField(max_length=200, label="Service name")
    offers = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What it offers")
    eligibility = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Who it is for (eligibility)")
    how_to_refer = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="How to refer")
    units_served = forms.ModelMultipleChoiceField(queryset=None, label="Districts and areas served", widget=forms.SelectMultiple(attrs={"size": 8}))
    capacity = forms.ChoiceField(choices=Capacity.choices, label="Capacity")
    capacity_note = forms.CharField(max_length=300, required=False, label="Capacity note (for a waiting list: roughly how long)")
    response_days = forms.IntegerField(min_value=1, max_value=90, initial=5, label="Days to answer a referral")
    indicator_code = forms.ChoiceField(required=False, label="Counts towards the monitoring-framework indicator")
    is_active = forms.BooleanField(required=False, initial=True, label="Listed in the directory")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, providers, units, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["units_served"].queryset = units
        self.fields["indicator_code"].choices = [("", "None")] + [(code, f"{name} ({code})") for code, name in indicators]


class CapacityForm(forms.Form):
    capacity = forms.ChoiceField(choices=Capacity.choices, label="Capacity")
    capacity_note = forms.CharField(max_length=300, required=False, label="Note")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReferralForm(forms.Form):
    service = forms.ModelChoiceField(queryset=None, label="Service")
    unit = forms.ModelChoiceField(queryset=None, label="Where the person or whānau lives (unit)")
    is_whanau = forms.BooleanField(required=False, label="Referring a whānau (not one person)")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason for the referral, in plain words")
    needs = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Needs")
    urgency = forms.ChoiceField(choices=Urgency.choices, label="Urgency")
    person_name = forms.CharField(max_length=200, required=False, label="Name of the person or whānau contact")
    person_identifier = forms.CharField(
        max_length=200,
        required=False,
        label="Person identifier in Police records (optional)",
        help_text="Stored only as the event store's pseudonym, never in clear.",
    )
    person_key = forms.CharField(widget=forms.HiddenInput, required=False)
    contact_route = forms.ChoiceField(choices=ContactRoute.choices, label="How the provider makes contact")
    contact_details = forms.CharField(max_length=300, required=False, label="Contact details")
    lawful_basis = forms.ChoiceField(choices=LawfulBasis.choices, widget=forms.RadioSelect, label="Lawful basis for sharing")
    consent_given_by = forms.CharField(max_length=200, required=False, label="Consent given by")
    consent_given_at = forms.DateField(required=False, label="Consent given on", widget=forms.DateInput(attrs={"type": "date"}))
    consent_for = forms.CharField(max_length=300, required=False, label="Consent given for (what may be shared, for what)")
    other_basis = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="The other recorded basis")
    source = forms.ChoiceField(choices=Source.choices, widget=forms.HiddenInput, required=False)
    source_id = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, services, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["unit"].queryset = units


class MoveForm(forms.Form):
    move = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Note")
    decline_reason = forms.ChoiceField(choices=[("", "Choose a reason"), *DeclineReason.choices], required=False, label="Reason for declining")
    outcome = forms.ChoiceField(choices=[("", "Choose the outcome"), *Outcome.choices], required=False, label="Outcome")
