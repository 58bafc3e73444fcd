"""Search columns folded before fold() made typographic apostrophes ASCII hold them still, so a search typed either
way would miss them: each stored ’ ‘ ʼ in a folded column becomes ' (what fold() now gives; nothing else in the
folded form changes). A unique column (a unit alias) keeps a row as it was where the new value is taken already."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Replace

FOLDED_COLUMNS = {"search_text", "name_folded", "alias_folded", "group_folded"}
APOSTROPHES = ["\u2019", "\u2018", "\u02bc"]


def _ascii(text: str) -> str:
    for mark in APOSTROPHES:
        text = text.replace(mark, "'")
    return text


def fold_apostrophes(apps, schema_editor):
    for model in apps.get_models():
        for field in model._meta.fields:
            if field.name not in FOLDED_COLUMNS:
                continue
            rows = model._base_manager.using(schema_editor.connection.alias).all()
            if field.unique:
                for row in rows.filter(**{f"{field.name}__regex": "[\u2019\u2018\u02bc]"}):
                    new = _ascii(getattr(row, field.name))
                    if not rows.filter(**{field.name: new}).exists():
                        rows.filter(pk=row.pk).update(**{field.name: new})
                continue
            for mark in APOSTROPHES:
                rows.filter(**{f"{field.name}__contains": mark}).update(**{field.name: Replace(F(field.name), Value(mark), Value("'"))})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("org", "0001_initial"),
        ("measures", "0009_indicator_owner_unit"),
        ("strategy", "0002_chainelement_districtplan_planversion_planfocusarea_and_more"),
        ("tasking", "0002_case_milestones_and_carried_targets"),
        ("referrals", "0003_referral_referral_provider_overdue_idx"),
        ("problems", "0003_thread_evidence_case_required"),
    ]

    operations = [migrations.RunPython(fold_apostrophes, migrations.RunPython.noop, elidable=True)]  # rows only: nothing to do on a new database
