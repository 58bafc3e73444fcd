"""Every read of Tasking & Coordination records, scoped to the user asking (the same rules as ``rules.py``, as queries),
with rankings by risk score, overdue taskings and the agenda of a meeting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rocc.org.models import OrgUnit, Role, UnitLevel
from rocc.org.scope import scope_of
from rocc.tasking.models import (
    CLOSED_TASKING_STATUSES,
    DeconflictionAlert,
    Forum,
    ForumKind,
    InsightsProduct,
    InsightsReport,
    Meeting,
    MeetingStatus,
    ReportStatus,
    RiskMethodology,
    RiskScore,
    Target,
    Tasking,
)
from rocc.tasking.rules import (
    DISTRICT_ROLES,
    OWNER_ROLES,
    TASKING_ROLES,
    decision_maker,
)

NOTHING = Q(pk__in=[])
AGENDA_TOP_RISKS = 10


def _under(user, field: str) -> Q:
    """Rows whose unit (``field`` names an OrgUnit) lies within the user's scope."""
    condition = NOTHING
    for path in scope_of(user).unit_paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def _groups(user) -> list[int]:
    try:
        return list(user.profile.groups.values_list("pk", flat=True))
    except Exception:  # no profile: no groups
        return []


def _role(user) -> str | None:
    return scope_of(user).role


def works_in_tasking(user) -> bool:
    return _role(user) in TASKING_ROLES


def forums_attended(*, user) -> QuerySet[Forum]:
    """Forums the user attends: all of them for a decision maker; else those naming them as a member and,
    for a T&C member, those whose unit their scope covers."""
    if not works_in_tasking(user):
        return Forum.objects.none()
    if decision_maker(user):
        return Forum.objects.all()
    condition = Q(members=user)
    if _role(user) == Role.TC_MEMBER:
        condition |= _under(user, "scope_unit")
    return Forum.objects.filter(pk__in=Forum.objects.filter(condition).values("pk"))


def _forums_receiving(user) -> QuerySet[Forum]:
    """Forums whose reports the user sees: those attended, and the district T&C of a district the user works in."""
    condition = Q(pk__in=forums_attended(user=user).values("pk"))
    if _role(user) in DISTRICT_ROLES:
        condition |= Q(kind=ForumKind.DISTRICT_TC) & _under(user, "scope_unit")
    return Forum.objects.filter(condition)


def report_list(*, user) -> QuerySet[InsightsReport]:
    if not works_in_tasking(user):
        return InsightsReport.objects.none()
    qs = InsightsReport.objects.select_related("compiled_by", "current_forum__scope_unit")
    if decision_maker(user):
        return qs
    visible = Q(compiled_by=user) | Q(routing_decisions__to_forum__in=_forums_receiving(user))
    return qs.filter(pk__in=InsightsReport.objects.filter(visible).values("pk"))


def report_get(*, user, pk: int) -> InsightsReport:
    report = report_list(user=user).filter(pk=pk).first()
    if report is None:
        raise Http404("No such insights report")
    return report


def product_list(*, user) -> QuerySet[InsightsProduct]:
    if not works_in_tasking(user):
        return InsightsProduct.objects.none()
    qs = InsightsProduct.objects.select_related("source_unit", "source_group", "owner", "received_by")
    if decision_maker(user):
        return qs
    visible = Q(owner=user) | Q(received_by=user) | Q(source_group__in=_groups(user)) | Q(reports__in=report_list(user=user))
    if _role(user) in DISTRICT_ROLES:
        visible |= _under(user, "source_unit")
    return qs.filter(pk__in=InsightsProduct.objects.filter(visible).values("pk"))


def product_get(*, user, pk: int) -> InsightsProduct:
    product = product_list(user=user).filter(pk=pk).first()
    if product is None:
        raise Http404("No such insights product")
    return product


def tasking_list(*, user) -> QuerySet[Tasking]:
    if not works_in_tasking(user):
        return Tasking.objects.none()
    qs = Tasking.objects.select_related("tasked_unit", "tasked_group", "owner", "forum", "report")
    if decision_maker(user):
        return qs
    visible = Q(owner=user) | Q(created_by=user) | Q(tasked_group__in=_groups(user)) | Q(forum__in=forums_attended(user=user))
    if _role(user) in DISTRICT_ROLES:
        visible |= _under(user, "tasked_unit")
    return qs.filter(pk__in=Tasking.objects.filter(visible).values("pk"))


