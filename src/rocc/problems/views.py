"""Pages of the problems capability: the board, opening a case, a case and its stages, printing and Excel,
the library of closed cases, and the question bank."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rocc.problems import exports, forms, selectors, services
from rocc.problems.models import STAGE_ORDER, CaseStatus, Evidence, HarmOrVolume, ProblemKind, Stage, VipersComponent
from rocc.problems.rules import advance_closes, may_advance_case, may_change_case, may_send_case_back
from rocc.tasking.views.deconfliction import targets_panel
from rocc.tasking.views.milestones import deploy_taskings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read(request) -> None:
    if not request.user.has_perm("org.view_reference"):
        raise PermissionDenied


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def overview(request):
    """The board: open cases by district and stage."""
    _read(request)
    board = selectors.case_board(
        user=request.user,
        owner=_int(request.GET.get("owner")),
        harm=request.GET.get("harm", ""),
        overdue=request.GET.get("overdue") == "1",
        district=request.GET.get("district", ""),
    )
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(exports.board_workbook(board), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="problem-solving-board.xlsx"'
        return response
    districts = sorted({(c.district.code, c.district.name) for c in board.cases if c.district})
    return render(
        request,
        "problems/board.html",
        {
            "board": board,
            "stages": Stage.choices,
            "harms": HarmOrVolume.choices,
            "districts": districts,
            "may_open": any(True for _ in forms.CaseOpenForm(user=request.user).fields["scope_unit"].queryset[:1]),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def case_new(request):
    _read(request)
    form = forms.CaseOpenForm(request.POST or None, user=request.user)
    if not form.fields["scope_unit"].queryset.exists():
        raise PermissionDenied("Your role does not open problem-solving cases.")
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Case “{case.title}” opened at Problem scan.")
            return redirect("problems:case", pk=case.pk)
    return render(request, "problems/case_new.html", {"form": form}, status=400 if form.errors else 200)


def _add_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _case_context(request, case) -> dict:
    user = request.user
    return {
        "case": case,
        "may_work": may_change_case(user, case),
        "may_advance": may_advance_case(user, case),
        "may_go_back": may_send_case_back(user, case),
        "advance_closes": advance_closes(case),
        "stages": [(value, label, i) for i, (value, label) in enumerate(Stage.choices)],
        "stage_order": STAGE_ORDER,
        "flags": selectors.case_flags([case])[0],
    }


@login_required
def case_detail(request, pk: int):
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    context = _case_context(request, case)
    context.update(
        {
            "missing": selectors.stage_missing(case) if not case.is_closed else [],
            "moves": case.moves.select_related("moved_by"),
            "general_form": forms.GeneralForm(
                case=case,
                prefix="g",
                initial={
                    "version": case.version,
                    "title": case.title,
                    "description": case.description,
                    "owner": case.owner_id,
                    "partner_agencies": list(case.partner_agencies.all()),
                    "partner_others": case.partner_others,
                },
            ),
            "version_form": forms.VersionForm(initial={"version": case.version}),
            "back_form": forms.BackForm(prefix="b", initial={"version": case.version}),
            "partners": case.partner_agencies.all(),
            "sources": selectors.case_sources(user=request.user, case=case),
            "carried": selectors.case_carried_evidence(user=request.user, case=case),
            **targets_panel(user=request.user, subject=case),
        }
    )
    return render(request, "problems/case.html", context)


SECTION_FORMS = {
    Stage.SCAN: forms.ScanForm,
    Stage.NOMINATE: forms.NominateForm,
    Stage.DEPLOY: forms.DeployForm,
    Stage.ASSESS: forms.AssessForm,
}


def _stage_forms(case, stage: str, questions, data=None) -> dict:
    """The one form of a stage page, in parts: the case's version, the stage's facts, the VIPERS components (Nominate)
    and the answers. They are saved together, so nothing typed in one part is lost by saving another."""
    section_class = SECTION_FORMS.get(stage)
    section_initial = {}
    if section_class is not None:
        for name in section_class.base_fields:
            if name == "usable_elsewhere":
                section_initial[name] = {True: "yes", False: "no"}.get(case.usable_elsewhere, "")
            else:
                section_initial[name] = getattr(case, f"{name}_id" if name == "comparison_unit" else name)
    components = {c.component: c.description for c in case.strategy_components.all()}
    return {
        "stage_version_form": forms.VersionForm(data, prefix="stage", initial={"version": case.version}),
        "section_form": section_class(data, prefix="s", initial=section_initial) if section_class else None,
        "vipers_form": forms.VipersForm(data, prefix="v", initial_components=components) if stage == Stage.NOMINATE else None,
        "answers_form": forms.AnswersForm(data, questions=questions, prefix="a"),
    }


def _stage_page(request, case, stage: str, *, bound: dict | None = None, status: int = 200):
    if stage not in STAGE_ORDER:
        raise Http404("No such stage")
    bound = bound or {}
    questions = selectors.case_questions(case, stage, user=request.user)
    context = _case_context(request, case)
    reached = STAGE_ORDER.index(stage) <= case.stage_index
    catalogue = selectors.indicator_catalogue(user=request.user)
    evidence_forms = {
        view.question.pk: forms.EvidenceForm(analyses=selectors.saved_analyses_for(user=request.user), prefix=f"e{view.question.pk}")
        for view in questions
        if view.answer
    }
    if "evidence" in bound:
        evidence_forms[bound["evidence_question"]] = bound["evidence"]
    milestones = list(case.milestones.select_related("tasking__owner"))
    context.update(
        {
            "stage": stage,
            "stage_label": Stage(stage).label,
            "reached": reached,
            "purpose": case.question_bank.purposes.get(stage, ""),
            "questions": questions,
            "missing": selectors.stage_missing(case, stage) if reached and not case.is_closed else [],
            **(bound.get("stage_forms") or _stage_forms(case, stage, questions)),
            "evidence_forms": evidence_forms,
            "carried": selectors.case_carried_evidence(user=request.user, case=case),
            "catalogue": catalogue,
            "lead_form": bound.get("lead") or forms.LeadMeasureForm(prefix="l"),
            "milestone_form": bound.get("milestone") or forms.MilestoneForm(prefix="m"),
            "review_form": bound.get("review") or forms.ReviewForm(prefix="r"),
            "outcome_form": bound.get("outcome") or forms.OutcomeMeasureForm(prefix="o", catalogue=catalogue),
            "figure_form": bound.get("figure") or forms.CommunityFigureForm(prefix="f"),
            "components": case.strategy_components.all(),
            "lead_measures": case.lead_measures.all(),
            "milestones": milestones,
            "reviews": case.reviews.select_related("recorded_by"),
            **(deploy_taskings(user=request.user, case=case, milestones=milestones) if stage == Stage.DEPLOY else {}),
            "outcomes": exports.outcome_rows(case, user=request.user),
            "figures": exports.community_rows(case, user=request.user),
            "errors": bound.get("errors", []),
        }
    )
    return render(request, "problems/stage.html", context, status=status)


@login_required
def case_stage(request, pk: int, stage: str):
    _read(request)
    return _stage_page(request, selectors.case_get(user=request.user, pk=pk), stage)


def _refused(request, case, stage: str | None, error: Exception, bound: dict | None = None):
    """Show why a write was refused, on the page it came from, with nothing saved."""
    bound = dict(bound or {})
    if isinstance(error, services.GateClosed):
        bound["errors"] = [f"{Stage(case.stage).label} is not finished, so the case stays at this stage. Still needed:"] + error.missing
        status = 400
    elif isinstance(error, (services.CaseChanged, services.CaseClosed)):
        bound["errors"] = [error.message]
        status = 409
    elif isinstance(error, PermissionDenied):
        raise error
    else:
        bound["errors"] = [f"{problem}" for problems in error.message_dict.values() for problem in problems]
        status = 400
    case.refresh_from_db()
    if stage is None:
        messages.error(request, " ".join(bound["errors"][:1]))
        context = _case_context(request, case)
        context.update(
            {
                "missing": selectors.stage_missing(case) if not case.is_closed else [],
                "errors": bound["errors"],
                "moves": case.moves.select_related("moved_by"),
                "partners": case.partner_agencies.all(),
                "general_form": bound.get("general")
                or forms.GeneralForm(case=case, prefix="g", initial={"version": case.version, "title": case.title, "owner": case.owner_id}),
                "version_form": forms.VersionForm(initial={"version": case.version}),
                "back_form": bound.get("back") or forms.BackForm(prefix="b", initial={"version": case.version}),
            }
        )
        return render(request, "problems/case.html", context, status=status)
    return _stage_page(request, case, stage, bound=bound, status=status)


def _done(request, case, stage: str | None, message: str):
    messages.success(request, message)
    if stage:
        return redirect("problems:stage", pk=case.pk, stage=stage)
    return redirect("problems:case", pk=case.pk)


@login_required
@require_POST
def case_move(request, pk: int, direction: str):
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    form = forms.BackForm(request.POST, prefix="b") if direction == "back" else forms.VersionForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, None, ValidationError({"reason": "Say why the case is going back a stage."}), {"back": form})
    try:
        if direction == "back":
            services.case_back(actor=request.user, case=case, version=form.cleaned_data["version"], reason=form.cleaned_data["reason"])
        elif direction == "advance":
            services.case_advance(actor=request.user, case=case, version=form.cleaned_data["version"])
        else:
            raise Http404("No such move")
    except (services.GateClosed, services.CaseChanged, services.CaseClosed, ValidationError) as error:
        on_stage_page = request.POST.get("on") == "stage" and direction == "advance"
        return _refused(request, case, case.stage if on_stage_page else None, error, {"back": form} if direction == "back" else None)
    case.refresh_from_db()
    if case.is_closed:
        return _done(request, case, None, "The case is assessed and closed; it is now in the library of closed cases.")
    return _done(request, case, case.stage if request.POST.get("on") == "stage" else None, f"The case is now at {Stage(case.stage).label}.")


@login_required
@require_POST
def case_general(request, pk: int):
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    form = forms.GeneralForm(request.POST, case=case, prefix="g")
    if not form.is_valid():
        return _refused(request, case, None, ValidationError({k: list(v) for k, v in form.errors.items()}), {"general": form})
    data = dict(form.cleaned_data)
    try:
        services.case_update(actor=request.user, case=case, **data)
    except (services.CaseChanged, services.CaseClosed, ValidationError) as error:
        return _refused(request, case, None, error, {"general": form})
    return _done(request, case, None, "Case details saved.")


@login_required
@require_POST
def case_stage_save(request, pk: int, stage: str):
    """Save a stage page's one form — facts, VIPERS components and answers — as one change. When anything is refused,
    nothing is saved and the page comes back with everything as it was typed."""
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    if stage not in STAGE_ORDER:
        raise Http404("No such stage")
    parts = _stage_forms(case, stage, selectors.case_questions(case, stage, user=request.user), data=request.POST)
    bound = {"stage_forms": parts}
    filled = [form for form in parts.values() if form is not None]
    if not all(form.is_valid() for form in filled):
        return _stage_page(request, case, stage, bound={**bound, "errors": ["Check the highlighted fields."]}, status=400)
    answers_form = parts["answers_form"]
    try:
        services.case_stage_save(
            actor=request.user,
            case=case,
            version=parts["stage_version_form"].cleaned_data["version"],
            stage=stage,
            changes=dict(parts["section_form"].cleaned_data) if parts["section_form"] else {},
            components=dict(parts["vipers_form"].cleaned_data) if parts["vipers_form"] else {},
            answers={field.question.pk: answers_form.cleaned_data[name] for name, field in answers_form.fields.items()},
        )
    except (services.CaseChanged, services.CaseClosed, ValidationError) as error:
        return _refused(request, case, stage, error, bound)
    return _done(request, case, stage, "Saved.")


@login_required
@require_POST
def evidence_add(request, pk: int, stage: str, question_id: int):
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    question = case.question_bank.questions.filter(pk=question_id).first()
    if question is None:
        raise Http404("No such question")
    form = forms.EvidenceForm(request.POST, request.FILES, analyses=selectors.saved_analyses_for(user=request.user), prefix=f"e{question_id}")
    bound = {"evidence": form, "evidence_question": question_id}
    if not form.is_valid():
        return _stage_page(request, case, stage, bound={**bound, "errors": ["Check the evidence you entered."]}, status=400)
    data = dict(form.cleaned_data)
    upload = data.pop("file")
    try:
        services.evidence_add(actor=request.user, case=case, question=question, upload=(upload.name, upload.read()) if upload else None, **data)
    except (services.CaseChanged, services.CaseClosed, ValidationError) as error:
        return _refused(request, case, stage, error, bound)
    return _done(request, case, stage, "Evidence added.")


@login_required
@require_POST
def evidence_cite(request, pk: int, stage: str, question_id: int):
    """Cite evidence the case carried with it under one question's answer."""
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    question = case.question_bank.questions.filter(pk=question_id).first()
    evidence_id = _int(request.POST.get("evidence"))
    if question is None:
        raise Http404("No such question")
    try:
        services.evidence_cite(actor=request.user, case=case, evidence_id=evidence_id or 0, question=question)
    except (services.CaseChanged, services.CaseClosed, ValidationError) as error:
        return _refused(request, case, stage, error)
    return _done(request, case, stage, "Evidence cited.")


