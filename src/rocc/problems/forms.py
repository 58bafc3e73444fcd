"""Forms of the problem-solving pages: opening a case, its sections per stage, answers, evidence, moves."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from rocc.org.models import Agency, OrgUnit, Role
from rocc.org.scope import scope_of
from rocc.problems.models import (
    Agreement,
    EvidenceKind,
    Fact,
    HarmOrVolume,
    ProblemKind,
    ReviewCycle,
    Stage,
    TimePattern,
    VipersComponent,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _text(rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "—")] + list(choices)


def possible_owners(unit: OrgUnit | None = None):
    """Users who may own a case: anyone with a working role (not providers), in the unit's scope when given."""
    users = get_user_model().objects.filter(is_active=True, profile__isnull=False).exclude(profile__role=Role.PROVIDER_REPORTER)
    users = users.select_related("profile").order_by("username")
    if unit is None:
        return users
    return users.filter(pk__in=[u.pk for u in users if scope_of(u).covers(unit.path)])


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return f"{user.get_full_name() or user.get_username()} ({user.profile.get_role_display()})"


class CaseOpenForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = _text(4, required=False, help_text="The problem in a few sentences: what, where, who is harmed.")
    scope_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label="Organisational unit")
    owner = OwnerChoice(queryset=get_user_model().objects.none(), label="Owner")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = [u.pk for u in OrgUnit.objects.all() if user.has_perm("problems.open_case", u)]
        self.fields["scope_unit"].queryset = OrgUnit.objects.filter(pk__in=units)
        self.fields["owner"].queryset = possible_owners()
        self.fields["owner"].initial = user.pk


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class BackForm(VersionForm):
    reason = _text(2, label="Why is the case going back?")


class GeneralForm(VersionForm):
    title = forms.CharField(max_length=200)
    description = _text(4, required=False)
    owner = OwnerChoice(queryset=get_user_model().objects.none())
    partner_agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.all(), required=False, label="Partner agencies", widget=forms.CheckboxSelectMultiple
    )
    partner_others = _text(3, required=False, label="Iwi, hapū and community partners", help_text="One per line.")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners(case.scope_unit if case else None)


class ScanForm(forms.Form):
    harm_or_volume = forms.ChoiceField(choices=_blank(HarmOrVolume.choices), required=False, label="High harm or high volume?")
    problem_kind = forms.ChoiceField(choices=_blank(ProblemKind.choices), required=False, label="Crime, harm or crash?")
    problem_type = forms.CharField(
        max_length=200,
        required=False,
        label="Type of crime, harm or crash",
        help_text="e.g. methamphetamine supply, family harm, fatal crashes on a rural road",
    )
    time_pattern = forms.ChoiceField(choices=_blank(TimePattern.choices), required=False, label="Pattern over time")
    communities_agree_problem = forms.ChoiceField(choices=Agreement.choices, label="Do communities and iwi agree this is a problem?")
    communities_agree_drivers = forms.ChoiceField(choices=Agreement.choices, label="Do they agree on its definition and drivers?")


class NominateForm(forms.Form):
    objective_police = _text(3, required=False, label="Objectives from our (Police) perspective")
    objective_community = _text(3, required=False, label="Objectives from our communities' perspective")
    success_looks_like = _text(3, required=False, label="What success looks like, from the perspective of our communities")
    cultural_impact = _text(3, required=False, label="The cultural impact of our planned approach")


class VipersForm(forms.Form):
    def __init__(self, *args, initial_components=None, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in VipersComponent.choices:
            self.fields[value] = _text(2, required=False, label=label, initial=(initial_components or {}).get(value, ""))


class LeadMeasureForm(forms.Form):
    description = forms.CharField(max_length=300, label="Lead activity or measure")
    monitored_by = forms.CharField(max_length=200, label="Who monitors and reports it")
    indicator_code = forms.CharField(max_length=80, required=False, label="Indicator code", help_text="Optional.")


class DeployForm(forms.Form):
    review_cycle = forms.ChoiceField(choices=_blank(ReviewCycle.choices), required=False, label="Review cycle")
    resources = _text(3, required=False, label="Resources deployed, and how they are directed (time, place, process)")


class MilestoneForm(forms.Form):
    description = forms.CharField(max_length=300, label="Milestone or intermediate outcome")
    responsible = forms.CharField(max_length=200, label="Responsible")
    due = forms.DateField(widget=DATE, label="Due")


class ReviewForm(forms.Form):
    held_on = forms.DateField(widget=DATE, label="Held on")
    notes = _text(3, label="What the review found")
    change_of_tack = _text(2, required=False, label="Change of tack", help_text="Optional: what changes (e.g. displacement, times, locations), and why.")


class AssessForm(forms.Form):
    comparison_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.all(), required=False, label="Comparison area")
    community_impact = _text(3, required=False, label="Has the initiative produced any unintended and/or disproportionate impact(s) on specific communities?")
    lessons_learned = _text(3, required=False, label="Lessons learned and new intelligence gained")
    what_worked = _text(3, required=False, label="What worked", help_text="A short summary for the library of closed cases.")
    usable_elsewhere = forms.TypedChoiceField(
        choices=[("", "Not decided"), ("yes", "Yes"), ("no", "No")],
        required=False,
        coerce=lambda v: v == "yes",
        empty_value=None,
        label="Can this approach be used elsewhere in Aotearoa New Zealand?",
    )
    usable_elsewhere_note = _text(2, required=False, label="Where, and under what conditions")


