"""The thread from insights to outcome: a case's source becomes a link to the report or product it was opened
from; evidence belongs to the case (evidence inherited from the source is cited under no question yet); a
milestone can be a T&C tasking; an outcome measure names its indicator and the periods its figures are for."""

import re

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _report_pk(reference: str) -> int | None:
    found = re.fullmatch(r"IR-\d{4}-(\d+)", (reference or "").strip())
    return int(found.group(1)) if found else None


def forwards(apps, schema_editor):
    Case = apps.get_model("problems", "Case")
    Report = apps.get_model("tasking", "InsightsReport")
    Evidence = apps.get_model("problems", "Evidence")
    OutcomeMeasure = apps.get_model("problems", "OutcomeMeasure")
    Indicator = apps.get_model("measures", "Indicator")
    db = schema_editor.connection.alias
    for case in Case.objects.using(db).exclude(source_report_reference=""):
        pk = _report_pk(case.source_report_reference)
        if pk is not None and Report.objects.using(db).filter(pk=pk).exists():
            case.source_report_id = pk
            case.save(update_fields=["source_report"], using=db)
    for evidence in Evidence.objects.using(db).select_related("answer"):
        evidence.case_id = evidence.answer.case_id
        evidence.save(update_fields=["case"], using=db)
    for measure in OutcomeMeasure.objects.using(db).exclude(indicator_code=""):
        measure.indicator = Indicator.objects.using(db).filter(code=measure.indicator_code).first()
        measure.save(update_fields=["indicator"], using=db)


class Migration(migrations.Migration):
    dependencies = [
        ("analyses", "0003_more_analysis_kinds"),
        ("measures", "0007_status_snapshot_protected_cell"),
        ("problems", "0001_initial"),
        ("tasking", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="case", old_name="source_report", new_name="source_report_reference"),
        migrations.AddField(
            model_name="case",
            name="source_report",
            field=models.ForeignKey(
                blank=True,
                help_text="The OCCC insights report it was opened from",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases_opened",
                to="tasking.insightsreport",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="source_product",
            field=models.ForeignKey(
                blank=True,
                help_text="The insights product it was opened from",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases_opened",
                to="tasking.insightsproduct",
            ),
        ),
        migrations.AddField(
            model_name="evidence",
            name="case",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="evidence", to="problems.case"),
        ),
        migrations.AddField(
            model_name="evidence",
            name="carried_from",
            field=models.CharField(blank=True, help_text="The reference of the product or report it came with (IP-…, IR-…)", max_length=40),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="answer",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="evidence", to="problems.answer"),
        ),
        migrations.AddField(
            model_name="milestone",
            name="tasking",
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="milestone", to="tasking.tasking"),
        ),
        migrations.AddField(
            model_name="outcomemeasure",
            name="indicator",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="case_outcome_measures", to="measures.indicator"
            ),
        ),
        migrations.AddField(model_name="outcomemeasure", name="before_from", field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name="outcomemeasure", name="before_to", field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name="outcomemeasure", name="after_from", field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name="outcomemeasure", name="after_to", field=models.DateField(blank=True, null=True)),
        migrations.AddField(
            model_name="outcomemeasure",
            name="sources",
            field=models.JSONField(
                blank=True, default=dict, help_text="Where each figure came from: {figure: {source: series|events|entered, filled: value, note: …}}"
            ),
        ),
        migrations.AddField(
            model_name="outcomemeasure",
            name="override_reason",
            field=models.TextField(blank=True, help_text="Why figures filled from the measures were changed"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),  # rows only: nothing to do on a new database
    ]