@login_required
def evidence_file(request, pk: int, evidence_id: int):
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    evidence = Evidence.objects.filter(pk=evidence_id, case=case).exclude(file_path="").first()
    if evidence is None:
        raise Http404("No such document")
    path = services.document_path(evidence)
    if not path.exists():
        raise Http404("The document's file is missing from the data directory")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name.split("-", 1)[-1])


# Forms that add one entry to a stage, with the service that records it. (The stage's facts, VIPERS components and
# answers are one form: ``case_stage_save``.)
ADDERS = {
    "lead": (
        Stage.NOMINATE,
        lambda post, case, user: forms.LeadMeasureForm(post, prefix="l"),
        lambda user, case, data: services.lead_measure_add(actor=user, case=case, **data),
        "Lead measure added.",
    ),
    "milestone": (
        Stage.DEPLOY,
        lambda post, case, user: forms.MilestoneForm(post, prefix="m"),
        lambda user, case, data: services.milestone_add(actor=user, case=case, **data),
        "Milestone added.",
    ),
    "review": (
        Stage.DEPLOY,
        lambda post, case, user: forms.ReviewForm(post, prefix="r"),
        lambda user, case, data: services.review_record(actor=user, case=case, **data),
        "Review recorded.",
    ),
    "outcome": (
        Stage.ASSESS,
        lambda post, case, user: forms.OutcomeMeasureForm(post, prefix="o", catalogue=selectors.indicator_catalogue(user=user)),
        lambda user, case, data: services.outcome_measure_add(actor=user, case=case, **data),
        "Outcome measure added.",
    ),
    "figure": (
        Stage.ASSESS,
        lambda post, case, user: forms.CommunityFigureForm(post, prefix="f"),
        lambda user, case, data: services.community_figure_add(actor=user, case=case, **data),
        "Figure added.",
    ),
}


