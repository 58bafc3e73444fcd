"""Every read of provider reporting, scoped to the user: data sets, returns, their validation and outlier flags,
and timeliness and completeness per provider."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rocc.measures.models_reporting import DataSet, DataSetIndicator, DataSetProvider, ProviderReturn, ReturnStatus, ReturnValue
from rocc.measures.periods import Period, add_months, month_start, period_containing, periods_between
from rocc.org.models import Role
from rocc.org.scope import scope_of

OUTLIER_THRESHOLD = 3.5  # Iglewicz and Hoaglin's cut-off for the modified z-score
OUTLIER_MIN_HISTORY = 5  # fewer earlier returns than this say too little about what is usual
# The returns a provider's history is made of: figures someone has put their name to.
HISTORY_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.APPROVED)


# --- scope -------------------------------------------------------------------------------------------------------

def _return_scope(user) -> Q | None:
    """The returns a user may read, as a filter; None when none."""
    scope = scope_of(user)
    if scope.role in (Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER):
        return Q()
    if scope.role == Role.PROVIDER_REPORTER and scope.agency_id:
        return Q(provider_id=scope.agency_id)
    if scope.role == Role.REGIONAL_COORDINATOR and scope.unit_paths:
        visible = Q(pk__in=[])
        for path in scope.unit_paths:
            visible |= Q(unit__path__startswith=path)
        return visible
    return None


def _assignment_scope(user) -> Q | None:
    scope = _return_scope(user)
    if scope is None:
        return None
    # The same filter reads the same on assignments: provider → agency.
    own = scope_of(user)
    if own.role == Role.PROVIDER_REPORTER:
        return Q(agency_id=own.agency_id)
    return scope


def data_set_list(*, user) -> QuerySet[DataSet]:
    """Data sets the user reports (a provider: those it is named in) or oversees (approvers)."""
    if not user.has_perm("measures.use_returns"):
        return DataSet.objects.none()
    scope = _assignment_scope(user)
    if scope is None:
        return DataSet.objects.none()
    if scope == Q():
        return DataSet.objects.all()
    return DataSet.objects.filter(pk__in=DataSetProvider.objects.filter(scope).values("data_set_id")).distinct()


def data_set_get(*, user, code: str) -> DataSet:
    found = data_set_list(user=user).filter(code=code).prefetch_related(
        Prefetch("items", queryset=DataSetIndicator.objects.select_related("indicator"))).first()
    if found is None:
        raise Http404("No such data set")
    return found


def data_set_assignments(*, user, data_set: DataSet) -> QuerySet[DataSetProvider]:
    """The providers of a data set the user may see (a provider sees only its own)."""
    scope = _assignment_scope(user)
    if scope is None or not user.has_perm("measures.use_returns"):
        return DataSetProvider.objects.none()
    return data_set.providers.filter(scope).select_related("agency", "unit", "data_set")


def return_list(*, user, data_set: DataSet | None = None, status: str | None = None) -> QuerySet[ProviderReturn]:
    scope = _return_scope(user)
    if scope is None or not user.has_perm("measures.use_returns"):
        return ProviderReturn.objects.none()
    returns = ProviderReturn.objects.filter(scope).select_related("data_set", "provider", "unit")
    if data_set is not None:
        returns = returns.filter(data_set=data_set)
    if status:
        returns = returns.filter(status=status)
    return returns


def return_get(*, user, pk: int) -> ProviderReturn:
    """One return, or 404 when it does not exist or is outside the user's scope (another agency's, another region's)."""
    found = return_list(user=user).select_related("created_by", "submitted_by", "approved_by", "changed_by").filter(pk=pk).first()
    if found is None:
        raise Http404("No such return")
    return found


def return_values(provider_return: ProviderReturn) -> list[tuple[DataSetIndicator, int | None]]:
    """The data set's figures in order, each with the return's value (None when not entered)."""
    values = {v.indicator_id: v.value for v in provider_return.values.all()}
    return [(item, values.get(item.indicator_id)) for item in provider_return.data_set.items.select_related("indicator")]


def return_history(provider_return: ProviderReturn):
    return provider_return.events.select_related("actor")


# --- periods -----------------------------------------------------------------------------------------------------

def due_date_for(data_set: DataSet, period_end: dt.date) -> dt.date:
    return period_end + dt.timedelta(days=data_set.due_days)


def reportable_periods(*, data_set: DataSet, first: dt.date | None = None, today: dt.date | None = None) -> list[Period]:
    """The periods of the data set that have ended by ``today``, from its first period (or ``first``) on, oldest first."""
    today = today or timezone.localdate()
    last = min(today - dt.timedelta(days=1), data_set.last_period_end or today)
    start = max(first or data_set.first_period_start, data_set.first_period_start)
    return periods_between(data_set.period_type, start, last)


