"""Every read in strategy, scoped to the user asking, one module per concern: ``frameworks`` (frameworks, action plans,
activities and their flags), ``plans`` (co-designed plans, versions, chains and the indicators they name) and
``register`` (barriers, initiatives and the gap matrix); ``common`` holds what they share. Import from the concern's
module."""