class OutcomeMeasureForm(forms.Form):
    description = forms.CharField(max_length=300, label="Outcome measure")
    indicator_code = forms.ChoiceField(
        choices=(), required=False, label="Indicator", help_text="An indicator of the catalogue: with the periods, the figures left empty are taken from it."
    )
    before_from = forms.DateField(widget=DATE, required=False, label="Before: from")
    before_to = forms.DateField(widget=DATE, required=False, label="Before: to")
    after_from = forms.DateField(widget=DATE, required=False, label="After: from")
    after_to = forms.DateField(widget=DATE, required=False, label="After: to")
    before_target = forms.FloatField(min_value=0, required=False, label="Case area, before", help_text="Empty: from the indicator.")
    after_target = forms.FloatField(min_value=0, required=False, label="Case area, after")
    before_comparison = forms.FloatField(min_value=0, required=False, label="Comparison area, before")
    after_comparison = forms.FloatField(min_value=0, required=False, label="Comparison area, after")
    before_buffer = forms.FloatField(min_value=0, required=False, label="Surrounding area, before", help_text="For displacement.")
    after_buffer = forms.FloatField(min_value=0, required=False, label="Surrounding area, after")
    override_reason = _text(
        2, required=False, label="Why figures differ from the measures", help_text="Needed when you change a figure taken from the indicator."
    )

    def __init__(self, *args, catalogue: dict[str, str], **kwargs):
        """``catalogue`` is ``selectors.indicator_catalogue``: the codes the service accepts, and no others."""
        super().__init__(*args, **kwargs)
        self.fields["indicator_code"].choices = [("", "None")] + [(code, f"{name} ({code})") for code, name in catalogue.items()]


class CommunityFigureForm(forms.Form):
    community = forms.CharField(max_length=120, help_text="e.g. Māori, Pacific peoples, young people, a suburb")
    measure = forms.CharField(max_length=200, label="What was counted")
    before = forms.FloatField(min_value=0)
    after = forms.FloatField(min_value=0)
    population = forms.IntegerField(min_value=1, required=False, help_text="Optional: gives rates per 10,000.")


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(choices=EvidenceKind.choices, label="Kind of evidence")
    analysis = forms.ModelChoiceField(queryset=None, required=False, label="Saved analysis")
    indicator_code = forms.CharField(max_length=80, required=False, label="Indicator code")
    title = forms.CharField(max_length=200, required=False, label="Document title")
    url = forms.URLField(max_length=500, required=False, assume_scheme="https", label="Document web address")
    file = forms.FileField(required=False, label="Or upload the document")
    engaged_who = forms.CharField(max_length=300, required=False, label="Who was engaged")
    engaged_how = forms.CharField(max_length=200, required=False, label="How")
    engaged_said = _text(2, required=False, label="What they said")
    engaged_on = forms.DateField(widget=DATE, required=False, label="Date")

    def __init__(self, *args, analyses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analysis"].queryset = analyses


class AnswersForm(forms.Form):
    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for view in questions:
            q = view.question
            if q.fact:
                continue
            self.fields[f"q{q.pk}"] = _text(3, required=False, label=f"{view.number}. {q.text}", initial=view.answer.text if view.answer else "")
            self.fields[f"q{q.pk}"].question = q


class QuestionRowForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    text = _text(2, required=False, help_text="Leave empty to remove the question.")
    required = forms.BooleanField(required=False)
    fact = forms.ChoiceField(choices=_blank(Fact.choices), required=False, label="Answered by")


QuestionRowFormSet = forms.formset_factory(QuestionRowForm, extra=3)
