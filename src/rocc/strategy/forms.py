"""Forms of the strategy pages: progress updates and milestones, the co-design steps, barriers, initiatives, workbook upload."""

from __future__ import annotations

from django import forms

from rocc.strategy.models import ActivityStatus, BarrierSeverity, FocusAreaKind


class ProgressUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=ActivityStatus.choices)
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="What happened since the last update, and what comes next.")
    evidence_link = forms.URLField(
        required=False, assume_scheme="https", label="Evidence link", help_text="Optional: a web address of a report, minutes or other evidence."
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=300)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due date")


class DistrictPlanForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label="District or area", help_text="The plan belongs to this unit; its coordinators edit it.")
    title = forms.CharField(max_length=200, help_text="For example: Rotorua community plan 2026")

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class PartForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class PriorityActionForm(forms.Form):
    activity = forms.CharField(
        max_length=500, help_text="What will be done, e.g. Whānau support and navigation (an activity worded like an existing one adds to its chain)"
    )
    output = forms.CharField(max_length=500, required=False, help_text="What it produces that can be counted (an output worded like an existing one joins it)")
    outcome = forms.CharField(max_length=500, required=False, help_text="The change it brings (an outcome worded like an existing one joins it)")
    impact = forms.CharField(max_length=500, required=False, help_text="The lasting difference (an impact worded like an existing one joins it)")
    owner = forms.CharField(max_length=300, required=False, label="Who owns it", help_text="The stakeholders who own this action")
    timeframe = forms.CharField(max_length=300, required=False, help_text="When the response is developed, e.g. by June 2026")

    def offer_existing(self, elements) -> None:
        """Let each box field suggest the plan's boxes of its kind, so picking one joins it instead of copying it."""
        self.existing = {}
        for name in ("activity", "output", "outcome", "impact"):
            texts = list(dict.fromkeys(e.text for e in elements if e.kind == name))
            if texts:
                self.existing[name] = texts
                self.fields[name].widget.attrs["list"] = f"existing-{name}"


class BoxActivitiesForm(forms.Form):
    key = forms.SlugField(widget=forms.HiddenInput)
    activities = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label="Action-plan activities that carry it out", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, activities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = activities


class MonitoringRowForm(forms.Form):
    outcome = forms.ChoiceField(choices=())
    indicator_code = forms.ChoiceField(
        choices=(), label="Indicator", help_text="One of the indicators in Measures, so this plan and its scorecard read the same figures"
    )
    baseline = forms.CharField(max_length=300, required=False)
    data_source = forms.CharField(max_length=300, required=False, label="Data source")
    responsible_agency = forms.ModelChoiceField(
        queryset=None, required=False, label="Responsibility (organisation)", help_text="The organisation that reports the figures"
    )
    responsibility = forms.CharField(
        max_length=300, required=False, label="Responsibility note", help_text="Optional, e.g. NGO / iwi provider until the provider is named"
    )

    def __init__(self, *args, outcomes=(), agencies=None, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(e.key, e.text) for e in outcomes]
        self.fields["indicator_code"].choices = [("", "— choose an indicator —")] + sorted(
            ((code, f"{name} ({code})") for code, name in (indicators or {}).items()), key=lambda choice: choice[1].casefold()
        )
        self.fields["responsible_agency"].queryset = agencies


class AnswersForm(forms.Form):
    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for code, question in questions:
            self.fields[code] = forms.CharField(label=question, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class BarrierForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label="Region (district or area)")
    framework_barrier = forms.ModelChoiceField(queryset=None, required=False, label="Common systemic barrier", empty_label="— a new barrier (name it below) —")
    title = forms.CharField(max_length=300, required=False, label="New barrier", help_text="Only when it is not one of the framework's barriers")
    plan = forms.ModelChoiceField(queryset=None, required=False, label="Plan it affects")
    severity = forms.TypedChoiceField(coerce=int, choices=())
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="How it shows up")

    def __init__(self, *args, units=None, barriers=None, plans=None, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["framework_barrier"].queryset = barriers
        self.fields["plan"].queryset = plans
        self.fields["severity"].choices = BarrierSeverity.choices


class BarrierResponseForm(forms.Form):
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="The centre's response")


class InitiativeForm(forms.Form):
    name = forms.CharField(max_length=300)
    provider = forms.CharField(max_length=200, help_text="Who delivers it, as they are known")
    unit = forms.ModelChoiceField(queryset=None, label="District or area")
    focus_area = forms.ChoiceField(label="Strategic focus area", choices=())
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    funding_amount = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2, label="Funding (NZ$)")
    funding_source = forms.CharField(max_length=200, required=False, label="Funding source")
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Start date")
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="End date")
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="What shows it works")

    def __init__(self, *args, units=None, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["focus_area"].choices = FocusAreaKind.choices


class ActionPlanWorkbookForm(forms.Form):
    workbook = forms.FileField(label="Action plan workbook (.xlsx)", help_text="Filled in from the template")
