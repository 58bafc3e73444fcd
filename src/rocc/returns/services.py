"""Every write of provider reporting: data sets and their providers, opening and filling returns (web form, API or
Excel template), and the workflow draft → submitted → returned for revision → approved, which lands the approved
figures as observations."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rocc.audit.services import shipped_content_load
from rocc.core import limits
from rocc.core.bounds import text_bound_check
from rocc.core.errors import NOTHING_SAVED, Conflict, InvalidInput, StaleRecord
from rocc.core.text import nfc
from rocc.events import store
from rocc.inbox import hooks as notifications
from rocc.measures.models import Indicator, SourceKind
from rocc.measures.periods import Period, PeriodError, period_check, period_containing, period_parse
from rocc.measures.services import ObservationInput, ObservationInvalid, observations_record_many, statuses_recompute
from rocc.org.models import Agency, OrgUnit
from rocc.org.scope import scope_of
from rocc.org.services import agency_resolve, unit_resolve
from rocc.returns.excel import (
    PERIOD_CELL,
    PROVIDER_CELL,
    TEMPLATE_MOST_BYTES,
    UNIT_CELL,
    CellProblem,
    TemplateRow,
    TemplateUnreadable,
    template_read,
    template_write,
)
from rocc.returns.models import (
    DataSet,
    DataSetIndicator,
    DataSetProvider,
    ProviderReturn,
    ReturnAction,
    ReturnEvent,
    ReturnStatus,
    ReturnValue,
    TemplateUpload,
    TemplateUploadStatus,
)
from rocc.returns.selectors import ReturnFlag, due_date_for, return_checks
from rocc.returns.tasks import template_upload_task

log = logging.getLogger(__name__)


class ReturnChanged(StaleRecord):
    """A step taken on a version of a return that someone has since changed; nothing was saved."""

    def __init__(self, current: ProviderReturn):
        self.provider_return = current
        super().__init__(
            changed_by=current.changed_by,
            changed_at=current.changed_at,
            message=(
                f"This return changed since you opened it (by {self.who(current.changed_by)} at {self.when(current.changed_at)}; "
                f"it is now {current.get_status_display().lower()}). Reload it to see the changes; nothing was saved."
            ),
        )


class ReturnStateError(Conflict):
    """A step the return's status does not allow (submitting an approved return, approving a draft)."""


