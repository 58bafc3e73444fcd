"""Each role's work queue for its home page: sections of items, each a link, assembled from the selectors of the
capabilities that own the records (this module reads nothing itself; it only says what each role's queue holds)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from rocc.analysis_pages.selectors import saved_analysis_list
from rocc.audit.selectors import person_looks_recent
from rocc.events.models import BatchStatus
from rocc.events.selectors import imports_needing_attention
from rocc.measures.selectors import default_unit_for, off_track_for, scorecard_for, units_for_measures
from rocc.org.models import Role
from rocc.org.scope import scope_of
from rocc.org.selectors import units_in_scope
from rocc.problems.selectors import cases_owned
from rocc.returns.selectors import returns_awaiting_approval, returns_owed, returns_sent_back
from rocc.strategy.models import ActivityStatus, PlanStatus
from rocc.strategy.selectors.frameworks import action_plan_list, activity_flags, activity_list
from rocc.strategy.selectors.plans import plan_gaps
from rocc.strategy.selectors.register import barriers_awaiting_centre, barriers_raised_by
from rocc.tasking.selectors.deconfliction import alert_views
from rocc.tasking.selectors.meetings import meeting_agenda, next_meeting
from rocc.tasking.selectors.reports import reports_awaiting_routing
from rocc.tasking.selectors.taskings import overdue_taskings

SHOWN = 15  # items a section lists; its count and its "see all" link say when there are more


@dataclass
class QueueItem:
    label: str
    url: str
    detail: str = ""
    flag: str = ""  # a short word shown as a badge: "overdue", "failed", "2 flags"
    flag_kind: str = ""  # the badge's style: "bad", "approx", "ok"


@dataclass
class QueueSection:
    key: str
    title: str
    items: list[QueueItem] = field(default_factory=list)
    empty: str = "Nothing here."
    more_url: str = ""
    more_label: str = ""
    total: int | None = None  # when more exist than the items listed
    counted: bool = True  # shown among the counts at the top (a section that only offers a link is not)
    note: str = ""  # a line under the title saying what the section counts, where its title cannot say it all
    caveat: str = ""  # a second line saying what the section cannot list for this user (counts only, never a figure)

    @property
    def count(self) -> int:
        return self.total if self.total is not None else len(self.items)

    @property
    def shown(self) -> list[QueueItem]:
        return self.items[:SHOWN]


def _date(day: dt.date | None) -> str:
    return f"{day:%d %b %Y}" if day else ""


# --- provider reporting ------------------------------------------------------------------------------------------


def _returns_owed(user, today: dt.date) -> list[QueueSection]:

    owed = returns_owed(user=user, today=today)

    def item(r) -> QueueItem:
        a = r.assignment
        url = reverse("returns:detail", args=[r.provider_return.pk]) if r.provider_return else reverse("returns:data_set", args=[a.data_set.code])
        overdue = r.is_overdue(today)
        return QueueItem(
            label=f"{a.data_set.name}: {a.unit.name}, {r.period.label}",
            url=url,
            detail=f"{'was due' if overdue else 'due'} {_date(r.due_date)}" + (" · draft started" if r.provider_return else " · not started"),
            flag="overdue" if overdue else "",
            flag_kind="bad" if overdue else "",
        )

    overdue = [item(r) for r in owed if r.is_overdue(today)]
    due = [item(r) for r in owed if not r.is_overdue(today)]
    back = [
        QueueItem(
            label=f"{r.data_set.name}: {r.unit.name}, {r.period_label}",
            url=reverse("returns:detail", args=[r.pk]),
            detail=f"due {_date(r.due_date)} · read the approver's comment and revise",
            flag="returned",
            flag_kind="approx",
        )
        for r in returns_sent_back(user=user).select_related("data_set", "unit")
    ]
    return [
        QueueSection("returns-overdue", "Returns overdue", overdue, "No return is overdue.", reverse("returns:list"), "All your returns"),
        QueueSection("returns-due", "Returns due", due, "No return is due: every ended period has been submitted."),
        QueueSection("returns-returned", "Returned for revision", back, "No return has been sent back to you."),
    ]


def _returns_awaiting(user) -> QueueSection:

    items = []
    for r, checks, _submission in returns_awaiting_approval(user=user):
        flags = len(checks.flags)
        not_run = len(checks.not_run)
        flag = f"{flags} flag{'s' if flags != 1 else ''}" if flags else ("checks not run" if not_run else "")
        items.append(
            QueueItem(
                label=f"{r.provider.short_name} · {r.data_set.name}: {r.unit.name}, {r.period_label}",
                url=reverse("returns:detail", args=[r.pk]),
                detail=f"submitted {_date(timezone.localtime(r.submitted_at).date()) if r.submitted_at else ''}"
                + (f" · {not_run} check{'s' if not_run != 1 else ''} could not run" if not_run and flags else ""),
                flag=flag,
                flag_kind="bad" if flags else ("approx" if not_run else ""),
            )
        )
    return QueueSection("returns-awaiting", "Returns awaiting approval", items, "No return awaits your approval.", reverse("returns:list"), "All returns")


# --- measures ----------------------------------------------------------------------------------------------------


NEWLY_OFF_TRACK = (
    "Newly off track: off track at the latest period and not at the previous reporting period "
    "(the previous period's status is worked out on the figures held today)."
)


def _off_track_item(cell: dict) -> QueueItem:
    newly = cell.get("newly_off_track")
    before = cell.get("previous_period_label")
    if newly:
        since = f" · not off track at {before}" if before else " · no status at the previous period"
    else:
        since = f" · off track at {before} too" if before else ""
    return QueueItem(
        label=f"{cell['name']} · {cell['unit_name']}",
        url=reverse("measures:indicator", args=[cell["indicator"]]) + f"?unit={cell['unit']}",
        detail=(f"latest {cell['period_label']}" if cell.get("period_label") else "") + since,
        flag="newly off track" if newly else "off track",
        flag_kind="bad",
    )


def _protected_caveat(suppressed: int) -> str:
    """Why an indicator the user expects may be missing from an off-track list: how many of its cells in the units
    have a latest figure the disclosure gate suppresses for this user, so no status is worked out for them. Only
    the count is told; which figure, and what status it would have had, stay protected."""
    if not suppressed:
        return ""
    figures = "indicator's latest figure is" if suppressed == 1 else "indicators' latest figures are"
    return f"{suppressed} {figures} suppressed for you (small counts): no status is shown, so none is listed here. See the scorecard."


def _newly_off_track(user) -> QueueSection:
    """The indicators that went off track at their latest period: off track now and not at the previous reporting
    period (the series as at the day before the latest period began, on the figures held now)."""
    report = off_track_for(user=user, units=list(units_for_measures(user=user)))
    newly = [cell for cell in report.cells if cell.get("newly_off_track")]
    still = len(report.cells) - len(newly)
    return QueueSection(
        "off-track",
        "Indicators newly off track",
        [_off_track_item(cell) for cell in newly],
        "No indicator went off track at its latest period" + (f" ({still} off track at the previous period too: see the scorecard)." if still else "."),
        reverse("measures:scorecard"),
        "The scorecard",
        note=NEWLY_OFF_TRACK,
        caveat=_protected_caveat(report.suppressed),
    )


def _off_track(user, units=None, title: str = "Indicators off track") -> QueueSection:
    """Every indicator off track on its latest figure in ``units``, those newly off track first."""
    units = units if units is not None else list(units_for_measures(user=user))
    report = off_track_for(user=user, units=units)
    cells = sorted(report.cells, key=lambda cell: not cell.get("newly_off_track"))
    return QueueSection(
        "off-track",
        title,
        [_off_track_item(cell) for cell in cells],
        "No indicator is off track on its latest figure.",
        reverse("measures:scorecard"),
        "The scorecard",
        note="Off track on the latest figure; " + NEWLY_OFF_TRACK[0].lower() + NEWLY_OFF_TRACK[1:],
        caveat=_protected_caveat(report.suppressed),
    )


# --- tasking -----------------------------------------------------------------------------------------------------


def _tasking(user, today: dt.date) -> list[QueueSection]:

    sections = []
    meeting = next_meeting(user=user, today=today)
    agenda_items = []
    if meeting is not None:
        agenda = meeting_agenda(user=user, meeting=meeting, today=today)
        meeting_url = reverse("tasking:meeting", args=[meeting.pk])
        agenda_items = [
            QueueItem(f"{meeting} · {_date(meeting.held_on)}", meeting_url, "the meeting and its full agenda"),
            QueueItem(f"New reports to consider: {len(agenda.new_reports)}", meeting_url),
            QueueItem(f"Top risks in the forum's area: {len(agenda.top_risks)}", meeting_url),
            QueueItem(f"Overdue taskings: {len(agenda.overdue_taskings)}", meeting_url),
            QueueItem(f"Open deconfliction alerts: {len(agenda.alerts)}", meeting_url),
        ]
    sections.append(
        QueueSection(
            "next-meeting",
            "Next meeting's agenda",
            agenda_items,
            "No meeting of your forums is planned.",
            reverse("tasking:meetings"),
            "All meetings",
            total=1 if meeting else 0,
        )
    )
    overdue = list(overdue_taskings(user=user, today=today).select_related("tasked_unit", "tasked_group", "owner").order_by("due_date"))
    sections.append(
        QueueSection(
            "taskings-overdue",
            "Overdue taskings",
            [
                QueueItem(
                    f"{t.reference} {t.title}",
                    reverse("tasking:tasking", args=[t.pk]),
                    f"tasked to {t.tasked_to} · was due {_date(t.due_date)}",
                    "overdue",
                    "bad",
                )
                for t in overdue
            ],
            "No tasking is overdue.",
            reverse("tasking:taskings"),
            "All taskings",
        )
    )
    alerts = alert_views(user=user, open_only=True)
    sections.append(
        QueueSection(
            "alerts",
            "Open deconfliction alerts",
            [
                QueueItem(
                    f"Alert {v.alert.pk}: {v.alert.get_basis_display()}",
                    reverse("tasking:alerts"),
                    "acknowledged by the other owner, not yet by you"
                    if v.acknowledged_by_other and not v.acknowledged_by_me
                    else ("waiting for the other owner" if v.acknowledged_by_me else "to acknowledge"),
                    "" if v.acknowledged_by_me else "to acknowledge",
                    "approx",
                )
                for v in alerts
            ],
            "No deconfliction alert is open.",
            reverse("tasking:alerts"),
            "All alerts",
        )
    )
    reports = list(reports_awaiting_routing(user=user).order_by("compiled_at"))
    sections.append(
        QueueSection(
            "reports-routing",
            "Reports awaiting routing",
            [QueueItem(r.title, reverse("tasking:report", args=[r.pk]), f"compiled {_date(timezone.localtime(r.compiled_at).date())}") for r in reports],
            "No insights report awaits routing.",
            reverse("tasking:reports"),
            "All reports",
        )
    )
    return sections


# --- problem solving ---------------------------------------------------------------------------------------------


def _cases(user, today: dt.date) -> list[QueueSection]:

    owned = cases_owned(user=user, today=today)
    if not owned:
        return []
    cases = []
    reviews = []
    for o in owned:
        url = reverse("problems:case", args=[o.case.pk])
        needs = "; ".join(o.missing[:3]) + (f"; and {len(o.missing) - 3} more" if len(o.missing) > 3 else "")
        cases.append(
            QueueItem(
                f"{o.case.title} · {o.case.scope_unit.name}",
                url,
                f"{o.case.get_stage_display()}: " + (f"the gate still needs {needs}" if o.missing else "ready to move on"),
                o.case.get_stage_display(),
            )
        )
        if o.review_due is not None and o.review_due <= today + dt.timedelta(days=7):
            reviews.append(
                QueueItem(
                    f"Review of {o.case.title}",
                    url,
                    f"{'was due' if o.review_overdue else 'due'} {_date(o.review_due)}",
                    "overdue" if o.review_overdue else "due",
                    "bad" if o.review_overdue else "approx",
                )
            )
    return [
        QueueSection("cases", "Your cases", cases, "You own no open case.", reverse("problems:overview"), "The case board"),
        QueueSection("reviews", "Reviews due", reviews, "No deployment review is due in the next week."),
    ]


# --- analysts ----------------------------------------------------------------------------------------------------


def _analyst(user) -> list[QueueSection]:

    imports = [
        QueueItem(
            f"Import {b.pk}: {b.file_name} ({b.source})",
            reverse("events:batch", args=[b.pk]),
            f"{b.stage or b.get_status_display()} · {b.progress}%"
            if b.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)
            else (b.message[:120] or b.get_status_display()),
            b.get_status_display().split(" (")[0].lower(),
            "bad" if b.status in (BatchStatus.FAILED, BatchStatus.REJECTED) else "approx",
        )
        for b in imports_needing_attention(user=user)
    ]
    saved = saved_analysis_list(user=user).order_by("-created_at")
    analyses = [
        QueueItem(
            a.title, reverse("analyses:saved", args=[a.pk]), f"{a.get_kind_display()} · {a.scope_unit.name} · {_date(timezone.localtime(a.created_at).date())}"
        )
        for a in saved[:SHOWN]
    ]
    looks = [
        QueueItem(
            e.object_repr or f"{e.object_type} {e.object_id}",
            reverse("audit:entries") + "?kind=person_access",
            f"{timezone.localtime(e.at):%d %b %Y %H:%M} · purpose: {e.purpose[:80]}",
        )
        for e in person_looks_recent(user=user)[:SHOWN]
    ]
    return [
        QueueSection(
            "imports",
            "Imports running or failed",
            imports,
            "No import is running, and none failed in the last month.",
            reverse("events:overview"),
            "Events and imports",
        ),
        QueueSection(
            "saved", "Saved analyses", analyses, "No saved analysis in your units yet.", reverse("analyses:overview"), "Analyses", total=saved.count()
        ),
        QueueSection(
            "victim-focus",
            "Victim Focus",
            [
                QueueItem(
                    "Look up whether a person is a repeat victim in the past 12 months",
                    reverse("events:victim_focus"),
                    "each look is recorded with its purpose",
                )
            ],
            counted=False,
        ),
        QueueSection(
            "looks",
            "Your recent looks at person-level data",
            looks,
            "You have looked at no person-level data in the last 30 days.",
            reverse("audit:entries"),
            "Your audit trail",
        ),
    ]


# --- viewers -----------------------------------------------------------------------------------------------------


def scorecard_for_viewer(user):
    """The scorecard of the viewer's scope (their units, else the national one), through the disclosure gate."""

    units = [u for u in units_in_scope(user=user).order_by("path") if u.level in ("national", "district")]
    if not units:
        units = [default_unit_for(user=user)]
    return scorecard_for(user=user, units=units[:6], with_intervals=False)


