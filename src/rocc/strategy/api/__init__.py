"""API endpoints of strategy under ``/api/strategy/``, one module per concern: ``frameworks`` (frameworks and their
files, action plans, activities and progress updates), ``plans`` (co-designed district plans and their steps) and
``register`` (barriers and initiatives). The pages' rules hold here too."""

from ninja import Router

from rocc.strategy.api import frameworks, plans, register

router = Router(tags=["strategy"])
for module in (frameworks, plans, register):
    for path_view in module.router.path_operations.values():
        for operation in path_view.operations:
            # Clients generated from the OpenAPI document name their methods by operationId; it stays what it was
            # when the endpoints lived in one module (ninja would otherwise derive it from the new module name).
            operation.operation_id = operation.operation_id or f"rocc_strategy_api_{operation.view_func.__name__}"
    router.add_router("", module.router)
