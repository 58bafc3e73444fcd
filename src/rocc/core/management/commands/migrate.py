"""Django's `migrate`, with a new, empty database given the latest schema in one pass (see rocc.core.schema). Every
caller gets it: `rocc migrate`, a restore, and the test databases."""

from __future__ import annotations

from django.core.management.commands.migrate import Command as DjangoMigrate

from rocc.core.schema import schema_create_in_one_pass


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        whole = not options.get("app_label") and not options.get("fake") and not options.get("fake_initial") and not options.get("plan")
        if whole and not options.get("check_unapplied") and not options.get("prune"):
            schema_create_in_one_pass(options["database"])
        return super().handle(*args, **options)
