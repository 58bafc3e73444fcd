"""Every write in Tasking & Coordination, one module per concern: ``products``, ``reports`` (compiling and routing),
``risk`` (scores and methodology versions), ``taskings``, ``deconfliction`` (targets and alerts) and ``meetings``
(forums, meetings and minutes); ``defaults`` loads the shipped forums and methodology, ``common`` holds what every
write shares. Import from the concern's module."""

# The test fixtures (``tasking/tests/conftest.py``) load the defaults and make products and reports through these
# names; they stay importable from here until those fixtures import the concern modules.
from rocc.tasking.services.defaults import tasking_defaults_load
from rocc.tasking.services.products import product_receive
from rocc.tasking.services.reports import report_compile

__all__ = ["product_receive", "report_compile", "tasking_defaults_load"]
