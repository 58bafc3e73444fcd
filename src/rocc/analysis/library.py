"""The library's analyses by name, each imported the first time it is asked for.

Most analyses bring SciPy, numba, Shapely or igraph with them: seconds that every web process, test worker and command
would wait for at start, though most of them never run an analysis. The runners, pages and services that do run one
(or read one's result class or choices) ask for it here, where the work happens.
"""

from __future__ import annotations

import importlib
from types import ModuleType

ANALYSIS_MODULES = {
    "autocorrelation": "rocc.analysis.autocorrelation",
    "centrography": "rocc.analysis.centrography",
    "concentration": "rocc.analysis.concentration",
    "contiguity": "rocc.analysis.contiguity",
    "displacement": "rocc.analysis.displacement",
    "emerging_hotspots": "rocc.analysis.emerging_hotspots",
    "forecast_accuracy": "rocc.analysis.forecast_accuracy",
    "hot_times": "rocc.analysis.hot_times",
    "hotspots": "rocc.analysis.hotspots",
    "near_repeat": "rocc.analysis.near_repeat",
    "networks": "rocc.analysis.networks",
    "point_pattern": "rocc.analysis.point_pattern",
    "repeat_victims": "rocc.analysis.repeat_victims",
    "space_time": "rocc.analysis.space_time",
}


def analysis_module(name: str) -> ModuleType:
    """The library's analysis ``name`` (a key of :data:`ANALYSIS_MODULES`), imported the first time it is asked for."""
    return importlib.import_module(ANALYSIS_MODULES[name])
