"""Migration operations of rocc's own.

`LargeColumnsLast`: SQLite stores a row's columns in order, and a value too large for its page (a stored result, an
uploaded file, a PDF) continues in a chain of overflow pages that a read of any later column walks through. A list of
saved analyses that read their titles and dates past their 4 MB results spent about 5 ms a row doing so. Moving the
large columns to the end of the row lets a read that does not ask for them stop before them. The state's field order
changes, so a new database is made in that order; an existing SQLite table is rebuilt in it. Other engines keep large
values out of the row already (PostgreSQL's TOAST), and their tables are left as they are.
"""

from __future__ import annotations

from django.db.migrations.operations.base import Operation


class LargeColumnsLast(Operation):
    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name: str, fields: list[str]):
        self.model_name = model_name
        self.fields = list(fields)

    def deconstruct(self):
        return (self.__class__.__name__, [], {"model_name": self.model_name, "fields": self.fields})

    def state_forwards(self, app_label, state):
        model_state = state.models[app_label, self.model_name.lower()]
        for name in self.fields:
            model_state.fields[name] = model_state.fields.pop(name)
        state.reload_model(app_label, self.model_name.lower(), delay=True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor._remake_table(to_state.apps.get_model(app_label, self.model_name))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass  # the order of columns means nothing to the model: the table keeps the faster one

    def describe(self) -> str:
        return f"Store {', '.join(self.fields)} of {self.model_name} after its other columns"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_large_columns_last"