@login_required
@require_POST
def case_add(request, pk: int, what: str):
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    if what not in ADDERS:
        raise Http404("Nothing to add here")
    stage, make_form, record, message = ADDERS[what]
    form = make_form(request.POST, case, request.user)
    if not form.is_valid():
        return _stage_page(request, case, stage, bound={what: form, "errors": ["Check the highlighted fields."]}, status=400)
    try:
        record(request.user, case, form.cleaned_data)
    except (services.CaseChanged, services.CaseClosed, ValidationError) as error:
        return _refused(request, case, stage, error, {what: form})
    return _done(request, case, stage, message)


@login_required
@require_POST
def milestone_done(request, pk: int, milestone_id: int):
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    milestone = case.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404("No such milestone")
    try:
        services.milestone_done(actor=request.user, milestone=milestone, result=request.POST.get("result", ""))
    except (services.CaseClosed, ValidationError, PermissionDenied) as error:
        return _refused(request, case, Stage.DEPLOY, error)
    return _done(request, case, Stage.DEPLOY, f"Milestone “{milestone.description}” marked done.")


@login_required
def case_print(request, pk: int):
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    return render(
        request,
        "problems/case_print.html",
        {"case": case, **exports.case_sections(case, user=request.user), "catalogue": selectors.indicator_catalogue(user=request.user)},
    )