def tasking_get(*, user, pk: int) -> Tasking:
    tasking = tasking_list(user=user).filter(pk=pk).first()
    if tasking is None:
        raise Http404("No such tasking")
    return tasking


def open_taskings_owned(*, user) -> QuerySet[Tasking]:
    """The user's own taskings that still take updates."""
    return tasking_list(user=user).filter(owner=user).exclude(status__in=CLOSED_TASKING_STATUSES)


def tasking_owner_candidates(*, user, tasked_unit: OrgUnit | None = None, tasked_group=None) -> QuerySet:
    """The people a tasking set by ``user`` may name as its owner: ``rules.tasking_owner_refusal`` as a query (a T&C
    role, working in the unit or group when one is given). Nobody for a user who may not set taskings."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if not works_in_tasking(user):
        return users.none()
    # Administrators' scope is the whole country whatever units their profile lists (a superuser without a profile
    # is an administrator).
    administrator = Q(profile__role=Role.ADMINISTRATOR) | Q(is_superuser=True, profile__isnull=True)
    condition = Q(profile__role__in=OWNER_ROLES) | administrator
    if tasked_unit is not None:
        condition &= administrator | Q(profile__units__path__in=_ancestor_paths(tasked_unit.path))
    if tasked_group is not None:
        condition &= administrator | Q(profile__units__level=UnitLevel.NATIONAL) | Q(profile__groups=tasked_group)
    return users.filter(pk__in=users.filter(condition).values("pk")).select_related("profile").order_by("username")


def _ancestor_paths(path: str) -> list[str]:
    """A unit's path and the paths of the units above it (``/nz/waitemata/`` → ``/nz/``, ``/nz/waitemata/``)."""
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[: depth + 1]) + "/" for depth in range(len(codes))]


def meetings_for_decisions(*, user) -> QuerySet[Meeting]:
    """Meetings the user may record a decision at (to minute a routing, closure or tasking there): those they may
    minute that are not yet held."""
    from rocc.tasking.rules import may_minute_meeting

    meetings = meeting_list(user=user).exclude(status=MeetingStatus.HELD)
    return meetings.filter(pk__in=[m.pk for m in meetings if may_minute_meeting(user, m)])


def overdue_taskings(*, user, today: dt.date | None = None) -> QuerySet[Tasking]:
    today = today or timezone.localdate()
    return tasking_list(user=user).filter(due_date__lt=today).exclude(status__in=CLOSED_TASKING_STATUSES)


