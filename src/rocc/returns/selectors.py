"""Every read of provider reporting, scoped to the user: data sets, returns, their validation and outlier flags,
and timeliness and completeness per provider."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rocc.measures.periods import (
    Period,
    add_months,
    month_start,
    period_containing,
    periods_between,
)
from rocc.measures.selectors import population_table
from rocc.org.models import OrgUnit, Role, UnitLevel
from rocc.org.scope import scope_of
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
)

if TYPE_CHECKING:
    from rocc.measures.selectors import PopulationTable

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
        return scope.condition("unit")
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
    if not user.has_perm("returns.use_returns"):
        return DataSet.objects.none()
    scope = _assignment_scope(user)
    if scope is None:
        return DataSet.objects.none()
    if scope == Q():
        return DataSet.objects.all()
    return DataSet.objects.filter(pk__in=DataSetProvider.objects.filter(scope).values("data_set_id")).distinct()


def data_set_get(*, user, code: str) -> DataSet:
    found = (
        data_set_list(user=user).filter(code=code).prefetch_related(Prefetch("items", queryset=DataSetIndicator.objects.select_related("indicator"))).first()
    )
    if found is None:
        raise Http404("No such data set")
    return found


def data_set_assignments(*, user, data_set: DataSet) -> QuerySet[DataSetProvider]:
    """The providers of a data set the user may see (a provider sees only its own)."""
    scope = _assignment_scope(user)
    if scope is None or not user.has_perm("returns.use_returns"):
        return DataSetProvider.objects.none()
    return data_set.providers.filter(scope).select_related("agency", "unit", "data_set")


def return_list(*, user, data_set: DataSet | None = None, status: str | None = None) -> QuerySet[ProviderReturn]:
    scope = _return_scope(user)
    if scope is None or not user.has_perm("returns.use_returns"):
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


def template_upload_get(*, user, pk: int) -> TemplateUpload:
    """An upload queued for the worker, to its uploader only (404 for anyone else: it may name another agency)."""
    found = TemplateUpload.objects.select_related("data_set", "provider_return").filter(pk=pk, created_by=user).first()
    if found is None:
        raise Http404("No such upload")
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


# --- checks ------------------------------------------------------------------------------------------------------

# Rules whose flag stops submission; the others are warnings the provider confirms with a note.
ERROR_RULES = ("missing", "above_ceiling", "above_population")
PASSED, FLAGGED, NOT_RUN = "passed", "flagged", "not_run"
RULE_NAMES = {
    "missing": "Entered",
    "above_ceiling": "Not above the ceiling",
    "above_population": "Not above the population",
    "change_ratio": "Change from last period",
    "outlier": "Usual for this provider",
}


@dataclass(frozen=True)
class ReturnFlag:
    """The result of one check of one figure: ``passed``, ``flagged`` or ``not_run`` (it had nothing to compare
    against, and says why). ``basis`` says what the figure was compared with. A flagged error stops submission; a
    flagged warning is for the provider to confirm with a note and for the approver to weigh. A check that did not
    run is never a pass."""

    code: str
    question: str
    rule: str  # missing | above_ceiling | above_population | change_ratio | outlier
    severity: str  # error | warning (what a flag of this rule means, whatever the outcome)
    message: str
    outcome: str = FLAGGED
    basis: str = ""

    @property
    def key(self) -> str:
        """Names this warning for these figures: a changed figure is a new warning that has not been shown yet."""
        return hashlib.sha256(f"{self.code}|{self.rule}|{self.message}".encode()).hexdigest()[:16]

    @property
    def rule_name(self) -> str:
        return RULE_NAMES.get(self.rule, self.rule)

    def to_dict(self) -> dict:
        return {**asdict(self), "key": self.key}


@dataclass(frozen=True)
class ReturnChecks:
    """Every check of a return's figures, in the data set's order: what passed (and against what), what was
    flagged, and what could not run."""

    results: tuple[ReturnFlag, ...]

    @property
    def flags(self) -> list[ReturnFlag]:
        return [r for r in self.results if r.outcome == FLAGGED]

    @property
    def errors(self) -> list[ReturnFlag]:
        return [r for r in self.flags if r.severity == "error"]

    @property
    def warnings(self) -> list[ReturnFlag]:
        return [r for r in self.flags if r.severity == "warning"]

    @property
    def not_run(self) -> list[ReturnFlag]:
        return [r for r in self.results if r.outcome == NOT_RUN]

    @property
    def passed(self) -> list[ReturnFlag]:
        return [r for r in self.results if r.outcome == PASSED]

    @property
    def all_passed(self) -> bool:
        """Every check ran and none flagged anything: only then may a page say the checks pass."""
        return bool(self.results) and len(self.passed) == len(self.results)

    def for_code(self, code: str) -> list[ReturnFlag]:
        return [r for r in self.results if r.code == code]

    def summary(self) -> str:
        """One line for a list or a file: the problems, the warnings and the checks that could not run."""

        def counted(n: int, one: str, many: str) -> str:
            return f"{n} {one if n == 1 else many}"

        parts = [
            counted(len(self.errors), "problem", "problems") if self.errors else "",
            counted(len(self.warnings), "warning", "warnings") if self.warnings else "",
            counted(len(self.not_run), "check could not run", "checks could not run") if self.not_run else "",
        ]
        parts = [p for p in parts if p]
        if parts:
            return "; ".join(parts)
        return "all checks passed" if self.all_passed else "no checks"


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
    rows = (
        ReturnValue.objects.filter(
            provider_return__data_set_id=provider_return.data_set_id,
            provider_return__provider_id=provider_return.provider_id,
            provider_return__unit_id=provider_return.unit_id,
            provider_return__period_start__lt=provider_return.period_start,
            provider_return__status__in=HISTORY_STATUSES,
            value__isnull=False,
        )
        .order_by("provider_return__period_start")
        .values_list("indicator_id", "provider_return__period_start", "value")
    )
    out: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for indicator_id, start, value in rows:
        assert value is not None  # the query keeps only figures that were given
        out[indicator_id].append((start, value))
    return out


@dataclass(frozen=True)
class PopulationBasis:
    """The population a return's figures are compared with: the unit's own, or (for an area with none on file) its
    district's, which is a looser bound and is said so; ``people`` is None when neither is on file."""

    people: float | None
    approximate: bool
    compared_with: str  # "the population of Waitematā", "the population of Waitematā district (North Shore has none on file)"
    not_found: str = ""  # "no population for North Shore or its district Waitematā"