class ReturnInputInvalid(InvalidInput):
    """Figures, a period or a template that cannot be accepted; ``problems`` says what is wrong, cell by cell.
    Nothing was saved."""

    def __init__(self, problems: list[CellProblem]):
        self.problems = problems
        super().__init__(NOTHING_SAVED)

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)

    def answer(self) -> dict:
        return {**super().answer(), "problems": [p.to_dict() for p in self.problems]}

    def by_code(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for problem in self.problems:
            out.setdefault(problem.code or "__all__", []).append(problem.message)
        return out


class ReturnWarningsToConfirm(InvalidInput):
    """Submitting raised warnings the provider has not been shown yet, or has been shown but not explained: the
    return was not submitted. Show ``warnings`` (each with its ``key``) and ask for a note; submitting again with the
    keys seen and a note goes through."""

    def __init__(self, warnings: list[ReturnFlag], *, unseen: bool):
        self.warnings = warnings
        self.unseen = unseen
        count = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
        if unseen:
            self.message = (
                f"The return was not submitted: its figures raise {count} to check first. If the figures are "
                "right, say why in the note for the approver and submit again."
            )
        else:
            self.message = f"The return was not submitted: say in the note for the approver why the figures are right despite the {count}."
        super().__init__(self.message)

    def answer(self) -> dict:
        return {**super().answer(), "warnings": [w.to_dict() for w in self.warnings]}


# --- data sets -----------------------------------------------------------------------------------------------------


def _require(user, permission: str, obj=None, message: str = "") -> None:
    if not user.has_perm(permission, obj):
        raise PermissionDenied(message or "You may not do this.")


@transaction.atomic
def data_set_indicator_add(
    *,
    user,
    data_set: DataSet,
    indicator: Indicator,
    label: str = "",
    guidance: str = "",
    check_population: bool = True,
    max_change_ratio: float | None = 3.0,
    plausible_max: int | None = None,
) -> DataSetIndicator:
    """Ask for one more figure in a data set. The template version goes up, so templates downloaded before no
    longer upload."""
    _require(user, "returns.manage_data_sets", message="Only the programme office changes data sets.")
    if data_set.items.filter(indicator=indicator).exists():
        raise ValidationError({"indicator": f"{data_set.name} already asks for {indicator.name}."})
    _checks_validate(max_change_ratio=max_change_ratio, plausible_max=plausible_max)
    order = (data_set.items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = DataSetIndicator.objects.create(
        data_set=data_set,
        indicator=indicator,
        order=order,
        label=nfc(label),
        guidance=nfc(guidance),
        check_population=check_population,
        max_change_ratio=max_change_ratio,
        plausible_max=plausible_max,
    )
    DataSet.objects.filter(pk=data_set.pk).update(template_version=data_set.template_version + 1)
    data_set.refresh_from_db()
    return item


def _checks_validate(*, max_change_ratio, plausible_max) -> None:
    problems = {}
    if max_change_ratio is not None and (
        isinstance(max_change_ratio, bool) or not isinstance(max_change_ratio, (int, float)) or not math.isfinite(max_change_ratio) or max_change_ratio <= 1
    ):
        problems["max_change_ratio"] = "The change ratio is a factor above 1, for example 3 (a tripling or a fall to a third)."
    if plausible_max is not None and (isinstance(plausible_max, bool) or not isinstance(plausible_max, int) or plausible_max < 1):
        problems["plausible_max"] = "The ceiling is a whole number of 1 or more: the most this figure can plausibly be for one period, for example 5000."
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def data_set_indicator_checks_set(
    *, user, item: DataSetIndicator, check_population: bool, max_change_ratio: float | None, plausible_max: int | None
) -> DataSetIndicator:
    """Change the checks of one figure of a data set: the population check, the change ratio and the ceiling. The
    figures asked for stay the same, so the template version does not change; returns already approved keep the
    flags recorded when they were submitted and approved."""
    _require(user, "returns.manage_data_sets", message="Only the programme office changes data sets.")
    _checks_validate(max_change_ratio=max_change_ratio, plausible_max=plausible_max)
    current = DataSetIndicator.objects.select_for_update().get(pk=item.pk)
    current.check_population, current.max_change_ratio, current.plausible_max = bool(check_population), max_change_ratio, plausible_max
    current.save(update_fields=["check_population", "max_change_ratio", "plausible_max"])
    item.refresh_from_db()
    return current


@transaction.atomic
def data_set_provider_add(*, user, data_set: DataSet, agency: Agency, unit: OrgUnit, from_period_start: dt.date | None = None) -> DataSetProvider:
    """Name an agency as a provider of a data set for a unit (idempotent)."""
    _require(user, "returns.manage_data_sets", message="Only the programme office changes data sets.")
    if from_period_start is not None:
        try:
            period_check(data_set.period_type, from_period_start, period_containing(data_set.period_type, from_period_start).end)
        except PeriodError as error:
            raise ValidationError({"from_period_start": str(error)}) from None
    assignment, created = DataSetProvider.objects.get_or_create(data_set=data_set, agency=agency, unit=unit, defaults={"from_period_start": from_period_start})
    if not created and assignment.from_period_start != from_period_start:
        assignment.from_period_start = from_period_start
        assignment.save()
    return assignment


@transaction.atomic
def data_set_provider_remove(*, user, assignment: DataSetProvider) -> None:
    """Stop expecting returns from a provider for a unit; the returns it already made are kept."""
    _require(user, "returns.manage_data_sets", message="Only the programme office changes data sets.")
    assignment.delete()


# --- opening a return ----------------------------------------------------------------------------------------------


def _period_for(data_set: DataSet, raw, *, cell: str = "") -> Period:
    """The data set's period named by ``raw`` (a key such as 2025-03, 2025-Q1, 2025, 2024/25, or a date inside the
    period), or ReturnInputInvalid saying what was expected."""
    example = {"month": "2025-03", "quarter": "2025-Q1", "calendar_year": "2025", "july_june": "2024/25"}[data_set.period_type]
    kind = data_set.get_period_type_display().lower()
    if raw is None or str(raw).strip() == "":
        raise ReturnInputInvalid([CellProblem(f"Enter the period: a {kind} such as {example}.", cell=cell, code="period")])
    try:
        if isinstance(raw, (dt.datetime, dt.date)):
            day = raw.date() if isinstance(raw, dt.datetime) else raw
            period = period_containing(data_set.period_type, day)
        else:
            period = period_parse(str(raw))
            if period.period_type != data_set.period_type:
                raise PeriodError("wrong type")
            period_check(data_set.period_type, period.start, period.end)
    except PeriodError:
        raise ReturnInputInvalid(
            [CellProblem(f"{str(raw).strip()!r} is not a {kind}; this data set is reported by {kind}, written like {example}.", cell=cell, code="period")]
        ) from None
    return period


def _period_within(data_set: DataSet, assignment: DataSetProvider | None, period: Period, *, cell: str = "") -> None:
    first = assignment.first_period_start if assignment else data_set.first_period_start
    first_label = period_containing(data_set.period_type, first).label
    if period.start < first:
        raise ReturnInputInvalid([CellProblem(f"{period.label} is outside this data set: its first period is {first_label}.", cell=cell, code="period")])
    if data_set.last_period_end and period.end > data_set.last_period_end:
        last_label = period_containing(data_set.period_type, data_set.last_period_end).label
        raise ReturnInputInvalid([CellProblem(f"{period.label} is outside this data set: its last period is {last_label}.", cell=cell, code="period")])
    if period.end >= timezone.localdate():
        raise ReturnInputInvalid(
            [
                CellProblem(
                    f"{period.label} has not ended yet; its return can be made from {(period.end + dt.timedelta(days=1)):%-d %b %Y}.", cell=cell, code="period"
                )
            ]
        )


def _provider_of(user, agency: Agency | None) -> Agency:
    scope = scope_of(user)
    if agency is None:
        if scope.agency_id is None:
            raise ValidationError({"provider": "Say which provider this return is for."})
        return Agency.objects.get(pk=scope.agency_id)
    return agency


def _event(
    provider_return: ProviderReturn, *, action: str, actor, comment: str = "", flags: list | None = None, warnings_shown: list | None = None
) -> ReturnEvent:
    return ReturnEvent.objects.create(
        provider_return=provider_return,
        action=action,
        status=provider_return.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
        flags=flags or [],
        warnings_shown=warnings_shown or [],
        at=timezone.now(),
    )


@transaction.atomic
def return_open(*, user, data_set: DataSet, unit: OrgUnit, period: str | dt.date | Period, agency: Agency | None = None) -> ProviderReturn:
    """The provider's return for a unit and period, started as a draft when there is none yet.

    Refuses (ReturnInputInvalid, nothing saved) a period that is not one of the data set's periods, lies outside the
    data set or has not ended; PermissionDenied unless the user reports for the agency and the agency reports the data
    set for that unit."""
    provider = _provider_of(user, agency)
    assignment = DataSetProvider.objects.filter(data_set=data_set, agency=provider, unit=unit).select_related("data_set").first()
    probe = assignment or DataSetProvider(data_set=data_set, agency=provider, unit=unit)
    _require(user, "returns.edit_return", probe, message=f"You do not report for {provider}.")
    if assignment is None:
        raise PermissionDenied(f"{provider} is not a provider of {data_set.name} for {unit.name}.")
    if not isinstance(period, Period):
        period = _period_for(data_set, period)
    _period_within(data_set, assignment, period)
    existing = ProviderReturn.objects.filter(data_set=data_set, provider=provider, unit=unit, period_start=period.start).first()
    if existing is not None:
        return existing
    now = timezone.now()
    provider_return = ProviderReturn.objects.create(
        data_set=data_set,
        provider=provider,
        unit=unit,
        period_start=period.start,
        period_end=period.end,
        due_date=due_date_for(data_set, period.end),
        created_by=user,
        changed_by=user,
        changed_at=now,
        created_at=now,
    )
    _event(provider_return, action=ReturnAction.CREATED, actor=user)
    return provider_return


# --- figures -------------------------------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^\d{1,3}([ ,]\d{3})+$")


def figure_parse(raw) -> tuple[int | None, str | None]:
    """A figure as typed, pasted or read from Excel → (whole non-negative number or None when blank, problem)."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, None
    if isinstance(raw, bool):
        return None, f"{raw!r} is not a number; enter a whole number such as 12 (0 when there were none)."
    if isinstance(raw, (int, float, Decimal)):
        number = Decimal(str(raw))
        shown = str(raw)
    else:
        text = str(raw).strip()
        shown = text
        cleaned = text.replace("\u00a0", " ").replace("\u2212", "-")
        if _THOUSANDS.match(cleaned.lstrip("-")):
            cleaned = cleaned.replace(",", "").replace(" ", "")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            return None, f"'{text}' is not a number; enter a whole number such as 12 (0 when there were none)."
        if not number.is_finite():
            return None, f"'{text}' is not a number; enter a whole number such as 12 (0 when there were none)."
    if number < 0:
        return None, f"{shown} is negative; a count cannot be below 0."
    if number != number.to_integral_value():
        return None, f"{shown} is not a whole number; a count is a whole number such as 12."
    if number > 10**15:
        return None, f"{shown} is too large to be a count."
    return int(number), None


def _figures_check(data_set: DataSet, figures: Mapping[str, object], cells: Mapping[str, str] | None = None, *, sheet: str = "") -> dict[int, int | None]:
    """Parse every figure, collecting every problem (with its cell) before refusing; → {indicator id: value}."""
    items = {item.indicator.code: item for item in data_set.items.select_related("indicator")}
    problems, parsed = [], {}
    for code, raw in figures.items():
        cell = (cells or {}).get(code, "")
        item = items.get(code)
        if item is None:
            problems.append(
                CellProblem(
                    f"{code!r} is not one of this data set's figures (expected: {', '.join(items)}).",
                    cell=cell,
                    code=code,
                    **({"sheet": sheet} if sheet else {}),
                )
            )
            continue
        value, problem = figure_parse(raw)
        if problem:
            problems.append(CellProblem(f"{item.question}: {problem}", cell=cell, code=code, **({"sheet": sheet} if sheet else {})))
        else:
            parsed[item.indicator_id] = value
    if problems:
        raise ReturnInputInvalid(problems)
    return parsed


def _current_for_change(provider_return: ProviderReturn, version: int | None) -> ProviderReturn:
    # Lock only the return's row: PostgreSQL cannot lock the nullable side of an outer join.
    current = ProviderReturn.objects.select_for_update(of=("self",)).select_related("data_set", "changed_by", "unit", "provider").get(pk=provider_return.pk)
    if version is not None and current.version != version:
        raise ReturnChanged(current)
    return current


def _store(current: ProviderReturn, parsed: dict[int, int | None]) -> None:
    for indicator_id, value in parsed.items():
        ReturnValue.objects.update_or_create(provider_return=current, indicator_id=indicator_id, defaults={"value": value})


def _touch(current: ProviderReturn, user) -> None:
    current.version += 1
    current.changed_by = user if getattr(user, "is_authenticated", False) else None
    current.changed_at = timezone.now()


@transaction.atomic
def return_values_save(*, user, provider_return: ProviderReturn, version: int, values: Mapping[str, object], note: str | None = None) -> ProviderReturn:
    """Save figures (by indicator code; blank means not entered yet) of a draft or returned return. Every figure is
    checked first: a letter, a negative or a fraction refuses the whole save with a message per figure."""
    _require(user, "returns.edit_return", provider_return, message=f"You do not report for {provider_return.provider}.")
    current = _current_for_change(provider_return, version)
    if not current.is_editable:
        raise ReturnStateError(f"This return is {current.get_status_display().lower()}; its figures can no longer be changed.")
    text_bound_check(note, field="note", label="The note")
    parsed = _figures_check(current.data_set, values)
    _store(current, parsed)
    if note is not None:
        current.note = nfc(note.strip())
    _touch(current, user)
    current.save()
    _event(current, action=ReturnAction.SAVED, actor=user)
    provider_return.refresh_from_db()
    return current


@dataclass(frozen=True)
class UploadResult:
    provider_return: ProviderReturn
    created: bool
    figures: int


Resolved = TypeVar("Resolved")


def _resolve_cell(model_resolve: Callable[[str], Resolved], raw, *, cell: str, what: str, code: str) -> Resolved:
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise ReturnInputInvalid([CellProblem(f"Enter the {what}.", cell=cell, code=code)])
    try:
        return model_resolve(text)
    except Exception:
        raise ReturnInputInvalid([CellProblem(f"{text!r} is not a known {what}.", cell=cell, code=code)]) from None


def return_upload(*, user, data_set: DataSet, content: bytes, file_name: str = "the file", in_request: bool = True) -> UploadResult:
    """Fill a return from the data set's Excel template. The template must be this data set's current version; the
    provider, unit and period cells must name an assignment the user reports for and a period of the data set; every
    figure must be a whole non-negative number. Any problem refuses the whole file, listing each cell, and saves
    nothing (not even the draft)."""

    try:
        filled = template_read(content, file_name=file_name, in_request=in_request)
    except TemplateUnreadable as error:
        raise ReturnInputInvalid(error.problems) from None
    if filled.data_set_code != data_set.code:
        other = DataSet.objects.filter(code=filled.data_set_code).first()
        raise ReturnInputInvalid(
            [
                CellProblem(
                    f"This template is for the data set “{other.name if other else filled.data_set_code}”, not “{data_set.name}”. "
                    f"Upload it on that data set's page, or download this data set's template.",
                    sheet="",
                )
            ]
        )
    if filled.template_version != data_set.template_version:
        raise ReturnInputInvalid(
            [
                CellProblem(
                    f"This template is version {filled.template_version} of “{data_set.name}”; the current version is "
                    f"{data_set.template_version} (the figures asked for have changed). Download the current template and copy "
                    "your figures into it.",
                    sheet="",
                )
            ]
        )
    problems: list[CellProblem] = []
    provider: Agency | None = None
    unit: OrgUnit | None = None
    period: Period | None = None
    for resolve in ("provider", "unit", "period"):
        try:
            if resolve == "provider":
                provider = _resolve_cell(agency_resolve, filled.provider, cell=PROVIDER_CELL, what="provider", code="provider")
            elif resolve == "unit":
                unit = _resolve_cell(unit_resolve, filled.unit, cell=UNIT_CELL, what="reporting unit", code="unit")
            else:
                period = _period_for(data_set, filled.period, cell=PERIOD_CELL)
        except ReturnInputInvalid as error:
            problems.extend(error.problems)
    if provider is not None and unit is not None:
        assignment = DataSetProvider.objects.filter(data_set=data_set, agency=provider, unit=unit).first()
        if not user.has_perm("returns.edit_return", assignment or DataSetProvider(data_set=data_set, agency=provider, unit=unit)):
            problems.append(CellProblem(f"You do not report for {provider}.", cell=PROVIDER_CELL, code="provider"))
        elif assignment is None:
            problems.append(CellProblem(f"{provider} is not a provider of this data set for {unit.name}.", cell=UNIT_CELL, code="unit"))
        elif period is not None:
            try:
                _period_within(data_set, assignment, period, cell=PERIOD_CELL)
            except ReturnInputInvalid as error:
                problems.extend(error.problems)
    try:
        parsed = _figures_check(data_set, {code: raw for code, (_, raw) in filled.figures.items()}, {code: cell for code, (cell, _) in filled.figures.items()})
    except ReturnInputInvalid as error:
        problems.extend(error.problems)
    missing = [item.indicator.code for item in data_set.items.select_related("indicator") if item.indicator.code not in filled.figures]
    if missing:
        problems.append(CellProblem(f"The template has no row for {', '.join(missing)}; download the current template.", sheet=""))
    if problems:
        raise ReturnInputInvalid(problems)
    # A cell that could not be resolved added a problem above, so with none all three are known.
    assert provider is not None and unit is not None and period is not None
    with transaction.atomic():
        existing = ProviderReturn.objects.filter(data_set=data_set, provider=provider, unit=unit, period_start=period.start).first()
        provider_return = existing or return_open(user=user, data_set=data_set, unit=unit, period=period, agency=provider)
        current = _current_for_change(provider_return, None)
        if not current.is_editable:
            raise ReturnStateError(f"The return for {current.period_label} is {current.get_status_display().lower()}; its figures can no longer be changed.")
        _store(current, parsed)
        _touch(current, user)
        current.save()
        _event(current, action=ReturnAction.UPLOADED, actor=user, comment=nfc(file_name)[:200])
    return UploadResult(provider_return=current, created=existing is None, figures=len(parsed))


def return_upload_accept(*, user, data_set: DataSet, upload: UploadedFile) -> UploadResult | TemplateUpload:
    """An uploaded template, read now when it is small (``limits.read_inline``: the common case stays instant), or
    kept and queued for the background worker when it is larger, so a large or hostile file never holds up a web
    server's worker. The caller shows the result, or the queued upload's page that follows it."""
    if limits.read_inline(upload.size or 0):
        return return_upload(user=user, data_set=data_set, content=upload.read(), file_name=upload.name or "the file")
    return template_upload_queue(user=user, data_set=data_set, upload=upload)


def template_upload_queue(*, user, data_set: DataSet, upload: UploadedFile) -> TemplateUpload:
    """Keep an uploaded template in the data directory (owner-only) and queue its reading; the file is deleted once
    the worker has read it, whatever the outcome. A file larger than any filled template is refused here, unread."""
    _require(user, "returns.use_returns")
    file_name, size = Path(upload.name or "the file").name, upload.size or 0
    if size > TEMPLATE_MOST_BYTES:
        raise ReturnInputInvalid(
            [
                CellProblem(
                    f"{file_name}: the file is {size / limits.MB:,.1f} MB, far more than a filled template holds "
                    f"(at most {TEMPLATE_MOST_BYTES // limits.MB} MB); nothing was read. Download the data set's template and fill that.",
                    sheet="",
                )
            ]
        )
    relative = f"returns/incoming/{uuid.uuid4().hex}.xlsx"
    store.write_bytes_atomically(b"".join(upload.chunks()), relative)
    with transaction.atomic():
        job = TemplateUpload.objects.create(data_set=data_set, file_name=file_name[:255], size=size, upload_file=relative, created_by=user)
        transaction.on_commit(lambda: template_upload_task.enqueue(job.pk))
    return job


def _upload_finish(job: TemplateUpload, status: str, *, message: str, problems: Collection[CellProblem] = (), **fields) -> TemplateUpload:
    job.status, job.message, job.progress, job.stage = status, message, 100, "finished"
    job.problems = [p.to_dict() for p in problems]
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()
    return job


def template_upload_run(*, job: TemplateUpload) -> TemplateUpload:
    """The worker's half of a queued upload: read the kept file within the limits and fill the return, all or nothing
    (``return_upload``); record the outcome, or every problem with its sheet and cell, on the upload for its page."""
    if job.finished:
        return job  # a repeated task: the outcome stands
    TemplateUpload.objects.filter(pk=job.pk).update(status=TemplateUploadStatus.RUNNING, progress=10, stage="reading the template")
    try:
        content = store.absolute(job.upload_file).read_bytes() if job.upload_file else None
        if content is None:
            return _upload_finish(job, TemplateUploadStatus.FAILED, message="the uploaded file is no longer kept; nothing was saved (upload it again)")
        result = return_upload(user=job.created_by, data_set=job.data_set, content=content, file_name=job.file_name, in_request=False)
    except ReturnInputInvalid as refused:
        return _upload_finish(job, TemplateUploadStatus.REFUSED, message=f"The template cannot be used: {NOTHING_SAVED}", problems=refused.problems)
    except ReturnStateError as refused:
        return _upload_finish(job, TemplateUploadStatus.REFUSED, message=refused.message)
    except Exception as exc:
        log.exception("template upload %s failed", job.pk)
        return _upload_finish(job, TemplateUploadStatus.FAILED, message=f"the upload stopped unexpectedly ({type(exc).__name__}); nothing was saved")
    finally:
        if job.upload_file:
            store.absolute(job.upload_file).unlink(missing_ok=True)
            TemplateUpload.objects.filter(pk=job.pk).update(upload_file="")
            job.upload_file = ""
    current = result.provider_return
    return _upload_finish(
        job,
        TemplateUploadStatus.DONE,
        message=f"{result.figures} figure{'s' if result.figures != 1 else ''} uploaded into the {current.period_label} return. Check them, then submit.",
        provider_return=current,
        figures=result.figures,
    )


def return_template(*, data_set: DataSet, provider_return: ProviderReturn | None = None, provider: Agency | None = None, unit: OrgUnit | None = None) -> bytes:
    """The data set's Excel template, filled with a return's provider, unit, period and figures when given."""
    saved = {v.indicator_id: v.value for v in provider_return.values.all()} if provider_return else {}
    rows = [
        TemplateRow(code=item.indicator.code, question=item.question, guidance=item.guidance, value=saved.get(item.indicator_id))
        for item in data_set.items.select_related("indicator")
    ]
    example = {"month": "2025-03", "quarter": "2025-Q1", "calendar_year": "2025", "july_june": "2024/25"}[data_set.period_type]
    if provider_return is not None:
        provider, unit = provider_return.provider, provider_return.unit
    return template_write(
        data_set_code=data_set.code,
        data_set_name=data_set.name,
        template_version=data_set.template_version,
        period_hint=f"A {data_set.get_period_type_display().lower()}, written like {example}",
        rows=rows,
        provider=provider.short_name if provider else "",
        unit=unit.name if unit else "",
        period=provider_return.period_key if provider_return else "",
    )


# --- workflow ------------------------------------------------------------------------------------------------------


@transaction.atomic
def return_submit(*, user, provider_return: ProviderReturn, version: int, note: str | None = None, warnings_seen: Collection[str] = ()) -> ProviderReturn:
    """Send a draft (or a return sent back for revision) to the approvers. Every figure must be entered and no
    validation rule may be broken (ReturnInputInvalid). Warnings (a big change, an outlier) do not stop it once the
    provider has seen them and explained them: a warning whose key is not in ``warnings_seen``, or warnings with no
    note, refuse the submission (ReturnWarningsToConfirm) and nothing is saved. The submission records the warnings
    shown and the note."""
    _require(user, "returns.edit_return", provider_return, message=f"You do not report for {provider_return.provider}.")
    current = _current_for_change(provider_return, version)
    if not current.is_editable:
        raise ReturnStateError(f"This return is already {current.get_status_display().lower()}.")
    text_bound_check(note, field="note", label="The note")
    if note is not None:
        current.note = nfc(note.strip())
    checks = return_checks(current)
    if checks.errors:
        raise ReturnInputInvalid([CellProblem(f"{f.question}: {f.message}", code=f.code) for f in checks.errors])
    warnings = checks.warnings
    if warnings:
        seen = set(warnings_seen)
        if any(w.key not in seen for w in warnings):
            raise ReturnWarningsToConfirm(warnings, unseen=True)
        if not current.note:
            raise ReturnWarningsToConfirm(warnings, unseen=False)
    now = timezone.now()
    current.status = ReturnStatus.SUBMITTED
    current.first_submitted_at = current.first_submitted_at or now
    current.submitted_at, current.submitted_by = now, user
    _touch(current, user)
    current.save()
    _event(current, action=ReturnAction.SUBMITTED, actor=user, comment=current.note, flags=_recorded(checks), warnings_shown=[w.to_dict() for w in warnings])
    notifications.return_submitted(current, actor=user)
    provider_return.refresh_from_db()
    return current


def _recorded(checks) -> list[dict]:
    """What a step keeps of the checks: the flags, and the checks that could not run (so history never reads as a pass)."""
    return [r.to_dict() for r in checks.flags + checks.not_run]


@transaction.atomic
def return_send_back(*, user, provider_return: ProviderReturn, version: int, comment: str) -> ProviderReturn:
    """Return a submitted return to its provider for revision, saying what to fix."""
    _require(user, "returns.approve_return", provider_return, message="Only the programme office or the unit's coordinators review returns.")
    comment = nfc((comment or "").strip())
    if not comment:
        raise ValidationError({"comment": "Say what the provider should check or fix: the comment is required."})
    text_bound_check(comment, field="comment", label="The comment")
    current = _current_for_change(provider_return, version)
    if current.status != ReturnStatus.SUBMITTED:
        raise ReturnStateError(f"Only a submitted return can be returned for revision; this one is {current.get_status_display().lower()}.")
    current.status = ReturnStatus.RETURNED
    _touch(current, user)
    current.save()
    _event(current, action=ReturnAction.RETURNED, actor=user, comment=comment, flags=_recorded(return_checks(current)))
    notifications.return_returned(current)
    provider_return.refresh_from_db()
    return current


def _land_observations(current: ProviderReturn, user) -> int:
    """Record the unit's figures for the period as observations: the sum over every approved return of the unit
    and period (several providers may report for one unit), so approving one return never hides another's."""

    items = []
    for item in current.data_set.items.select_related("indicator"):
        approved = list(
            ReturnValue.objects.filter(
                indicator=item.indicator,
                provider_return__unit=current.unit,
                provider_return__period_start=current.period_start,
                provider_return__period_end=current.period_end,
                provider_return__status=ReturnStatus.APPROVED,
                value__isnull=False,
            )
            .select_related("provider_return__provider")
            .order_by("provider_return__provider__short_name")
        )
        if not approved:
            continue
        total = 0
        for figure in approved:
            assert figure.value is not None  # the query keeps only figures that were given
            total += figure.value
        sources = ", ".join(f"{v.provider_return.provider} (return {v.provider_return_id})" for v in approved)
        refs = "+".join(str(v.provider_return_id) for v in approved)
        items.append(
            ObservationInput(
                indicator=item.indicator,
                unit=current.unit,
                period_start=current.period_start,
                period_end=current.period_end,
                numerator=float(total),
                period_type=current.data_set.period_type,
                provenance=f"Approved provider returns of {current.data_set.name}, {current.period_label}: {sources}",
                source_ref=f"return:{refs}"[:100],
            )
        )
    try:
        observations_record_many(items=items, source=SourceKind.RETURN, actor=user)
    except ObservationInvalid as error:
        raise ReturnStateError(f"The figures could not be recorded as observations: {error}") from None
    return len(items)


@transaction.atomic
def return_approve(*, user, provider_return: ProviderReturn, version: int, comment: str = "") -> ProviderReturn:
    """Approve a submitted return: it is locked, and its figures land as the unit's observations for the period."""
    _require(user, "returns.approve_return", provider_return, message="Only the programme office or the unit's coordinators approve returns.")
    text_bound_check(comment, field="comment", label="The comment")
    current = _current_for_change(provider_return, version)
    if current.status != ReturnStatus.SUBMITTED:
        raise ReturnStateError(f"Only a submitted return can be approved; this one is {current.get_status_display().lower()}.")
    if current.submitted_by_id is not None and current.submitted_by_id == user.pk:
        raise PermissionDenied("You submitted this return, so someone else approves it.")
    now = timezone.now()
    current.status = ReturnStatus.APPROVED
    current.approved_at, current.approved_by = now, user
    _touch(current, user)
    current.save()
    _event(current, action=ReturnAction.APPROVED, actor=user, comment=nfc((comment or "").strip()), flags=_recorded(return_checks(current)))
    _land_observations(current, user)
    _statuses_refresh(current)
    notifications.return_approved(current)
    provider_return.refresh_from_db()
    return current


def _statuses_refresh(current: ProviderReturn) -> None:
    """The scorecards read status snapshots: refresh those of the data set's indicators in the return's unit and
    the units above it, so an approved return shows at once."""

    indicators = [item.indicator for item in current.data_set.items.select_related("indicator")]
    units = [unit for unit in OrgUnit.objects.filter(level__in=["national", "district"]) if current.unit.path.startswith(unit.path)]
    statuses_recompute(indicators=indicators, units=units)


# --- the shipped example -------------------------------------------------------------------------------------------

EXAMPLE_DATA_SET = "whanau-services-returns"
# A provider's referrals for one month, whatever its reporting unit: far above any provider's caseload, so only a
# slip (an extra digit, a pasted phone number) goes over it. Areas have no population on file, so for them this
# ceiling, and their district's population, are the bounds.
EXAMPLE_CEILING = 10_000
EXAMPLE_FIGURES = [  # (indicator code, how the form asks, what to count)
    (
        "mf-whanau-support-referrals",
        "Whānau referred to or assessed for support and navigation",
        "Count each whānau once in the month, however many services they were referred to.",
    ),
    (
        "mf-counselling-referrals",
        "People referred to or assessed for counselling",
        "Referrals you made or received for local counselling, and assessments you completed, in the month.",
    ),
    (
        "mf-community-hub-referrals",
        "Referrals or assessments through community hubs",
        "Referrals or assessments made through a community-based hub in the month.",
    ),
]


@dataclass(frozen=True)
class ReportingDefaultsLoaded:
    data_sets: int
    figures: int


@shipped_content_load
def reporting_defaults_load() -> ReportingDefaultsLoaded:
    """Create the example data set of the seed monitoring framework: monthly referrals and assessments reported by
    NGO, iwi and PHO providers (the framework's "Provider reporting" data source). Needs the measures defaults (its
    indicators) loaded first; loading again changes nothing and keeps the providers users named."""
    indicators = {code: Indicator.objects.filter(code=code).first() for code, _, _ in EXAMPLE_FIGURES}
    missing = [code for code, found in indicators.items() if found is None]
    if missing:
        raise ValueError(f"Load the measures defaults first: indicators {', '.join(missing)} are missing.")
    data_set = DataSet.objects.filter(code=EXAMPLE_DATA_SET).first()
    if data_set is None:
        data_set = DataSet.objects.create(
            code=EXAMPLE_DATA_SET,
            name="Whānau services: referrals and assessments",
            description=(
                "Monthly provider reporting for the monitoring framework's outcomes “Increase in whānau support and access "
                "to services”, “Increase in access to counselling” and “Increased access and integration of services”: "
                "the number of referrals and assessments each NGO, iwi or PHO provider made in the month."
            ),
            period_type="month",
            due_days=20,
            first_period_start=dt.date(2024, 7, 1),
        )
    figures = 0
    for order, (code, label, guidance) in enumerate(EXAMPLE_FIGURES, start=1):
        item, _ = DataSetIndicator.objects.get_or_create(
            data_set=data_set, indicator=indicators[code], defaults={"order": order, "label": label, "guidance": guidance, "plausible_max": EXAMPLE_CEILING}
        )
        figures += 1
    return ReportingDefaultsLoaded(data_sets=1, figures=figures)


__all__ = [
    "ReturnChanged",
    "ReturnStateError",
    "ReturnInputInvalid",
    "ReturnWarningsToConfirm",
    "UploadResult",
    "ReportingDefaultsLoaded",
    "data_set_indicator_add",
    "data_set_indicator_checks_set",
    "data_set_provider_add",
    "data_set_provider_remove",
    "return_open",
    "return_values_save",
    "return_upload",
    "return_upload_accept",
    "template_upload_queue",
    "template_upload_run",
    "return_template",
    "return_submit",
    "return_send_back",
    "return_approve",
    "reporting_defaults_load",
    "figure_parse",
]
