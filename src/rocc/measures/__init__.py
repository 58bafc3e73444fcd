"""The measures capability: indicator definitions, populations, observations, baselines, targets, status and disclosure control."""
