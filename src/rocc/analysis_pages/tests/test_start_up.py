"""Starting a web process does not load the analyses: the URLconf (every page and the API) imports none of the
libraries only a run needs, and each analysis the registry names is there to import when a run asks for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import ModuleType

import pytest

from rocc.analysis.library import ANALYSIS_MODULES, analysis_module

# Loaded by an analysis's run, never by a page being routed: together they took about two seconds of every web
# process's, test worker's and URL-reversing command's start.
RUN_ONLY = ("scipy", "numba", "igraph", "ibis", "rocc.analysis.hotspots", "rocc.analysis.near_repeat_kernels")


def test_the_urlconf_loads_no_library_that_only_an_analysis_run_needs(tmp_path):
    probe = (
        "import json, os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'rocc.settings'; import django; django.setup(); "
        f"import rocc.urls; print(json.dumps(sorted(name for name in {list(RUN_ONLY)!r} if name in sys.modules)))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "ROCC_DATA_DIR": str(tmp_path)}, capture_output=True, text=True, check=True)
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("name", sorted(ANALYSIS_MODULES))
def test_each_analysis_the_registry_names_imports_as_the_module_of_that_name(name):
    module = analysis_module(name)
    assert isinstance(module, ModuleType)
    assert module.__name__ == ANALYSIS_MODULES[name] == f"rocc.analysis.{name}"
