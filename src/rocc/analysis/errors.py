"""The one error the analysis library raises for bad input."""


class AnalysisInputError(ValueError):
    """Input that an analysis cannot use; the message says what was wrong and where (column, row)."""

    def __init__(self, message: str, *, column: str | None = None, row: int | None = None):
        self.column = column
        self.row = row
        where = []
        if column is not None:
            where.append(f"column '{column}'")
        if row is not None:
            where.append(f"row {row}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
