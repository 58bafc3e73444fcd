"""Pages of the forums' meetings: the list and convening one, a meeting's agenda and minutes, its print page and its
Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from rocc.tasking import exports
from rocc.tasking.forms import (
    MeetingForm,
    MinuteForm,
)
from rocc.tasking.models import DeconflictionAlert
from rocc.tasking.selectors import meetings as meetings_selectors
from rocc.tasking.selectors import reports as reports_selectors
from rocc.tasking.selectors import scope as scope_selectors
from rocc.tasking.selectors import taskings as taskings_selectors
from rocc.tasking.services import meetings as meetings_services
from rocc.tasking.views.common import errors_into, read_allowed, xlsx


@login_required
def meeting_list(request):
    read_allowed(request)
    forums = scope_selectors.forums_attended(user=request.user)
    conveners = [f.pk for f in forums if request.user.has_perm("tasking.add_meeting", f)]
    form = MeetingForm(request.POST or None, forums=forums.filter(pk__in=conveners), initial={"held_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                meeting = meetings_services.meeting_create(
                    actor=request.user, forum=form.cleaned_data["forum"], held_on=form.cleaned_data["held_on"], title=form.cleaned_data["title"]
                )
            except ValidationError as error:
                errors_into(form, error)
            else:
                return redirect("tasking:meeting", pk=meeting.pk)
    return render(
        request,
        "tasking/meetings.html",
        {
            "meetings": meetings_selectors.meeting_list(user=request.user),
            "form": form if conveners else None,
        },
        status=status,
    )


def _minute_links(agenda) -> list[tuple[str, str]]:
    links = [(f"report:{r.pk}", f"Report {r.reference}: {r.title}") for r in agenda.new_reports]
    links += [(f"tasking:{t.pk}", f"Tasking {t.reference}: {t.title}") for t in agenda.overdue_taskings]
    links += [(f"alert:{a.pk}", f"Deconfliction alert {a.pk}") for a in agenda.alerts]
    for item in agenda.top_risks:
        if item.kind in {"report", "case"}:
            key = f"{item.kind}:{item.subject.pk}"
            if key not in {k for k, _ in links}:
                links.append((key, f"{item.kind.title()}: {item.subject}"))
    return links


def _meeting_page(request, meeting, *, form=None, status=200, template="tasking/meeting.html"):
    agenda = meetings_selectors.meeting_agenda(user=request.user, meeting=meeting)
    return render(
        request,
        template,
        {
            "meeting": meeting,
            "agenda": agenda,
            "minutes": meeting.minutes.select_related("recorded_by", "report", "tasking", "product", "alert", "case"),
            "may_minute": request.user.has_perm("tasking.minute_meeting", meeting),
            "form": form or MinuteForm(links=_minute_links(agenda)),
        },
        status=status,
    )


@login_required
def meeting_detail(request, pk: int):
    read_allowed(request)
    meeting = meetings_selectors.meeting_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _meeting_page(request, meeting)
    agenda = meetings_selectors.meeting_agenda(user=request.user, meeting=meeting)
    form = MinuteForm(request.POST, links=_minute_links(agenda))
    if not form.is_valid():
        return _meeting_page(request, meeting, form=form, status=400)
    links = {}
    kind, _, ident = form.cleaned_data["decided"].partition(":")
    if kind == "report":
        links["report"] = reports_selectors.report_get(user=request.user, pk=int(ident))
    elif kind == "tasking":
        links["tasking"] = taskings_selectors.tasking_get(user=request.user, pk=int(ident))
    elif kind == "alert":
        links["alert"] = DeconflictionAlert.objects.get(pk=int(ident))
    elif kind == "case":
        links["case"] = scope_selectors.cases_visible(user=request.user).get(pk=int(ident))
    try:
        meetings_services.minute_record(actor=request.user, meeting=meeting, decision=form.cleaned_data["decision"], **links)
    except ValidationError as error:
        errors_into(form, error)
        return _meeting_page(request, meeting, form=form, status=400)
    messages.success(request, "Decision minuted.")
    return redirect("tasking:meeting", pk=pk)


@login_required
def meeting_print(request, pk: int):
    read_allowed(request)
    return _meeting_page(request, meetings_selectors.meeting_get(user=request.user, pk=pk), template="tasking/meeting_print.html")


@login_required
def meeting_export(request, pk: int):
    read_allowed(request)
    meeting = meetings_selectors.meeting_get(user=request.user, pk=pk)
    return xlsx(exports.agenda_workbook(user=request.user, meeting=meeting), f"agenda-{meeting.forum.code}-{meeting.held_on:%Y-%m-%d}.xlsx")