@login_required
def case_export(request, pk: int):
    _read(request)
    case = selectors.case_get(user=request.user, pk=pk)
    response = HttpResponse(exports.case_workbook(case, user=request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="case-{case.pk}.xlsx"'
    return response


@login_required
def library(request):
    if not request.user.has_perm("problems.view_library"):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    usable = {"yes": True, "no": False}.get(request.GET.get("usable", ""))
    cases = selectors.case_library(user=request.user, query=query, problem_kind=kind if kind in ProblemKind.values else "", usable_elsewhere=usable)
    visible = set(selectors.cases_visible_to(request.user).filter(status=CaseStatus.CLOSED).values_list("pk", flat=True))
    return render(
        request,
        "problems/library.html",
        {
            "cases": cases,
            "q": query,
            "kind": kind,
            "usable": request.GET.get("usable", ""),
            "kinds": ProblemKind.choices,
            "visible": visible,
            "vipers": dict(VipersComponent.choices),
        },
    )


@login_required
def questions(request):
    _read(request)
    banks = list(selectors.question_bank_list())
    current = next((b for b in banks if b.is_current), None)
    rows = [(label, [q for q in current.questions.all() if q.stage == value]) for value, label in Stage.choices] if current else []
    return render(
        request,
        "problems/questions.html",
        {
            "banks": banks,
            "current": current,
            "rows": rows,
            "may_revise": request.user.has_perm("problems.manage_questions"),
        },
    )


@login_required
def questions_revise(request):
    if not request.user.has_perm("problems.manage_questions"):
        raise PermissionDenied("Only administrators revise the question bank.")
    current = services.question_bank_current()
    initial = [{"stage": q.stage, "text": q.text, "required": q.required, "fact": q.fact} for q in current.questions.order_by("order")]
    formset = forms.QuestionRowFormSet(request.POST or None, initial=initial)
    note_error = ""
    if request.method == "POST" and formset.is_valid():
        specs = [
            services.QuestionSpec(stage=row["stage"], text=row["text"], required=row["required"], fact=row["fact"])
            for row in formset.cleaned_data
            if row and row.get("text", "").strip()
        ]
        try:
            bank = services.question_bank_revise(actor=request.user, questions=specs, note=request.POST.get("note", ""))
        except ValidationError as error:
            note_error = " ".join(p for problems in error.message_dict.values() for p in problems)
        else:
            messages.success(request, f"Question bank version {bank.version} published; open cases keep the version they were opened under.")
            return redirect("problems:questions")
    return render(
        request,
        "problems/questions_revise.html",
        {"formset": formset, "current": current, "note_error": note_error, "note": request.POST.get("note", "")},
        status=400 if note_error or formset.errors and any(formset.errors) else 200,
    )