def _district_of(unit: OrgUnit) -> OrgUnit | None:
    if unit.level != UnitLevel.AREA:
        return None
    codes = unit.path.strip("/").split("/")
    return OrgUnit.objects.filter(code__in=codes, level=UnitLevel.DISTRICT).first()


def return_population(provider_return: ProviderReturn, *, populations: PopulationTable | None = None) -> PopulationBasis:
    """The population to check a return's figures against, for the period's midpoint (as everywhere in measures)."""

    table = populations or population_table()
    unit = provider_return.unit
    midpoint = provider_return.period_start + (provider_return.period_end - provider_return.period_start) / 2
    people, approximate = table.value(unit.path, midpoint)
    if people is not None:
        return PopulationBasis(people, approximate, f"the population of {unit.name}")
    district = _district_of(unit)
    if district is not None:
        people, approximate = table.value(district.path, midpoint)
        if people is not None:
            return PopulationBasis(people, approximate, f"the population of {district.name} district, as {unit.name} has none on file")
        return PopulationBasis(None, False, "", f"no population for {unit.name} or its district {district.name}")
    return PopulationBasis(None, False, "", f"no population for {unit.name}")


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def return_checks(provider_return: ProviderReturn, *, values: dict[str, int | None] | None = None, populations: PopulationTable | None = None) -> ReturnChecks:
    """Check a return's figures (or ``values``, figures not yet saved, by indicator code) against the data set's
    rules and the provider's own history. Each check of each figure gives one result; a check with nothing to compare
    against says that it could not run and why."""
    data_set = provider_return.data_set
    items = list(data_set.items.select_related("indicator"))
    if values is None:
        saved = {v.indicator_id: v.value for v in provider_return.values.all()}
        values = {item.indicator.code: saved.get(item.indicator_id) for item in items}
    history = _history(provider_return)
    population: PopulationBasis | None = None
    previous = previous_period(data_set, provider_return.period_start)
    per_period = f"one {data_set.get_period_type_display().lower()}"
    results: list[ReturnFlag] = []
    for item in items:
        code, question = item.indicator.code, item.question

        def result(rule: str, outcome: str, message: str, basis: str = "", code: str = code, question: str = question) -> None:
            severity = "error" if rule in ERROR_RULES else "warning"
            results.append(ReturnFlag(code, question, rule, severity, message, outcome, basis))

        value = values.get(code)
        if value is None:
            result("missing", FLAGGED, "Enter a figure (0 when there were none).")
            continue
        if item.plausible_max is not None:
            ceiling = f"the data set's ceiling for {per_period} ({_number(item.plausible_max)})"
            if value > item.plausible_max:
                result(
                    "above_ceiling",
                    FLAGGED,
                    f"{_number(value)} is above {ceiling}; check the figure. If it is right, ask the programme office to raise the ceiling.",
                    ceiling,
                )
            else:
                result("above_ceiling", PASSED, f"Not above {ceiling}.", ceiling)
        if item.check_population:
            if population is None:
                population = return_population(provider_return, populations=populations)
            if population.people is None:
                result("above_population", NOT_RUN, f"Could not run: {population.not_found}.")
            else:
                basis = f"{population.compared_with} ({_number(population.people)}{', approximate' if population.approximate else ''})"
                if value > population.people:
                    result("above_population", FLAGGED, f"{_number(value)} is more than {basis}; check the figure.", basis)
                else:
                    result("above_population", PASSED, f"Not above {basis}.", basis)
        earlier = history.get(item.indicator_id, [])
        if item.max_change_ratio:
            ratio = item.max_change_ratio
            before = earlier[-1][1] if earlier and earlier[-1][0] == previous.start else None
            if before is None:
                result("change_ratio", NOT_RUN, f"Could not run: no submitted or approved figure for {previous.label} to compare with.")
            elif before == 0:
                result("change_ratio", NOT_RUN, f"Could not run: the figure for {previous.label} was 0, so a change is not a ratio.")
            else:
                basis = f"{_number(before)} in {previous.label}"
                change = value / before
                if value > before * ratio or value < before / ratio:
                    result(
                        "change_ratio",
                        FLAGGED,
                        f"Changed from {basis} to {_number(value)} (×{change:.2f}); the data set flags changes beyond ×{ratio:g} or ÷{ratio:g}.",
                        basis,
                    )
                else:
                    result("change_ratio", PASSED, f"Within ×{ratio:g} of {basis} (×{change:.2f}).", basis)
        outlier = modified_z_score(float(value), [float(v) for _, v in earlier])
        if outlier is None:
            result(
                "outlier",
                NOT_RUN,
                f"Could not run: {len(earlier)} earlier return{'' if len(earlier) == 1 else 's'} of this "
                f"provider for {provider_return.unit.name}; {OUTLIER_MIN_HISTORY} are needed.",
            )
        else:
            if math.isinf(outlier.score) or (outlier.spread == 0 and outlier.score == 0):
                detail = f"all {outlier.history} earlier figures were {_number(outlier.median)}"
            else:
                detail = f"modified z-score {outlier.score:+.1f} against {outlier.history} earlier returns, median {_number(outlier.median)}"
            basis = f"{outlier.history} earlier returns, median {_number(outlier.median)}"
            if outlier.is_outlier:
                result("outlier", FLAGGED, f"{_number(value)} is unusual for this provider ({detail}; flagged beyond ±{OUTLIER_THRESHOLD}).", basis)
            else:
                result("outlier", PASSED, f"Usual for this provider ({detail}; within ±{OUTLIER_THRESHOLD}).", basis)
    return ReturnChecks(tuple(results))


