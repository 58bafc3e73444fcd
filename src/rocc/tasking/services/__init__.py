"""Every write in Tasking & Coordination, one module per concern: ``products``, ``reports`` (compiling and routing),
``risk`` (scores and methodology versions), ``taskings``, ``deconfliction`` (targets and alerts) and ``meetings``
(forums, meetings and minutes); ``defaults`` loads the shipped forums and methodology, ``common`` holds what every
write shares. Import from the concern's module."""