# --- the queue of each role --------------------------------------------------------------------------------------


def work_queue(user, *, today: dt.date | None = None) -> list[QueueSection]:
    """The sections of the user's home page, in order; a user who owns open cases also sees them, whatever their role."""
    today = today or timezone.localdate()
    role = scope_of(user).role
    sections: list[QueueSection] = []
    if role == Role.PROGRAMME_MANAGER:
        sections += strategy_sections(user, role)
        sections += [_returns_awaiting(user), _newly_off_track(user)]
    elif role == Role.REGIONAL_COORDINATOR:
        districts = [u for u in units_in_scope(user=user) if u.level == "district"]
        sections += strategy_sections(user, role)
        sections += [_returns_awaiting(user), _off_track(user, units=districts, title="Your districts' indicators off track")]
    elif role == Role.PROVIDER_REPORTER:
        sections += _returns_owed(user, today)
    elif role == Role.ANALYST:
        sections += _analyst(user)
    elif role == Role.TC_MEMBER:
        sections += _tasking(user, today)
    if role is not None:
        sections += _cases(user, today)
    return sections


def _activities(user, today: dt.date) -> QueueSection:

    items = []
    for plan in action_plan_list(user=user).filter(status=PlanStatus.ACTIVE, scope_unit__level="national").order_by("-year"):
        activities = list(activity_list(user=user, plan=plan))
        flags = activity_flags(user=user, activities=activities, today=today)
        for activity in activities:
            flag = flags[activity.pk]
            reasons = []
            if flag.overdue_milestones:
                n = len(flag.overdue_milestones)
                reasons.append(f"{n} milestone{'s' if n != 1 else ''} overdue")
            if flag.stale:
                reasons.append(f"no update for {flag.days_without_update} days")
            if activity.status in (ActivityStatus.AT_RISK, ActivityStatus.OFF_TRACK):
                reasons.insert(0, activity.get_status_display().lower())
            if not reasons:
                continue
            items.append(
                QueueItem(
                    f"{plan.title}: {activity}",
                    reverse("strategy:activity", args=[plan.code, activity.number]),
                    "; ".join(reasons),
                    activity.get_status_display().lower() if activity.status in (ActivityStatus.AT_RISK, ActivityStatus.OFF_TRACK) else "",
                    "bad" if activity.status == ActivityStatus.OFF_TRACK else "approx",
                )
            )
    return QueueSection(
        "activities", "Activities needing attention", items, "No activity of the action plan needs attention.", reverse("strategy:overview"), "The action plan"
    )


