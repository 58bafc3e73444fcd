"""Reads of the barrier escalation register and the initiative stocktake (with its gap matrix), scoped to the user asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from rocc.core.text import fold
from rocc.org.models import OrgUnit, UnitLevel
from rocc.org.scope import scope_of
from rocc.strategy.models import (
    BarrierEscalation,
    BarrierStatus,
    FocusAreaKind,
    Initiative,
)
from rocc.strategy.selectors.common import may_read


def _in_scope(user, field: str = "unit") -> Q:
    return Q(**{f"{field}__level": UnitLevel.NATIONAL}) | scope_of(user).condition(field)


def barrier_list(*, user, status: str | None = None, query: str = "") -> QuerySet[BarrierEscalation]:
    """Barriers raised within the user's scope (the centre sees every region's)."""
    if not may_read(user):
        return BarrierEscalation.objects.none()
    barriers = BarrierEscalation.objects.filter(_in_scope(user)).select_related("unit", "plan", "framework_barrier", "raised_by")
    if status:
        barriers = barriers.filter(status=status)
    if fold(query):
        barriers = barriers.filter(search_text__contains=fold(query))
    return barriers


def barrier_get(*, user, pk: int) -> BarrierEscalation:
    barrier = barrier_list(user=user).filter(pk=pk).first()
    if barrier is None:
        raise Http404("No such barrier")
    return barrier


def initiative_list(*, user, query: str = "", focus_area: str = "", unit_code: str = "") -> QuerySet[Initiative]:
    """The stocktake is the whole programme's picture: everyone with a role reads every initiative."""
    if not may_read(user):
        return Initiative.objects.none()
    initiatives = Initiative.objects.select_related("unit", "provider_agency")
    if fold(query):
        initiatives = initiatives.filter(search_text__contains=fold(query))
    if focus_area:
        initiatives = initiatives.filter(focus_area=focus_area)
    if unit_code:
        initiatives = initiatives.filter(unit__path__contains=f"/{unit_code}/")
    return initiatives


def initiative_get(*, user, pk: int) -> Initiative:
    initiative = initiative_list(user=user).filter(pk=pk).first()
    if initiative is None:
        raise Http404("No such initiative")
    return initiative


@dataclass(frozen=True)
class GapMatrix:
    focus_areas: list[tuple[str, str]]
    districts: list  # OrgUnit, national unit first
    counts: dict[tuple[str, int], int]
    as_at: dt.date | None

    def rows(self):
        for kind, label in self.focus_areas:
            yield kind, label, [(unit, self.counts.get((kind, unit.pk), 0)) for unit in self.districts]

    @property
    def empty_cells(self) -> int:
        return sum(1 for kind, _ in self.focus_areas for unit in self.districts if not self.counts.get((kind, unit.pk)))


def initiative_gap_matrix(*, user, as_at: dt.date | None = None) -> GapMatrix:
    """Initiatives counted by strategic focus area × district (an area's count goes to its district; national
    initiatives to the national column). With ``as_at``, only initiatives running on that date count."""

    units = list(OrgUnit.objects.filter(level__in=[UnitLevel.NATIONAL, UnitLevel.DISTRICT]).order_by("path"))
    by_path = {u.path: u for u in units}
    initiatives = initiative_list(user=user)
    if as_at:
        initiatives = initiatives.filter(Q(start_date__isnull=True) | Q(start_date__lte=as_at)).filter(Q(end_date__isnull=True) | Q(end_date__gte=as_at))
    counts: dict[tuple[str, int], int] = {}
    for kind, path in initiatives.values_list("focus_area", "unit__path"):
        parts = path.strip("/").split("/")
        column = by_path.get("/" + "/".join(parts[:2]) + "/") or by_path.get("/" + parts[0] + "/")
        assert column is not None  # every unit's root is a national unit (a database constraint)
        counts[(kind, column.pk)] = counts.get((kind, column.pk), 0) + 1
    return GapMatrix(focus_areas=list(FocusAreaKind.choices), districts=units, counts=counts, as_at=as_at)


def barriers_awaiting_centre(*, user) -> QuerySet[BarrierEscalation]:
    """Escalated barriers the centre has not yet answered, most severe and oldest first (the programme office's queue)."""
    return barrier_list(user=user, status=BarrierStatus.ESCALATED).order_by("-severity", "escalated_at", "pk")


def barriers_raised_by(*, user) -> QuerySet[BarrierEscalation]:
    """Open barriers the user raised or escalated, with the centre's answer where it has given one, answered first."""
    mine = barrier_list(user=user).filter(Q(raised_by=user) | Q(escalated_by=user)).exclude(status=BarrierStatus.CLOSED)
    return mine.order_by("-responded_at", "-raised_at", "pk")