def return_flags(provider_return: ProviderReturn, *, values: dict[str, int | None] | None = None) -> list[ReturnFlag]:
    """The checks of a return that flagged something (problems and warnings)."""
    return return_checks(provider_return, values=values).flags


def flags_block_submission(flags: list[ReturnFlag]) -> bool:
    return any(f.severity == "error" and f.outcome == FLAGGED for f in flags)


def returns_awaiting_approval(*, user) -> list[tuple[ProviderReturn, ReturnChecks, ReturnEvent | None]]:
    """The submitted returns the user may approve or send back, each with its checks as they stand and the
    submission step (which says what warnings the provider was shown)."""

    awaiting = [r for r in return_list(user=user, status=ReturnStatus.SUBMITTED).order_by("submitted_at", "pk") if user.has_perm("returns.approve_return", r)]
    populations = population_table() if awaiting else None
    return [(r, return_checks(r, populations=populations), return_submission(r)) for r in awaiting]


def return_submission(provider_return: ProviderReturn) -> ReturnEvent | None:
    """The step that last submitted the return (None for a draft never submitted)."""
    return provider_return.events.filter(action=ReturnAction.SUBMITTED).order_by("-at", "-pk").first()


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
    if not user.has_perm("returns.view_reporting_performance"):
        return []
    today = today or timezone.localdate()
    out = []
    assignments = list(data_set_assignments(user=user, data_set=data_set))
    returns: defaultdict[tuple[int, int], dict[dt.date, ProviderReturn]] = defaultdict(dict)
    for held in ProviderReturn.objects.filter(data_set=data_set).only("provider_id", "unit_id", "period_start", "due_date", "first_submitted_at", "status"):
        returns[(held.provider_id, held.unit_id)][held.period_start] = held
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
    header = [
        "data_set",
        "provider",
        "unit",
        "period",
        "period_start",
        "period_end",
        "status",
        "due_date",
        "first_submitted_on",
        "on_time",
        "approved_on",
        "checks",
        "checks_not_run",
        "warnings_shown_to_provider",
        *[item.indicator.code for item in items],
    ]
    returns = return_list(user=user, data_set=data_set).order_by("period_start", "provider__short_name", "unit__path").prefetch_related("values")

    populations = population_table()
    rows = []
    for ret in returns:
        # A check that could not run is counted on its own, never among the passes.
        checks = return_checks(ret, populations=populations)
        submission = return_submission(ret)
        values = {v.indicator_id: v.value for v in ret.values.all()}
        submitted = timezone.localtime(ret.first_submitted_at).date() if ret.first_submitted_at else None
        rows.append(
            [
                data_set.code,
                ret.provider.short_name,
                ret.unit.code,
                ret.period_key,
                ret.period_start.isoformat(),
                ret.period_end.isoformat(),
                ret.status,
                ret.due_date.isoformat(),
                submitted.isoformat() if submitted else "",
                "" if submitted is None else ("yes" if submitted <= ret.due_date else "no"),
                timezone.localtime(ret.approved_at).date().isoformat() if ret.approved_at else "",
                checks.summary(),
                len(checks.not_run),
                len(submission.warnings_shown) if submission else 0,
                *["" if values.get(item.indicator_id) is None else values[item.indicator_id] for item in items],
            ]
        )
    return header, rows


