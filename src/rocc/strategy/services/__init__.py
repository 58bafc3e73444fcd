"""Every write in strategy, one module per concern: ``frameworks`` (framework files, the shipped content, the national
action plan, its activities, progress updates and milestones, the workbook import), ``plans`` (co-designed district
and area plans: the four steps, logic chains, monitoring rows and the version lifecycle) and ``register`` (the barrier
escalation register and the initiative stocktake). Import from the concern's module."""
