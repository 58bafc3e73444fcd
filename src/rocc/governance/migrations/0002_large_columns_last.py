from django.db import migrations

from rocc.core.migration_operations import LargeColumnsLast


class Migration(migrations.Migration):
    """A report pack's PDF and workbook after the columns its list reads (see LargeColumnsLast)."""

    dependencies = [
        ("governance", "0001_initial"),
    ]

    operations = [
        LargeColumnsLast("ReportPack", ["pdf", "xlsx"]),
    ]
