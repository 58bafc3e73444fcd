"""The measures capability: indicator definitions, populations, observations, provider returns, baselines, targets, status and disclosure control."""
