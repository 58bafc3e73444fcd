"""Forms of the events pages: importing a file, the Victim Focus lookup."""

from __future__ import annotations

from django import forms


class ImportForm(forms.Form):
    file = forms.FileField(label="Events file", help_text="CSV, Excel (.xlsx) or Parquet; the first row names the columns.")
    source = forms.ChoiceField(label="Source", help_text="Its saved column mapping reads the file.")
    mapping = forms.FileField(
        label="Column mapping (YAML, optional)",
        required=False,
        help_text="For a new source, or to replace a source's mapping. See the events guide for the format.",
    )
    new_source = forms.SlugField(label="New source name", required=False, help_text="Only with a mapping file for a new source.")
    partial = forms.BooleanField(
        label="Import the valid rows and keep the rejected rows (with their reasons) for download",
        required=False,
        help_text="Unticked, a file with any problem is refused whole and nothing is stored.",
    )

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "— a new source (give its mapping) —")] + [(s.name, s.name) for s in sources]
        self.fields["source"].required = False

    def clean(self):
        data = super().clean()
        if not data.get("source") and not (data.get("mapping") and data.get("new_source")):
            raise forms.ValidationError("Choose a source, or give a new source's name and its mapping file.")
        return data


class VictimFocusForm(forms.Form):
    person = forms.CharField(
        label="Person identifier", max_length=200, help_text="As your systems write it; it is pseudonymised before the lookup and never stored."
    )
    purpose = forms.CharField(
        label="Purpose of this lookup", max_length=300, min_length=5, help_text="Recorded in the audit trail, e.g. “attending a burglary at the person's home”."
    )
