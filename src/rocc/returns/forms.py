"""Forms of the provider-reporting pages: a return's figures, opening a return, uploading a template, reviewing."""

from __future__ import annotations

from django import forms

from rocc.returns.services import figure_parse

FIGURE_PREFIX = "figure_"


class ReturnFiguresForm(forms.Form):
    """One text field per figure of the data set (parsed by the same rules as the Excel template and the API, so a
    letter or a negative gets the same message everywhere), the provider's note and the version seen."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note for the approver",
        help_text="Optional: explain anything unusual, such as a flagged change.",
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            name = FIGURE_PREFIX + item.indicator.code
            self.fields[name] = forms.CharField(
                required=False,
                label=item.question,
                help_text=item.guidance,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "figure"}),
            )
        # The note after the figures.
        self.order_fields([FIGURE_PREFIX + item.indicator.code for item in self.items] + ["note", "version"])

    def clean(self):
        cleaned = super().clean()
        for item in self.items:
            name = FIGURE_PREFIX + item.indicator.code
            _, problem = figure_parse(cleaned.get(name))
            if problem:
                self.add_error(name, problem)
        return cleaned

    def figures(self) -> dict[str, str]:
        return {item.indicator.code: self.cleaned_data.get(FIGURE_PREFIX + item.indicator.code, "") for item in self.items}

    def figure_fields(self):
        return [self[FIGURE_PREFIX + item.indicator.code] for item in self.items]


class ReturnOpenForm(forms.Form):
    assignment = forms.ChoiceField(label="Provider and reporting unit")
    period = forms.ChoiceField(label="Period")

    def __init__(self, *args, assignments=(), periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [(a.pk, f"{a.agency} for {a.unit.name}") for a in assignments]
        self.fields["period"].choices = [(p.key, p.label) for p in periods]


class TemplateUploadForm(forms.Form):
    file = forms.FileField(
        label="Filled Excel template (.xlsx)",
        help_text="The template downloaded from this page, with the yellow cells filled.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Comment", help_text="Required when returning for revision: say what to check or fix."
    )


class ProviderAddForm(forms.Form):
    agency = forms.ChoiceField(label="Provider (agency)")
    unit = forms.ChoiceField(label="Reporting unit")

    def __init__(self, *args, agencies=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, f"{a.short_name} — {a.name}" if a.name != a.short_name else a.short_name) for a in agencies]
        self.fields["unit"].choices = [(u.pk, f"{u.name} ({u.get_level_display().lower()})") for u in units]


class FigureChecksForm(forms.Form):
    """The checks of one figure of a data set, as the programme office sets them (the service decides what is valid)."""

    check_population = forms.BooleanField(required=False, label="Check against the reporting unit's population")
    max_change_ratio = forms.FloatField(
        required=False, label="Flag a change from last period beyond (×)", help_text="A factor above 1, for example 3; empty: no change check."
    )
    plausible_max = forms.IntegerField(
        required=False, label="Ceiling: the most this figure can be for one period", help_text="A figure above it stops submission; empty: no ceiling."
    )
