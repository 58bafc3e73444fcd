"""Pages of Tasking & Coordination, one module per concern: ``overview``, ``products``, ``reports`` (with routing,
scoring and tasking from a report), ``taskings``, ``deconfliction`` (targets and alerts), ``risk`` and ``meetings``;
``common`` holds what they share."""