def period_of(data_set: DataSet, day: dt.date) -> Period:
    return period_containing(data_set.period_type, day)


def previous_period(data_set: DataSet, period_start: dt.date) -> Period:
    return period_containing(data_set.period_type, add_months(month_start(period_start), -1))


# --- flags -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReturnFlag:
    """A validation rule or outlier check that a figure trips. Errors stop submission; warnings are for the
    provider to check (and explain in the note) and for the approver to weigh."""

    code: str
    question: str
    rule: str  # missing | above_population | change_ratio | outlier
    severity: str  # error | warning
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class OutlierScore:
    """The modified z-score M = 0.6745 (x − median) / MAD of a figure against earlier ones (Iglewicz & Hoaglin, 1993).
    When the MAD is 0 the mean absolute deviation stands in (M = (x − median) / (1.253314 · MeanAD)); when that is 0
    too, every earlier figure was the same and any other figure scores infinity."""

    score: float
    median: float
    spread: float
    history: int

    @property
    def is_outlier(self) -> bool:
        return abs(self.score) > OUTLIER_THRESHOLD


def modified_z_score(value: float, history: list[float]) -> OutlierScore | None:
    """None when there are fewer than OUTLIER_MIN_HISTORY earlier figures."""
    if len(history) < OUTLIER_MIN_HISTORY:
        return None
    median = statistics.median(history)
    deviations = [abs(h - median) for h in history]
    mad = statistics.median(deviations)
    if mad > 0:
        return OutlierScore(0.6745 * (value - median) / mad, median, mad, len(history))
    mean_ad = statistics.fmean(deviations)
    if mean_ad > 0:
        return OutlierScore((value - median) / (1.253314 * mean_ad), median, mean_ad, len(history))
    score = 0.0 if value == median else math.copysign(math.inf, value - median)
    return OutlierScore(score, median, 0.0, len(history))


def _history(provider_return: ProviderReturn) -> dict[int, list[tuple[dt.date, int]]]:
    """Earlier figures of the same provider, unit and data set, per indicator, oldest first."""
    rows = (ReturnValue.objects
            .filter(provider_return__data_set_id=provider_return.data_set_id, provider_return__provider_id=provider_return.provider_id,
                    provider_return__unit_id=provider_return.unit_id, provider_return__period_start__lt=provider_return.period_start,
                    provider_return__status__in=HISTORY_STATUSES, value__isnull=False)
            .order_by("provider_return__period_start")
            .values_list("indicator_id", "provider_return__period_start", "value"))
    out: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for indicator_id, start, value in rows:
        out[indicator_id].append((start, value))
    return out


def _population(provider_return: ProviderReturn) -> tuple[float | None, bool]:
    from rocc.measures.services import population_for

    return population_for(unit=provider_return.unit, period_start=provider_return.period_start, period_end=provider_return.period_end)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def return_flags(provider_return: ProviderReturn, *, values: dict[str, int | None] | None = None) -> list[ReturnFlag]:
    """Check a return's figures (or ``values``, figures not yet saved, by indicator code) against the data set's
    validation rules and the provider's own history."""
    data_set = provider_return.data_set
    items = list(data_set.items.select_related("indicator"))
    if values is None:
        saved = {v.indicator_id: v.value for v in provider_return.values.all()}
        values = {item.indicator.code: saved.get(item.indicator_id) for item in items}
    history = _history(provider_return)
    population: tuple[float | None, bool] | None = None
    previous = previous_period(data_set, provider_return.period_start)
    flags: list[ReturnFlag] = []
    for item in items:
        code, question = item.indicator.code, item.question
        value = values.get(code)
        if value is None:
            flags.append(ReturnFlag(code, question, "missing", "error", "Enter a figure (0 when there were none)."))
            continue
        if item.check_population:
            if population is None:
                population = _population(provider_return)
            people, approximate = population
            if people is not None and value > people:
                flags.append(ReturnFlag(code, question, "above_population", "error",
                                        f"{_number(value)} is more than the population of {provider_return.unit.name} "
                                        f"({_number(people)}{', approximate' if approximate else ''}); check the figure."))
        earlier = history.get(item.indicator_id, [])
        if item.max_change_ratio and earlier and earlier[-1][0] == previous.start:
            before = earlier[-1][1]
            ratio = item.max_change_ratio
            if before > 0 and (value > before * ratio or value < before / ratio):
                change = value / before
                flags.append(ReturnFlag(code, question, "change_ratio", "warning",
                                        f"Changed from {_number(before)} in {previous.label} to {_number(value)} "
                                        f"(×{change:.2f}); the data set flags changes beyond ×{ratio:g} or ÷{ratio:g}."))
        outlier = modified_z_score(float(value), [float(v) for _, v in earlier])
        if outlier is not None and outlier.is_outlier:
            if math.isinf(outlier.score):
                detail = f"all {outlier.history} earlier figures were {_number(outlier.median)}"
            else:
                detail = f"modified z-score {outlier.score:+.1f} against {outlier.history} earlier returns, median {_number(outlier.median)}"
            flags.append(ReturnFlag(code, question, "outlier", "warning",
                                    f"{_number(value)} is unusual for this provider ({detail}; flagged beyond ±{OUTLIER_THRESHOLD})."))
    return flags