def _barrier_item(b, detail: str) -> QueueItem:
    return QueueItem(
        f"{b.title} · {b.unit.name}", reverse("strategy:barrier", args=[b.pk]), detail, b.get_severity_display().lower(), "bad" if b.severity >= 3 else "approx"
    )


def _barriers_awaiting(user) -> QueueSection:

    items = [
        _barrier_item(b, f"escalated {_date(timezone.localtime(b.escalated_at).date()) if b.escalated_at else ''}") for b in barriers_awaiting_centre(user=user)
    ]
    return QueueSection(
        "barriers-awaiting",
        "Barriers escalated to the centre, awaiting an answer",
        items,
        "No escalated barrier awaits the centre.",
        reverse("strategy:barriers"),
        "The barrier register",
    )


def _barriers_mine(user) -> QueueSection:

    items = []
    for b in barriers_raised_by(user=user):
        if b.response:
            detail = f"the centre answered {_date(timezone.localtime(b.responded_at).date()) if b.responded_at else ''}: {b.response[:140]}"
        else:
            detail = b.get_status_display()
        items.append(_barrier_item(b, detail))
    return QueueSection(
        "barriers-mine",
        "Barriers you raised, and the centre's answers",
        items,
        "You have no open barrier.",
        reverse("strategy:barriers"),
        "The barrier register",
    )


def _plan_gaps(user) -> QueueSection:

    items = []
    for plan, version, steps in plan_gaps(user=user):
        for step in steps:
            lacks = "; ".join(g.message for g in step.gaps[:3]) + (f"; and {len(step.gaps) - 3} more" if len(step.gaps) > 3 else "")
            items.append(
                QueueItem(
                    f"{plan.title} (v{version.number}) · step {step.number}, {step.title}",
                    reverse("strategy:plan_step", args=[plan.code, step.number]),
                    lacks,
                    "blocks agreement" if step.blocking else "",
                    "bad" if step.blocking else "",
                )
            )
    return QueueSection(
        "plan-gaps", "Your plans' open gaps", items, "Your plans lack nothing in any co-design step.", reverse("strategy:district_plans"), "District plans"
    )


def strategy_sections(user, role: str) -> list[QueueSection]:
    """The strategy capability's part of the programme's queues (activities, barriers, plans' gaps)."""
    today = timezone.localdate()
    if role == Role.PROGRAMME_MANAGER:
        return [_activities(user, today), _barriers_awaiting(user)]
    if role == Role.REGIONAL_COORDINATOR:
        return [_plan_gaps(user), _barriers_mine(user)]
    return []
