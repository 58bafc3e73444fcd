"""Forms of the measures pages. Their choices come from the selectors that apply the rules, so a form offers only
what the service will accept."""

from __future__ import annotations

from django import forms

from rocc.measures.selectors import indicator_owner_choices
from rocc.org.models import OrgUnit


class _OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}'s own"


class IndicatorOwnerForm(forms.Form):
    """Whose indicator it is: national, or one district's own (offered only as far as the user's scope reaches)."""

    owner_unit = _OwnerField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label="Whose indicator",
        help_text="A district's own indicator is published for that district by its regional coordinators, and never in the national selection.",
    )

    def __init__(self, *args, user, indicator, **kwargs):
        kwargs.setdefault("initial", {"owner_unit": indicator.owner_unit_id})
        super().__init__(*args, **kwargs)
        choices = indicator_owner_choices(user=user, indicator=indicator)
        field = self.fields["owner_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in choices["districts"]]).order_by("path")
        field.required = not choices["national"]
        field.empty_label = "National (every district's)" if choices["national"] else None
        self.may_change = choices["may_change"]
