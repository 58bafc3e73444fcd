"""API endpoints of Tasking & Coordination under ``/api/tasking/``, one module per concern: ``products``, ``reports``
(with routing), ``risk`` (methodologies, rankings, scores), ``taskings``, ``deconfliction`` (targets and alerts) and
``meetings`` (agendas); ``common`` holds what they share. The pages' rules hold here too."""

from ninja import Router

from rocc.tasking.api import deconfliction, meetings, products, reports, risk, taskings

router = Router(tags=["tasking"])
for module in (products, reports, risk, taskings, deconfliction, meetings):
    for path_view in module.router.path_operations.values():
        for operation in path_view.operations:
            # Clients generated from the OpenAPI document name their methods by operationId; it stays what it was
            # when the endpoints lived in one module (ninja would otherwise derive it from the new module name).
            operation.operation_id = operation.operation_id or f"rocc_tasking_api_{operation.view_func.__name__}"
    router.add_router("", module.router)
