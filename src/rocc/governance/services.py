"""Every write of governance report packs: asking for a pack (queued for the worker) and generating it, with its
progress recorded as it goes."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from rocc.core.errors import InvalidInput, Refused
from rocc.governance.models import Audience, PackStatus, ReportPack
from rocc.governance.pdf import PackFontMissing, pack_pdf
from rocc.governance.periods import PackPeriod
from rocc.governance.selectors import pack_contents
from rocc.governance.tasks import report_pack_task
from rocc.governance.workbook import pack_workbook
from rocc.org.models import OrgUnit

log = logging.getLogger(__name__)

LONGEST_PERIOD_DAYS = 3 * 366


def pack_request(*, user, unit: OrgUnit, period: PackPeriod, audience: str = Audience.INTERNAL) -> ReportPack:
    """Ask for a pack of ``unit`` for ``period`` and ``audience``; the worker generates it (the page shows progress)."""
    if not user.has_perm("governance.generate_pack", unit):
        raise Refused("You may not make a governance report pack for this unit.")
    errors: dict[str, list[str]] = {}
    if audience not in Audience.values:
        errors["audience"] = [f"Choose one of: {', '.join(Audience.values)}."]
    if period.end < period.start:
        errors["period_end"] = ["The period ends before it starts."]
    elif (period.end - period.start).days > LONGEST_PERIOD_DAYS:
        errors["period_end"] = ["A pack covers at most three years."]
    if errors:
        raise InvalidInput(field_errors=errors)
    with transaction.atomic():
        pack = ReportPack.objects.create(
            unit=unit, period_start=period.start, period_end=period.end, period_label=period.label, audience=audience, requested_by=user
        )

    transaction.on_commit(lambda: report_pack_task.enqueue(pack.pk))
    return pack


def _record(pack_id: int, **fields) -> None:
    ReportPack.objects.filter(pk=pack_id).update(**fields)


def pack_generate(*, pack_id: int) -> ReportPack:
    """The worker's half: gather the contents as the person who asked may see them, draw the PDF and the workbook,
    and keep both; the progress and stage are written as each section is done, and a failure is kept with its reason."""
    pack = ReportPack.objects.select_related("unit", "requested_by").defer("pdf", "xlsx").get(pk=pack_id)
    if pack.finished:
        return pack
    _record(pack.pk, status=PackStatus.RUNNING, started_at=timezone.now(), progress=1, stage="Starting")
    try:
        if not pack.requested_by.has_perm("governance.generate_pack", pack.unit):
            raise Refused("The person who asked for this pack may no longer make one for this unit.")
        contents = pack_contents(
            user=pack.requested_by,
            unit=pack.unit,
            period=PackPeriod(pack.period_start, pack.period_end),
            audience=pack.audience,
            progress=lambda percent, stage: _record(pack.pk, progress=percent, stage=stage),
        )
        generated_at = timezone.now()
        _record(pack.pk, progress=85, stage="Drawing the PDF")
        pdf = pack_pdf(contents, generated_at=generated_at)
        _record(pack.pk, progress=95, stage="Writing the Excel workbook")
        xlsx = pack_workbook(contents, generated_at=generated_at)
    except (Refused, PackFontMissing) as refused:
        _record(pack.pk, status=PackStatus.FAILED, error=str(refused), finished_at=timezone.now(), stage="")
    except Exception:
        log.exception("report pack %s failed", pack.pk)
        _record(pack.pk, status=PackStatus.FAILED, error="The pack stopped with an internal error; it has been logged.", finished_at=timezone.now(), stage="")
    else:
        _record(pack.pk, status=PackStatus.DONE, progress=100, stage="", pdf=pdf, xlsx=xlsx, summary=contents.summary(), finished_at=generated_at)
    pack.refresh_from_db()
    return pack
