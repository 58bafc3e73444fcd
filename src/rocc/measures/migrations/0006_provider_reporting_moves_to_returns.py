# Provider reporting moved to its own app, `returns`, which now owns these models. Only Django's record of the models
# changes here: the tables (measures_dataset, measures_providerreturn, ...) stay where they are, with their rows, and
# returns.0001_initial takes them over under the same names.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0005_return_checks_ceiling_and_warnings_shown'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # Those that point at others first, so no model is left pointing at one already gone.
                migrations.DeleteModel(name='ReturnEvent'),
                migrations.DeleteModel(name='ReturnValue'),
                migrations.DeleteModel(name='ProviderReturn'),
                migrations.DeleteModel(name='DataSetProvider'),
                migrations.DeleteModel(name='DataSetIndicator'),
                migrations.DeleteModel(name='DataSet'),
            ],
            database_operations=[],
        ),
    ]
