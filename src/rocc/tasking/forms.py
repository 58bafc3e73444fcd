"""Forms of the Tasking & Coordination pages. They only shape input: the services check the rules and say what is wrong,
so fields the services check are optional here (the services' messages are the more useful ones)."""

from __future__ import annotations

from django import forms

from rocc.org.models import NationalGroup, OrgUnit, UnitLevel
from rocc.tasking.models import (
    Forum,
    ForumKind,
    ProductKind,
    RoutingDirection,
    TargetKind,
    TaskingStatus,
)
from rocc.tasking.rules import tasking_statuses_open

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CAVEATS = ["IN-CONFIDENCE: Police only", "IN-CONFIDENCE: Police and partner agencies", "SENSITIVE: named recipients only", "RESTRICTED"]


def _units():
    return OrgUnit.objects.exclude(level=UnitLevel.NATIONAL).order_by("path")


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return unit.name if unit.level == UnitLevel.DISTRICT else f"— {unit.name} ({unit.parent.name})"


class ProductForm(forms.Form):
    kind = forms.ChoiceField(choices=ProductKind.choices, label="Kind of product")
    title = forms.CharField(max_length=200, required=False)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    handling_caveat = forms.CharField(
        max_length=200,
        required=False,
        label="Handling caveat",
        widget=forms.TextInput(attrs={"list": "caveats"}),
        help_text="How the product may be handled and shared, e.g. " + "; ".join(CAVEATS[:2]) + ".",
    )
    product_date = forms.DateField(widget=DATE, required=False, label="Product date")
    source_unit = UnitChoice(
        queryset=OrgUnit.objects.none(),
        required=False,
        label="District or area (district products)",
        help_text="NOCG, FCG and PLO network products come from their national group.",
    )
    saved_analyses = forms.ModelMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Linked saved analyses")
    cases = forms.ModelMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Linked problem-solving cases")

    def __init__(self, *args, analyses=None, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_unit"].queryset = _units().select_related("parent")
        self.fields["saved_analyses"].queryset = analyses
        self.fields["cases"].queryset = cases


class ReportForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text="The insights, for the forum it goes to.")
    products = forms.ModelMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Compiled from these products")

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products


class RoutingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=RoutingDirection.choices, widget=forms.RadioSelect, label="Direction")
    district = forms.ModelChoiceField(
        queryset=OrgUnit.objects.filter(level=UnitLevel.DISTRICT).order_by("order"), required=False, label="District (district specific)"
    )
    to_forum = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Forum (national or multi-agency)",
        help_text="National or regional issues go to Pre T&C, then on to Strategic T&C; multi-agency responses to a DCE group.",
    )
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Why this direction: required.")
    meeting = forms.ModelChoiceField(queryset=None, required=False, label="Decided at meeting (optional)")

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_forum"].queryset = Forum.objects.filter(kind__in=[ForumKind.PRE_TC, ForumKind.STRATEGIC_TC, ForumKind.DCE_GROUP])
        self.fields["meeting"].queryset = meetings


class ReportCloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Why the report needs nothing more: required.")
    meeting = forms.ModelChoiceField(queryset=None, required=False, label="Decided at meeting (optional)")

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class ScoreForm(forms.Form):
    """One field per dimension of the methodology, each offering its scale's levels."""

    def __init__(self, *args, methodology=None, initial_ratings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.methodology = methodology
        for dimension in methodology.dimensions.all():
            choices = [("", "Choose a rating")] + [(str(level["value"]), f"{level['value']}: {level['label']}") for level in dimension.levels]
            self.fields[f"rating_{dimension.code}"] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=dimension.name,
                help_text=dimension.question,
                initial=str((initial_ratings or {}).get(dimension.code, "")),
            )
        self.fields["rationale"] = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Notes on the ratings")

    def ratings(self) -> dict:
        return {name.removeprefix("rating_"): value for name, value in self.cleaned_data.items() if name.startswith("rating_")}


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.get_full_name() or user.username} ({user.username})"


class TaskingForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="What is asked")
    tasked_unit = UnitChoice(queryset=OrgUnit.objects.none(), required=False, label="Tasked to a district or area")
    tasked_group = forms.ModelChoiceField(queryset=NationalGroup.objects.filter(level="national"), required=False, label="…or to a national group")
    owner = OwnerChoice(queryset=None, required=False, help_text="Required: the person answerable for the tasking.")
    due_date = forms.DateField(widget=DATE, required=False, label="Due date", help_text="Required.")
    meeting = forms.ModelChoiceField(queryset=None, required=False, label="Decided at meeting (optional)")

    def __init__(self, *args, meetings=None, owners=None, **kwargs):
        """``owners`` comes from ``selectors.tasking_owner_candidates``: the owner rule, not a list kept here."""
        super().__init__(*args, **kwargs)
        self.fields["tasked_unit"].queryset = _units().select_related("parent")
        self.fields["owner"].queryset = owners
        self.fields["meeting"].queryset = meetings


class OnwardStatus(forms.ChoiceField):
    """Offers the statuses the transitions table allows now, and accepts any status: when the tasking changed after
    the page was opened, the service (not this field) says why the move is refused, or that it changed."""

    def valid_value(self, value) -> bool:
        return value in TaskingStatus.values


class TaskingUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = OnwardStatus(choices=())
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="What happened: required.")
    result = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Required to complete the tasking.")

    def __init__(self, *args, tasking, **kwargs):
        """The statuses offered are those the transitions table allows from the tasking's status now."""
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(status, TaskingStatus(status).label) for status in tasking_statuses_open(tasking)]


class TargetForm(forms.Form):
    kind = forms.ChoiceField(choices=TargetKind.choices, widget=forms.RadioSelect, label="Kind of target")
    identifier = forms.CharField(required=False, label="Person identifier", help_text="Pseudonymised as soon as it is received: only the key is kept.")
    purpose = forms.CharField(required=False, label="Purpose (for a person)", help_text="Why you are naming this person: recorded in the audit trail.")
    group_name = forms.CharField(required=False, max_length=200, label="Group name")
    x = forms.FloatField(required=False, label="Easting (NZTM2000, metres)")
    y = forms.FloatField(required=False, label="Northing (NZTM2000, metres)")
    place_label = forms.CharField(required=False, max_length=200, label="Place description")


class MeetingForm(forms.Form):
    forum = forms.ModelChoiceField(queryset=None)
    held_on = forms.DateField(widget=DATE, label="Date")
    title = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, forums=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forum"].queryset = forums


class MinuteForm(forms.Form):
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="The decision, as it should be minuted.")
    decided = forms.ChoiceField(required=False, label="What it decided")

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided"].choices = [("", "Nothing in particular")] + list(links)


class MethodologyVersionForm(forms.Form):
    """A new version that changes weights and the floor (scales and levels change through a methodology file)."""

    note = forms.CharField(max_length=300, required=False, label="What changes in this version", help_text="Required.")
    modifier_floor = forms.DecimalField(min_value=0, max_value=1, decimal_places=2, label="Modifier floor (0 to 1)")

    def __init__(self, *args, methodology=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.methodology = methodology
        self.fields["modifier_floor"].initial = methodology.modifier_floor
        for dimension in methodology.dimensions.all():
            self.fields[f"weight_{dimension.code}"] = forms.DecimalField(
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=dimension.weight,
                label=f"Weight of {dimension.name}",
            )

    def dimension_rows(self) -> list[dict]:
        return [
            {"code": d.code, "name": d.name, "question": d.question, "role": d.role, "levels": d.levels, "weight": self.cleaned_data[f"weight_{d.code}"]}
            for d in self.methodology.dimensions.all()
        ]


class MilestoneTaskingForm(forms.Form):
    """Raise a case's milestone as a tasking of the case's unit: who owns it and (if not the milestone's) when it is due."""

    owner = OwnerChoice(queryset=None, required=False, help_text="Required: the person answerable for the tasking.")
    due_date = forms.DateField(widget=DATE, required=False, label="Due date", help_text="The milestone's due date when left empty.")

    def __init__(self, *args, owners=None, **kwargs):
        """``owners`` comes from ``selectors.tasking_owner_candidates`` for the case's unit."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
