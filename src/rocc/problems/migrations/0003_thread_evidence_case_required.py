"""After 0002 filled them in: every evidence row names its case, the old reference text goes, and evidence without an
answer can only be a saved analysis the case inherited. (A migration of its own: PostgreSQL alters the tables only
after the rows changed in 0002 are committed.)"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("problems", "0002_thread_sources_evidence_milestones_outcomes")]

    operations = [
        migrations.RemoveField(model_name="case", name="source_report_reference"),
        migrations.AlterField(
            model_name="evidence",
            name="case",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="evidence", to="problems.case"),
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.CheckConstraint(
                condition=models.Q(("answer__isnull", False), ("kind", "analysis"), _connector="OR"), name="evidence_without_answer_is_analysis"
            ),
        ),
    ]
