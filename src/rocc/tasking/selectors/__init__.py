"""Every read of Tasking & Coordination records, scoped to the user asking (the same rules as ``rules.py``, as
queries), one module per concern: ``products``, ``reports``, ``risk`` (methodologies and rankings), ``taskings``,
``deconfliction`` (targets and alerts) and ``meetings`` (agendas); ``scope`` holds the scope filters they share.
Import from the concern's module."""