def meeting_list(*, user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(forum__in=forums_attended(user=user)).select_related("forum")


def meeting_get(*, user, pk: int) -> Meeting:
    meeting = meeting_list(user=user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


def cases_visible(*, user):
    """Problem-solving cases the user may see, by the problems capability's own rules when it provides them."""
    from rocc.problems.models import Case

    if not works_in_tasking(user):
        return Case.objects.none()
    try:
        from rocc.problems.selectors import cases_visible_to
    except ImportError:
        cases_visible_to = None
    if cases_visible_to is not None:
        return cases_visible_to(user)
    if decision_maker(user):
        return Case.objects.all()
    return Case.objects.filter(Q(owner=user) | _under(user, "scope_unit"))


def alerts_for(*, user) -> QuerySet[DeconflictionAlert]:
    """The alerts on the user's own targets."""
    if not getattr(user, "is_authenticated", False):
        return DeconflictionAlert.objects.none()
    return DeconflictionAlert.objects.filter(Q(owner_a=user) | Q(owner_b=user)).select_related("owner_a__profile", "owner_b__profile")


@dataclass(frozen=True)
class AlertView:
    """What one owner is told about an alert: their own target, the other owner, and the kind of match —
    never what the other side's record says."""

    alert: DeconflictionAlert
    own_target: Target
    other_owner: object
    other_team: str
    acknowledged_by_me: bool
    acknowledged_by_other: bool


def _team(user) -> str:
    try:
        units = ", ".join(unit.name for unit in user.profile.units.all())
        groups = ", ".join(group.short_name or group.name for group in user.profile.groups.all())
    except Exception:
        return ""
    return "; ".join(part for part in (units, groups) if part)


def alert_view(*, user, alert: DeconflictionAlert) -> AlertView:
    if user.pk == alert.owner_a_id:
        own, other, mine, theirs = alert.target_a, alert.owner_b, alert.acknowledged_a_at, alert.acknowledged_b_at
    elif user.pk == alert.owner_b_id:
        own, other, mine, theirs = alert.target_b, alert.owner_a, alert.acknowledged_b_at, alert.acknowledged_a_at
    else:
        raise Http404("No such alert")
    return AlertView(alert=alert, own_target=own, other_owner=other, other_team=_team(other),
                     acknowledged_by_me=mine is not None, acknowledged_by_other=theirs is not None)


def alert_views(*, user, open_only: bool = False) -> list[AlertView]:
    alerts = alerts_for(user=user).select_related("target_a__product", "target_a__tasking", "target_a__case",
                                                  "target_b__product", "target_b__tasking", "target_b__case")
    views = [alert_view(user=user, alert=alert) for alert in alerts]
    return [v for v in views if v.alert.is_open] if open_only else views


def alert_get(*, user, pk: int) -> DeconflictionAlert:
    alert = alerts_for(user=user).filter(pk=pk).first()
    if alert is None:
        raise Http404("No such alert")
    return alert


def current_methodology() -> RiskMethodology | None:
    return RiskMethodology.objects.filter(is_current=True).prefetch_related("dimensions").first()


def methodology_list() -> QuerySet[RiskMethodology]:
    return RiskMethodology.objects.prefetch_related("dimensions").order_by("-is_current", "code", "-version")


def targets_visible(*, user) -> QuerySet[Target]:
    return Target.objects.filter(
        Q(product__in=product_list(user=user)) | Q(tasking__in=tasking_list(user=user)) | Q(case__in=cases_visible(user=user))
    )


@dataclass(frozen=True)
class Ranked:
    rank: int
    score: RiskScore
    kind: str  # "report", "case" or "target"
    subject: object


def rankings(*, user, kind: str | None = None, limit: int | None = None, within: OrgUnit | None = None) -> list[Ranked]:
    """Reports, cases and targets the user may see, ranked by their current score under the current methodology.
    ``within`` keeps only what belongs to that unit (a district forum's agenda)."""
    methodology = current_methodology()
    if methodology is None or not works_in_tasking(user):
        return []
    visible = (
        Q(report__in=report_list(user=user).values("pk"))
        | Q(case__in=cases_visible(user=user).values("pk"))
        | Q(target__in=targets_visible(user=user).values("pk"))
    )
    scores = RiskScore.objects.filter(visible, is_current=True, methodology=methodology).select_related(
        "report__current_forum__scope_unit", "case__scope_unit", "target__product__source_unit",
        "target__tasking__tasked_unit", "target__case__scope_unit",
    ).order_by("-score", "scored_at", "pk")
    if kind:
        scores = scores.filter(**{f"{kind}__isnull": False})
    ranked = []
    for score in scores:
        if within is not None and within.level != UnitLevel.NATIONAL:
            unit = subject_unit(score.subject)
            if unit is None or not unit.path.startswith(within.path):
                continue
        subject_kind = "report" if score.report_id else "case" if score.case_id else "target"
        ranked.append(Ranked(rank=len(ranked) + 1, score=score, kind=subject_kind, subject=score.subject))
        if limit and len(ranked) >= limit:
            break
    return ranked


def reports_needing_scores(*, user) -> QuerySet[InsightsReport]:
    """Open reports the user sees with no score under the current methodology (new, or scored under an older version)."""
    methodology = current_methodology()
    reports = report_list(user=user).exclude(status=ReportStatus.CLOSED)
    if methodology is None:
        return reports
    scored = RiskScore.objects.filter(is_current=True, methodology=methodology, report__isnull=False).values("report")
    return reports.exclude(pk__in=scored)


def score_history(*, subject) -> QuerySet[RiskScore]:
    field = {"InsightsReport": "report", "Case": "case", "Target": "target"}[type(subject).__name__]
    return RiskScore.objects.filter(**{field: subject}).select_related("methodology", "scored_by").order_by("-scored_at", "-pk")


def subject_unit(subject) -> OrgUnit | None:
    """The unit a record belongs to, for placing it on a forum's agenda (None: national)."""
    from rocc.problems.models import Case

    if isinstance(subject, InsightsReport):
        return subject.current_forum.scope_unit if subject.current_forum_id else None
    if isinstance(subject, Case):
        return subject.scope_unit
    if isinstance(subject, InsightsProduct):
        return subject.source_unit
    if isinstance(subject, Tasking):
        return subject.tasked_unit
    if isinstance(subject, Target):
        return subject_unit(subject.subject)
    return None


@dataclass
class Agenda:
    meeting: Meeting
    new_reports: list[InsightsReport] = field(default_factory=list)
    top_risks: list[Ranked] = field(default_factory=list)
    overdue_taskings: list[Tasking] = field(default_factory=list)
    alerts: list[DeconflictionAlert] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.new_reports or self.top_risks or self.overdue_taskings or self.alerts)


def _in_forum_area(forum: Forum, unit: OrgUnit | None) -> bool:
    if forum.scope_unit.level == UnitLevel.NATIONAL:
        return True
    return unit is not None and unit.path.startswith(forum.scope_unit.path)


def meeting_agenda(*, user, meeting: Meeting, today: dt.date | None = None) -> Agenda:
    """The agenda of a meeting, built from what the user may see:

    - new reports: for the OCCC, every report awaiting routing; for any other forum, the reports now sitting at it
      that no meeting of the forum has minuted since they arrived;
    - the top-ranked risks in the forum's area;
    - overdue taskings the forum set or that fall in its area;
    - open deconfliction alerts in its area, saying only who the owners are and what kind of match it is.
    """
    forum = meeting.forum
    today = today or meeting.held_on
    agenda = Agenda(meeting=meeting)
    reports = report_list(user=user).prefetch_related("routing_decisions", "minutes__meeting")
    if forum.kind == ForumKind.OCCC:
        agenda.new_reports = list(reports.filter(status=ReportStatus.NEW).order_by("compiled_at"))
    else:
        for report in reports.filter(current_forum=forum).order_by("compiled_at"):
            arrived = max((d.decided_at for d in report.routing_decisions.all() if d.to_forum_id == forum.pk), default=None)
            minuted = any(m.meeting.forum_id == forum.pk and arrived and m.recorded_at >= arrived for m in report.minutes.all())
            if not minuted:
                agenda.new_reports.append(report)
    agenda.top_risks = rankings(user=user, limit=AGENDA_TOP_RISKS, within=forum.scope_unit)
    agenda.overdue_taskings = [
        t for t in overdue_taskings(user=user, today=today).order_by("due_date")
        if t.forum_id == forum.pk or _in_forum_area(forum, t.tasked_unit)
    ]
    open_alerts = DeconflictionAlert.objects.filter(Q(acknowledged_a_at__isnull=True) | Q(acknowledged_b_at__isnull=True)).select_related(
        "owner_a", "owner_b", "target_a__product__source_unit", "target_a__tasking__tasked_unit", "target_a__case__scope_unit",
        "target_b__product__source_unit", "target_b__tasking__tasked_unit", "target_b__case__scope_unit",
    )
    if not decision_maker(user):
        open_alerts = open_alerts.filter(Q(owner_a=user) | Q(owner_b=user) | Q(target_a__in=targets_visible(user=user)) | Q(target_b__in=targets_visible(user=user)))
    agenda.alerts = [
        a for a in open_alerts.order_by("created_at")
        if _in_forum_area(forum, subject_unit(a.target_a)) or _in_forum_area(forum, subject_unit(a.target_b))
    ]
    return agenda


def targets_panel(*, user, subject) -> dict:
    """What the targets section of a product's, tasking's or case's page shows: the targets it names, and the form to
    name another when the user may (template ``tasking/_targets.html``)."""
    from django.urls import reverse

    from rocc.tasking.forms import TargetForm
    from rocc.tasking.services import deconfliction_metres, subject_field

    kind = subject_field(subject)
    targets = subject.tasking_targets.all() if kind == "case" else subject.targets.all()
    return {
        "targets": targets, "target_form": TargetForm(), "deconfliction_metres": deconfliction_metres(),
        "target_action": reverse("tasking:target_add", args=[kind, subject.pk]),
        "may_name": user.has_perm("tasking.name_target", subject),
    }
