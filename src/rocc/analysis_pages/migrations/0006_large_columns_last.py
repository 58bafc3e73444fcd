from django.db import migrations

from rocc.core.migration_operations import LargeColumnsLast


class Migration(migrations.Migration):
    """Saved analyses' results and uploads' files after the columns their lists read (see LargeColumnsLast)."""

    dependencies = [
        ("analyses", "0005_uploads_checked_by_the_worker"),
    ]

    operations = [
        LargeColumnsLast("SavedAnalysis", ["parameters", "result_head", "map_head", "map_cells", "result"]),
        LargeColumnsLast("AnalysisUpload", ["columns", "content"]),
    ]
