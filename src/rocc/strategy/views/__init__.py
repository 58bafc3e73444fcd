"""Pages of strategy, one module per concern: ``frameworks`` (overview, frameworks, action plans, activities, the
workbook, search), ``plans`` (the co-design flow, versions, comparison, the logic model and exports) and ``register``
(barriers and initiatives); ``common`` holds what they share."""
