# Provider reporting's models, moved here from measures. Their tables already exist (created by measures.0002 and
# changed by the measures migrations after it, under the names kept in db_table): this migration only tells Django
# that this app owns them now, so no row moves. A new database gets the tables from the measures migrations it runs
# first.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('measures', '0006_provider_reporting_moves_to_returns'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DataSet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=60, unique=True)),
                        ('name', models.CharField(max_length=300)),
                        ('description', models.TextField(blank=True)),
                        ('period_type', models.CharField(choices=[('month', 'Month'), ('quarter', 'Quarter'), ('calendar_year', 'Calendar year'), ('july_june', 'July–June year')], default='month', max_length=14)),
                        ('due_days', models.PositiveSmallIntegerField(default=20, help_text='Days after the end of a period that its return is due')),
                        ('first_period_start', models.DateField(help_text='The start of the first period providers report')),
                        ('last_period_end', models.DateField(blank=True, help_text='The end of the last period, if the data set has closed', null=True)),
                        ('template_version', models.PositiveIntegerField(default=1)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'db_table': 'measures_dataset',
                        'ordering': ['name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('period_type__in', ['month', 'quarter', 'calendar_year', 'july_june'])), name='dataset_period_type_reportable'), models.CheckConstraint(condition=models.Q(('last_period_end__isnull', True), ('last_period_end__gte', models.F('first_period_start')), _connector='OR'), name='dataset_periods_ordered')],
                    },
                ),
                migrations.CreateModel(
                    name='ProviderReturn',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period_start', models.DateField()),
                        ('period_end', models.DateField()),
                        ('due_date', models.DateField()),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('returned', 'Returned for revision'), ('approved', 'Approved')], default='draft', max_length=10)),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('note', models.TextField(blank=True, help_text="The provider's explanation of anything unusual, for the approver")),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('first_submitted_at', models.DateTimeField(blank=True, help_text='When the return was first submitted: timeliness counts this', null=True)),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('approved_at', models.DateTimeField(blank=True, null=True)),
                        ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('data_set', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='returns', to='returns.dataset')),
                        ('provider', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='returns', to='org.agency')),
                        ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='returns', to='org.orgunit')),
                    ],
                    options={
                        'db_table': 'measures_providerreturn',
                        'ordering': ['-period_start', 'data_set__name', 'provider__short_name', 'unit__path'],
                    },
                ),
                migrations.CreateModel(
                    name='ReturnEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('created', 'Started'), ('saved', 'Figures saved'), ('uploaded', 'Figures uploaded from the Excel template'), ('submitted', 'Submitted'), ('returned', 'Returned for revision'), ('approved', 'Approved')], max_length=10)),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('returned', 'Returned for revision'), ('approved', 'Approved')], help_text="The return's status after this step", max_length=10)),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('comment', models.TextField(blank=True)),
                        ('flags', models.JSONField(blank=True, default=list, help_text='The validation and outlier flags of the return when this step was taken')),
                        ('warnings_shown', models.JSONField(blank=True, default=list, help_text='On a submission: the warnings the provider was shown, and confirmed with a note, before submitting')),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('provider_return', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='returns.providerreturn')),
                    ],
                    options={
                        'db_table': 'measures_returnevent',
                        'ordering': ['provider_return', 'at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ReturnValue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('value', models.BigIntegerField(blank=True, null=True)),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='return_values', to='measures.indicator')),
                        ('provider_return', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='values', to='returns.providerreturn')),
                    ],
                    options={
                        'db_table': 'measures_returnvalue',
                        'ordering': ['provider_return', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='DataSetIndicator',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('order', models.PositiveIntegerField(default=0)),
                        ('label', models.CharField(blank=True, help_text="How the form asks for the figure; the indicator's name when empty", max_length=300)),
                        ('guidance', models.CharField(blank=True, help_text='What to count, shown beside the field', max_length=500)),
                        ('check_population', models.BooleanField(default=True, help_text='Refuse a figure above the population of the reporting unit')),
                        ('max_change_ratio', models.FloatField(blank=True, default=3.0, help_text='Flag a change from the last period by more than this factor (up or down); empty: no check', null=True)),
                        ('plausible_max', models.PositiveBigIntegerField(blank=True, help_text='The most this figure can plausibly be for one period (a ceiling that catches slips such as 99,999,999); a figure above it stops submission. Empty: no ceiling', null=True)),
                        ('data_set', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='returns.dataset')),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='data_set_items', to='measures.indicator')),
                    ],
                    options={
                        'db_table': 'measures_datasetindicator',
                        'ordering': ['data_set', 'order', 'pk'],
                        'constraints': [models.UniqueConstraint(fields=('data_set', 'indicator'), name='datasetindicator_once_per_data_set'), models.CheckConstraint(condition=models.Q(('max_change_ratio__isnull', True), ('max_change_ratio__gt', 1), _connector='OR'), name='datasetindicator_ratio_above_one'), models.CheckConstraint(condition=models.Q(('plausible_max__isnull', True), ('plausible_max__gte', 1), _connector='OR'), name='datasetindicator_ceiling_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='DataSetProvider',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_period_start', models.DateField(blank=True, help_text="The first period this provider reports; the data set's first when empty", null=True)),
                        ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='data_set_assignments', to='org.agency')),
                        ('data_set', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='providers', to='returns.dataset')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='data_set_assignments', to='org.orgunit')),
                    ],
                    options={
                        'db_table': 'measures_datasetprovider',
                        'ordering': ['data_set', 'agency__short_name', 'unit__path'],
                        'constraints': [models.UniqueConstraint(fields=('data_set', 'agency', 'unit'), name='datasetprovider_once_per_unit')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='providerreturn',
                    constraint=models.UniqueConstraint(fields=('data_set', 'provider', 'unit', 'period_start'), name='providerreturn_one_per_period'),
                ),
                migrations.AddConstraint(
                    model_name='providerreturn',
                    constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='providerreturn_period_ordered'),
                ),
                migrations.AddConstraint(
                    model_name='providerreturn',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved'), _negated=True), ('approved_at__isnull', False), _connector='OR'), name='providerreturn_approved_has_time'),
                ),
                migrations.AddConstraint(
                    model_name='providerreturn',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('first_submitted_at__isnull', False), _connector='OR'), name='providerreturn_submitted_has_time'),
                ),
                migrations.AddConstraint(
                    model_name='returnevent',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('action', 'returned'), _negated=True), models.Q(('comment', ''), _negated=True), _connector='OR'), name='returnevent_returned_has_comment'),
                ),
                migrations.AddConstraint(
                    model_name='returnvalue',
                    constraint=models.UniqueConstraint(fields=('provider_return', 'indicator'), name='returnvalue_once_per_indicator'),
                ),
                migrations.AddConstraint(
                    model_name='returnvalue',
                    constraint=models.CheckConstraint(condition=models.Q(('value__isnull', True), ('value__gte', 0), _connector='OR'), name='returnvalue_not_negative'),
                ),
            ],
            database_operations=[],
        ),
    ]
