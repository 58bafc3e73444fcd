"""API endpoints of provider reporting, mounted at /api/measures/returns: data sets, and returns (list your own,
read, open, save figures, submit, return for revision, approve) under the same rules as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from rocc.core.api_fields import IsoDate, PeriodKey, UnitCode
from rocc.core.bounds import BoundedInput, BoundedQuery
from rocc.core.errors import ErrorOut, InvalidInput, error_responses
from rocc.org.api import unit_named
from rocc.org.models import Agency
from rocc.returns import selectors, services
from rocc.returns.models import ProviderReturn, ReturnStatus, TemplateUpload, TemplateUploadStatus

# Integrators found these endpoints under "measures" when they lived in the measures router: they stay there.
router = Router(tags=["measures", "provider returns"])


class DataSetFigureOut(Schema):
    code: str
    question: str
    guidance: str
    check_population: bool
    max_change_ratio: float | None
    plausible_max: int | None


class DataSetProviderOut(Schema):
    provider: str
    unit: str
    from_period_start: IsoDate


class DataSetOut(Schema):
    code: str
    name: str
    description: str
    period_type: str
    due_days: int
    first_period_start: IsoDate
    last_period_end: IsoDate | None
    template_version: int
    figures: list[DataSetFigureOut]
    providers: list[DataSetProviderOut]


class ReturnSummaryOut(Schema):
    id: int
    data_set: str
    provider: str
    unit: str
    period: str
    period_start: IsoDate
    period_end: IsoDate
    status: str
    version: int
    due_date: IsoDate
    first_submitted_at: dt.datetime | None
    approved_at: dt.datetime | None


class ReturnFlagOut(Schema):
    code: str
    question: str
    rule: str
    severity: str
    message: str
    outcome: str = "flagged"
    basis: str = ""
    key: str = ""


class ReturnEventOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    status: str
    comment: str


class ReturnOut(ReturnSummaryOut):
    note: str
    values: dict[str, int | None]
    flags: list[ReturnFlagOut]
    checks: list[ReturnFlagOut]
    checks_summary: str
    warnings_shown: list[ReturnFlagOut]
    history: list[ReturnEventOut]


class ReturnProblemOut(Schema):
    sheet: str
    cell: str
    indicator: str
    message: str


class ReturnErrorOut(ErrorOut):
    """A refused return also says which cells are wrong (``problems``) or which warnings to explain (``warnings``)."""

    problems: list[ReturnProblemOut] | None = None
    warnings: list[ReturnFlagOut] | None = None


class TemplateUploadOut(Schema):
    """A filled template queued for the background worker: poll ``url`` until ``status`` is no longer queued or
    running; then ``return_id`` names the return it filled, or ``problems`` says which cells are wrong."""

    id: int
    url: str = Field(description="This upload's own address in the API, to poll")
    data_set: str
    file_name: str
    status: TemplateUploadStatus
    progress: int = Field(ge=0, le=100, description="Per cent done")
    stage: str
    message: str
    problems: list[ReturnProblemOut]
    figures: int
    return_id: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


class TemplateUploadedOut(Schema):
    """A template read at once: the return it filled (a draft to check and submit)."""

    figures: int
    created: bool = Field(description="Whether the upload opened the return (false: it filled one already open)")
    provider_return: ReturnOut


class ReturnOpenIn(BoundedInput):
    data_set: str = Field(examples=["whanau-services-returns"])
    unit: UnitCode
    period: PeriodKey
    provider: str | None = None


class ReturnValuesIn(BoundedInput):
    version: int
    values: dict[str, int | float | str | None]
    note: str | None = None


class ReturnSubmitIn(BoundedInput):
    version: int
    note: str | None = None
    warnings_seen: list[str] = []


class ReturnReviewIn(BoundedInput):
    version: int
    comment: str = ""


class ReturnFilter(BoundedQuery):
    data_set: str | None = None
    status: ReturnStatus | None = None


def _summary(ret: ProviderReturn) -> dict:
    return {
        "id": ret.pk,
        "data_set": ret.data_set.code,
        "provider": ret.provider.short_name,
        "unit": ret.unit.code,
        "period": ret.period_key,
        "period_start": ret.period_start,
        "period_end": ret.period_end,
        "status": ret.status,
        "version": ret.version,
        "due_date": ret.due_date,
        "first_submitted_at": ret.first_submitted_at,
        "approved_at": ret.approved_at,
    }


def _detail(ret: ProviderReturn) -> ReturnOut:
    checks = selectors.return_checks(ret)
    submission = selectors.return_submission(ret)
    return ReturnOut(
        **_summary(ret),
        note=ret.note,
        values={item.indicator.code: value for item, value in selectors.return_values(ret)},
        flags=[ReturnFlagOut(**f.to_dict()) for f in checks.flags],
        checks=[ReturnFlagOut(**f.to_dict()) for f in checks.results],
        checks_summary=checks.summary(),
        warnings_shown=[ReturnFlagOut(**f) for f in (submission.warnings_shown if submission else [])],
        history=[
            ReturnEventOut(at=e.at, actor=e.actor.get_username() if e.actor else None, action=e.action, status=e.status, comment=e.comment)
            for e in selectors.return_history(ret)
        ],
    )


def _act(request, return_id: int, step):
    """Run one workflow step on a return the user may read and answer with the return as it now is."""
    ret = step(selectors.return_get(user=request.user, pk=return_id))
    return _detail(selectors.return_get(user=request.user, pk=ret.pk))


ERRORS = error_responses(403, 404, 409, 422, schema=ReturnErrorOut)


@router.get("/data-sets", response=list[DataSetOut], summary="Data sets you report or oversee")
def data_sets(request: HttpRequest):
    out = []
    for data_set in selectors.data_set_list(user=request.user).prefetch_related("items__indicator"):
        out.append(
            DataSetOut(
                code=data_set.code,
                name=data_set.name,
                description=data_set.description,
                period_type=data_set.period_type,
                due_days=data_set.due_days,
                first_period_start=data_set.first_period_start,
                last_period_end=data_set.last_period_end,
                template_version=data_set.template_version,
                figures=[
                    DataSetFigureOut(
                        code=i.indicator.code,
                        question=i.question,
                        guidance=i.guidance,
                        check_population=i.check_population,
                        max_change_ratio=i.max_change_ratio,
                        plausible_max=i.plausible_max,
                    )
                    for i in data_set.items.all()
                ],
                providers=[
                    DataSetProviderOut(provider=a.agency.short_name, unit=a.unit.code, from_period_start=a.first_period_start)
                    for a in selectors.data_set_assignments(user=request.user, data_set=data_set)
                ],
            )
        )
    return out


def _upload_out(job: TemplateUpload) -> TemplateUploadOut:
    return TemplateUploadOut(
        id=job.pk,
        url=reverse("api:returns_template_upload_read", kwargs={"upload_id": job.pk}),
        data_set=job.data_set.code,
        file_name=job.file_name,
        status=TemplateUploadStatus(job.status),
        progress=job.progress,
        stage=job.stage,
        message=job.message,
        problems=[ReturnProblemOut(**p) for p in job.problems],
        figures=job.figures,
        return_id=job.provider_return_id,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


@router.post(
    "/data-sets/{code}/upload",
    response={200: TemplateUploadedOut, 202: TemplateUploadOut, **ERRORS},
    summary="Fill a return from the data set's filled Excel template (multipart, field `file`)",
    description="A small file (up to `ROCC_LIMIT_INLINE_UPLOAD_KB`, 1 MB by default) is read at once: 200 with the "
    "return it filled. A larger one is kept and read by the background worker: 202 with the upload's `url`, to poll "
    "until its `status` is `done` (then `return_id`), `refused` (then `problems`, each with its sheet and cell) or "
    "`failed`. Either way the whole file is refused when any cell is wrong and nothing is saved; a file larger than "
    "any template (4 MB) or past the limits (a zip bomb) is refused with its reason. 422 lists the problems of a file "
    "read at once; 409 when the return can no longer be changed.",
)
def template_upload(request: HttpRequest, code: str, file: File[UploadedFile]):
    data_set = selectors.data_set_get(user=request.user, code=code)
    outcome = services.return_upload_accept(user=request.user, data_set=data_set, upload=file)
    if isinstance(outcome, TemplateUpload):
        return Status(202, _upload_out(selectors.template_upload_get(user=request.user, pk=outcome.pk)))
    ret = selectors.return_get(user=request.user, pk=outcome.provider_return.pk)
    return TemplateUploadedOut(figures=outcome.figures, created=outcome.created, provider_return=_detail(ret))


@router.get(
    "/uploads/{upload_id}",
    response={200: TemplateUploadOut, **error_responses(404)},
    url_name="returns_template_upload_read",
    summary="A template upload read by the background worker: its status, progress and problems (yours only; 404 otherwise)",
)
def template_upload_read(request: HttpRequest, upload_id: int):
    return _upload_out(selectors.template_upload_get(user=request.user, pk=upload_id))


@router.get(
    "/", response={200: list[ReturnSummaryOut], **error_responses(404)}, summary="Returns you may read: a provider's own, or those an approver oversees"
)
def returns(request: HttpRequest, filters: Query[ReturnFilter]):
    data_set = selectors.data_set_get(user=request.user, code=filters.data_set) if filters.data_set else None
    status = filters.status.value if filters.status else None
    return [ReturnSummaryOut(**_summary(r)) for r in selectors.return_list(user=request.user, data_set=data_set, status=status)]


@router.post(
    "/",
    response={201: ReturnOut, **ERRORS},
    summary="Open the return for a unit and period (a draft; the existing one when already open)",
    description="`period` is written like 2025-03 (month), 2025-Q1, 2025 or 2024/25 (July–June), as the data set is reported. "
    "`unit` is the unit's code. Administrators name the `provider` (agency short name) they act for. "
    "422 lists what is wrong when the period is outside the data set or has not ended.",
)
def return_open(request: HttpRequest, payload: ReturnOpenIn):
    data_set = selectors.data_set_get(user=request.user, code=payload.data_set)
    unit = unit_named(payload.unit)
    agency = None
    if payload.provider:
        agency = Agency.objects.filter(short_name=payload.provider).first()
        if agency is None:
            raise InvalidInput(field_errors={"provider": [f"There is no agency called {payload.provider!r}."]})
    ret = services.return_open(user=request.user, data_set=data_set, unit=unit, period=payload.period, agency=agency)
    return Status(201, _detail(ret))


@router.get(
    "/{return_id}",
    response={200: ReturnOut, **error_responses(404, schema=ReturnErrorOut)},
    summary="One return with its figures, flags and history (404 outside your scope)",
)
def return_read(request: HttpRequest, return_id: int):
    return _detail(selectors.return_get(user=request.user, pk=return_id))


@router.put(
    "/{return_id}/values",
    response={200: ReturnOut, **ERRORS},
    summary="Save figures of a draft or returned return",
    description='`values` maps indicator codes to whole numbers (0 or more); null or "" leaves a figure empty. Any bad '
    "figure refuses the whole save (422, one problem per figure) and nothing changes. Send the `version` you "
    "read: 409 when the return changed since.",
)
def return_values(request: HttpRequest, return_id: int, payload: ReturnValuesIn):
    return _act(
        request,
        return_id,
        lambda ret: services.return_values_save(user=request.user, provider_return=ret, version=payload.version, values=payload.values, note=payload.note),
    )


@router.post(
    "/{return_id}/submit",
    response={200: ReturnOut, **ERRORS},
    summary="Submit a return for approval",
    description="422 with `problems` when a figure is missing or breaks a validation rule. 422 with `warnings` "
    "(each with its `key`) when the figures raise warnings not in `warnings_seen`, or raise warnings "
    "and the return has no note: show them, then submit again with their keys in `warnings_seen` "
    "and a `note` saying why the figures are right. Nothing is saved when refused.",
)
def return_submit(request: HttpRequest, return_id: int, payload: ReturnSubmitIn):
    return _act(
        request,
        return_id,
        lambda ret: services.return_submit(
            user=request.user, provider_return=ret, version=payload.version, note=payload.note, warnings_seen=payload.warnings_seen
        ),
    )


@router.post("/{return_id}/return", response={200: ReturnOut, **ERRORS}, summary="Return a submitted return for revision, with a comment")
def return_send_back(request: HttpRequest, return_id: int, payload: ReturnReviewIn):
    return _act(
        request, return_id, lambda ret: services.return_send_back(user=request.user, provider_return=ret, version=payload.version, comment=payload.comment)
    )


@router.post(
    "/{return_id}/approve",
    response={200: ReturnOut, **ERRORS},
    summary="Approve a submitted return (it is then locked)",
    description="The approved figures become the unit's observations for the period. 409 when someone acted on the return since you read it.",
)
def return_approve(request: HttpRequest, return_id: int, payload: ReturnReviewIn):
    return _act(
        request, return_id, lambda ret: services.return_approve(user=request.user, provider_return=ret, version=payload.version, comment=payload.comment)
    )


for _path_view in router.path_operations.values():
    for _operation in _path_view.operations:
        # Clients generated from the OpenAPI document name their methods by operationId; it stays what it was when
        # these endpoints lived in measures (ninja would otherwise derive it from this module's name).
        _operation.operation_id = _operation.operation_id or f"rocc_measures_api_reporting_{_operation.view_func.__name__}"

__all__ = ["router", "Http404"]