def flags_block_submission(flags: list[ReturnFlag]) -> bool:
    return any(f.severity == "error" for f in flags)


# --- timeliness and completeness ---------------------------------------------------------------------------------

@dataclass
class ProviderPerformance:
    """One provider's record for one unit of a data set, over the periods due by a date."""

    assignment: DataSetProvider
    expected: int = 0
    received: int = 0
    on_time: int = 0
    late: int = 0
    approved: int = 0
    outstanding: list[Period] = field(default_factory=list)  # due and not received
    average_days_late: float | None = None

    @property
    def completeness(self) -> float | None:
        """Received returns as a share of expected ones (percent)."""
        return None if not self.expected else 100 * self.received / self.expected

    @property
    def timeliness(self) -> float | None:
        """Returns received by their due date as a share of expected ones (percent)."""
        return None if not self.expected else 100 * self.on_time / self.expected


def reporting_performance(*, user, data_set: DataSet, today: dt.date | None = None) -> list[ProviderPerformance]:
    """Timeliness and completeness per provider and unit: a return is expected for every period whose due date has
    passed; it is received once first submitted, on time when that was no later than the due date (New Zealand time)."""
    if not user.has_perm("measures.view_reporting_performance"):
        return []
    today = today or timezone.localdate()
    out = []
    assignments = list(data_set_assignments(user=user, data_set=data_set))
    returns = defaultdict(dict)
    for ret in ProviderReturn.objects.filter(data_set=data_set).only("provider_id", "unit_id", "period_start", "due_date", "first_submitted_at", "status"):
        returns[(ret.provider_id, ret.unit_id)][ret.period_start] = ret
    for assignment in assignments:
        record = ProviderPerformance(assignment=assignment)
        lateness = []
        for period in reportable_periods(data_set=data_set, first=assignment.first_period_start, today=today):
            due = due_date_for(data_set, period.end)
            if due >= today:
                continue  # not due yet: neither expected nor missing
            record.expected += 1
            ret = returns[(assignment.agency_id, assignment.unit_id)].get(period.start)
            if ret is None or ret.first_submitted_at is None:
                record.outstanding.append(period)
                continue
            record.received += 1
            record.approved += ret.status == ReturnStatus.APPROVED
            submitted_on = timezone.localtime(ret.first_submitted_at).date()
            if submitted_on <= ret.due_date:
                record.on_time += 1
            else:
                record.late += 1
                lateness.append((submitted_on - ret.due_date).days)
        record.average_days_late = statistics.fmean(lateness) if lateness else None
        out.append(record)
    return out


# --- export ------------------------------------------------------------------------------------------------------

def returns_table(*, user, data_set: DataSet) -> tuple[list[str], list[list]]:
    """The returns of a data set the user may read, one row per return with one column per figure (indicator code).
    Unit-level figures: a provider gets only its own, an approver those of its scope."""
    items = list(data_set.items.select_related("indicator"))
    header = ["data_set", "provider", "unit", "period", "period_start", "period_end", "status", "due_date", "first_submitted_on",
              "on_time", "approved_on", *[item.indicator.code for item in items]]
    returns = return_list(user=user, data_set=data_set).order_by("period_start", "provider__short_name", "unit__path").prefetch_related("values")
    rows = []
    for ret in returns:
        values = {v.indicator_id: v.value for v in ret.values.all()}
        submitted = timezone.localtime(ret.first_submitted_at).date() if ret.first_submitted_at else None
        rows.append([
            data_set.code, ret.provider.short_name, ret.unit.code, ret.period_key, ret.period_start.isoformat(), ret.period_end.isoformat(),
            ret.status, ret.due_date.isoformat(), submitted.isoformat() if submitted else "",
            "" if submitted is None else ("yes" if submitted <= ret.due_date else "no"),
            timezone.localtime(ret.approved_at).date().isoformat() if ret.approved_at else "",
            *["" if values.get(item.indicator_id) is None else values[item.indicator_id] for item in items],
        ])
    return header, rows