# --- work queues and reminders -----------------------------------------------------------------------------------

DUE_SOON_DAYS = 7  # a return is "due soon" this many days before its due date
NOT_SUBMITTED = (ReturnStatus.DRAFT,)


@dataclass(frozen=True)
class ReturnDue:
    """A return a provider still owes: its period has ended and nothing has been submitted (no return yet, or a
    draft). ``provider_return`` is the draft when one was started."""

    assignment: DataSetProvider
    period: Period
    due_date: dt.date
    provider_return: ProviderReturn | None

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_date < today

    @property
    def key(self) -> str:
        a = self.assignment
        return f"return:{a.data_set_id}:{a.agency_id}:{a.unit_id}:{self.period.start.isoformat()}"


def _owed(assignments: list[DataSetProvider], *, today: dt.date, due_from: dt.date | None) -> list[ReturnDue]:
    held: dict[tuple[int, int, int, dt.date], ProviderReturn] = {}
    if assignments:
        for one in ProviderReturn.objects.filter(data_set_id__in={a.data_set_id for a in assignments}, provider_id__in={a.agency_id for a in assignments}):
            held[(one.data_set_id, one.provider_id, one.unit_id, one.period_start)] = one
    owed = []
    for a in assignments:
        for period in reportable_periods(data_set=a.data_set, first=a.first_period_start, today=today):
            due = due_date_for(a.data_set, period.end)
            if due_from is not None and due < due_from:
                continue
            ret = held.get((a.data_set_id, a.agency_id, a.unit_id, period.start))
            if ret is None or ret.status in NOT_SUBMITTED:
                owed.append(ReturnDue(assignment=a, period=period, due_date=due, provider_return=ret))
    return sorted(owed, key=lambda r: (r.due_date, r.assignment.data_set.name, r.assignment.unit.path))


def returns_owed(*, user, today: dt.date | None = None) -> list[ReturnDue]:
    """The returns the user's agency still owes and the user may fill in (a provider's work queue): every ended period
    of each data set it reports with nothing submitted, oldest due first."""
    today = today or timezone.localdate()
    assignments = [
        a
        for ds in data_set_list(user=user)
        for a in data_set_assignments(user=user, data_set=ds).select_related("data_set", "agency", "unit")
        if user.has_perm("returns.edit_return", a)
    ]
    return _owed(assignments, today=today, due_from=None)


def returns_sent_back(*, user) -> QuerySet[ProviderReturn]:
    """Returns sent back for revision that the user may revise."""
    scope = scope_of(user)
    if scope.role != Role.PROVIDER_REPORTER:
        return ProviderReturn.objects.none()
    return return_list(user=user, status=ReturnStatus.RETURNED).order_by("due_date", "pk")


def returns_owed_for_reminders(*, today: dt.date, due_from: dt.date) -> list[ReturnDue]:
    """For the reminder schedule (the system, not a user): every return owed whose due date is ``due_from`` or later,
    across every provider. Reminders start from a recent date so a new deployment does not send years of them."""
    assignments = list(DataSetProvider.objects.select_related("data_set", "agency", "unit"))
    return [r for r in _owed(assignments, today=today, due_from=due_from) if r.due_date <= today + dt.timedelta(days=DUE_SOON_DAYS)]
