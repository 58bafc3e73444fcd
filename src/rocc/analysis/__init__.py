"""The analysis library: pure functions over arrays and data frames, returning frozen result objects.

Nothing here imports Django or touches the database, so the same code serves the web, the
command line and notebooks.
"""

from rocc.analysis.errors import AnalysisInputError

__all__ = ["AnalysisInputError"]
