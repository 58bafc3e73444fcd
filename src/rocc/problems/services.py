"""Every write to problem-solving cases: the question bank, opening a case, answers and evidence, stage gates,
the nominated strategy, deployment, assessment, and the rules that hold for all of them (scope, closed cases
are read-only, a stale version is refused)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.library import analysis_module
from rocc.audit.services import shipped_content_load
from rocc.core.errors import Conflict, InvalidInput, StaleRecord
from rocc.core.text import fold, nfc
from rocc.measures.models import Indicator
from rocc.org.models import OrgUnit, Population, UnitLevel
from rocc.org.scope import scope_of
from rocc.problems.models import (
    STAGE_ORDER,
    Agreement,
    Answer,
    Case,
    CaseStatus,
    CommunityImpactFigure,
    Evidence,
    EvidenceKind,
    Fact,
    HarmOrVolume,
    LeadMeasure,
    Milestone,
    OutcomeMeasure,
    ProblemKind,
    Question,
    QuestionBank,
    Review,
    ReviewCycle,
    Stage,
    StageMove,
    StrategyComponent,
    TimePattern,
    VipersComponent,
    case_moves,
)
from rocc.problems.rules import forward_move
from rocc.problems.selectors import indicator_catalogue, outcome_figures_from_measures, saved_analyses_for, stage_missing
from rocc.tasking.models import CLOSED_TASKING_STATUSES, InsightsProduct, InsightsReport, TaskingStatus
from rocc.tasking.selectors import products as products_selectors
from rocc.tasking.selectors import reports as reports_selectors
from rocc.tasking.services.deconfliction import targets_carry
from rocc.tasking.services.taskings import tasking_update

DEFAULTS_FILE = "questions.yaml"
DOCUMENTS_DIR = "problems/documents"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class CaseChanged(StaleRecord):
    """A write based on a version of the case that someone has changed since."""

    def __init__(self, case: Case):
        self.case = case
        super().__init__(
            changed_by=case.changed_by,
            changed_at=case.updated_at,
            message=(
                f"This case changed since you opened it (by {self.who(case.changed_by)} at {self.when(case.updated_at)}); "
                "nothing was saved. Reload to see the changes, then try again."
            ),
        )


class CaseClosed(Conflict):
    """A write to a closed case: closed cases are the library's record and stay as they were assessed."""

    def __init__(self, case: Case):
        closed = timezone.localtime(case.closed_at).strftime("%d %b %Y") if case.closed_at else "earlier"
        super().__init__(f"This case was assessed and closed on {closed}; it is read-only and nothing was changed.")


class GateClosed(InvalidInput):
    """The case cannot leave its stage: ``missing`` lists each thing still to do."""

    def __init__(self, case: Case, missing: list[str]):
        self.case, self.missing = case, missing
        label = Stage(case.stage).label
        super().__init__(f"{label} is not finished, so the case stays at this stage. Still needed: " + "; ".join(missing))

    def answer(self) -> dict:
        return {**super().answer(), "missing": self.missing}


# --------------------------------------------------------------------------------------------------
# The question bank


@dataclass(frozen=True)
class QuestionSpec:
    stage: str
    text: str
    required: bool = True
    fact: str = ""
    help_text: str = ""


@dataclass(frozen=True)
class ProblemsDefaultsLoaded:
    bank_version: int
    questions: int
    created: bool


def _questions_create(bank: QuestionBank, specs: list[QuestionSpec]) -> None:
    errors: dict[str, list[str]] = {}
    for number, spec in enumerate(specs, start=1):
        if spec.stage not in STAGE_ORDER:
            errors.setdefault("questions", []).append(f"Question {number}: unknown stage '{spec.stage}' (expected {', '.join(STAGE_ORDER)}).")
        if not nfc(spec.text):
            errors.setdefault("questions", []).append(f"Question {number}: the text is empty.")
        if spec.fact and spec.fact not in Fact.values:
            errors.setdefault("questions", []).append(f"Question {number}: unknown fact '{spec.fact}' (expected one of {', '.join(Fact.values)}).")
    stages_present = {spec.stage for spec in specs}
    for stage in STAGE_ORDER:
        if stage not in stages_present:
            errors.setdefault("questions", []).append(f"{Stage(stage).label} has no questions; every stage needs at least one.")
    if errors:
        raise ValidationError(errors)
    order: dict[str, int] = {}
    for spec in specs:
        order[spec.stage] = order.get(spec.stage, 0) + 1
        Question.objects.create(
            bank=bank,
            stage=spec.stage,
            order=STAGE_ORDER.index(spec.stage) * 100 + order[spec.stage],
            text=spec.text,
            required=spec.required,
            fact=spec.fact,
            help_text=spec.help_text,
        )


def _default_bank() -> tuple[dict[str, str], list[QuestionSpec]]:
    text = resources.files("rocc.problems").joinpath("defaults", DEFAULTS_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    purposes, specs = {}, []
    for stage, content in data["stages"].items():
        purposes[stage] = nfc(" ".join(content["purpose"].split()))
        for q in content["questions"]:
            specs.append(QuestionSpec(stage=stage, text=nfc(q["text"]), required=q.get("required", True), fact=q.get("fact", "")))
    return purposes, specs


@shipped_content_load
def problems_defaults_load() -> ProblemsDefaultsLoaded:
    """Ship the PANDA guiding questions as version 1 of the question bank. Loading again changes nothing,
    and never replaces a bank that administrators have revised."""
    existing = QuestionBank.objects.filter(version=1).first()
    if existing is not None:
        return ProblemsDefaultsLoaded(bank_version=1, questions=existing.questions.count(), created=False)
    purposes, specs = _default_bank()
    bank = QuestionBank.objects.create(
        version=1,
        note="The PANDA guiding questions as shipped",
        purposes=purposes,
        is_current=not QuestionBank.objects.filter(is_current=True).exists(),
    )
    _questions_create(bank, specs)
    return ProblemsDefaultsLoaded(bank_version=1, questions=len(specs), created=True)


def question_bank_current() -> QuestionBank:
    bank = QuestionBank.objects.filter(is_current=True).first()
    if bank is None:
        problems_defaults_load()
        bank = QuestionBank.objects.get(is_current=True)
    return bank


@transaction.atomic
def question_bank_revise(*, actor, questions: list[QuestionSpec], note: str, purposes: dict[str, str] | None = None) -> QuestionBank:
    """Publish a new version of the questions. Cases already open keep the version they were opened under;
    cases opened from now on use this one."""
    if not actor.has_perm("problems.manage_questions"):
        raise PermissionDenied("Only administrators revise the question bank.")
    if not nfc(note):
        raise ValidationError({"note": "Say what changed in this version."})
    current = QuestionBank.objects.select_for_update().filter(is_current=True).first()
    latest = QuestionBank.objects.order_by("-version").first()
    version = (latest.version if latest else 0) + 1
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    bank = QuestionBank.objects.create(
        version=version,
        note=nfc(note),
        is_current=True,
        created_by=actor,
        purposes=purposes if purposes is not None else (current.purposes if current else {}),
    )
    _questions_create(bank, questions)
    return bank


# --------------------------------------------------------------------------------------------------
# Rules every case write shares


def _lock(case: Case, *, actor, version: int | None) -> Case:
    """The case row, locked for this transaction, after checking who may write and that it is still open and current."""
    if not actor.has_perm("problems.work_on_case", case):
        raise PermissionDenied(
            "You may read this case but not change it: that is for its owner, the unit's coordinators and analysts, and the programme office."
        )
    current = Case.objects.select_for_update(of=("self",)).select_related("changed_by", "scope_unit").get(pk=case.pk)
    if current.is_closed:
        raise CaseClosed(current)
    if version is not None and current.version != version:
        raise CaseChanged(current)
    return current


def _search_text(case: Case) -> str:
    parts = [
        case.title,
        case.description,
        case.problem_type,
        case.get_problem_kind_display() if case.problem_kind else "",
        case.scope_unit.name,
        case.what_worked,
        case.lessons_learned,
        case.usable_elsewhere_note,
        case.partner_others,
    ]
    parts += [c.description for c in case.strategy_components.all()]
    parts += [a.name for a in case.partner_agencies.all()]
    return fold(" ".join(p for p in parts if p))


def _touch(case: Case, actor) -> None:
    case.version += 1
    case.changed_by = actor
    case.search_text = _search_text(case)
    case.save()


def _required_text(value: str | None, field: str, message: str) -> str:
    value = nfc(value or "")
    if not value:
        raise ValidationError({field: message})
    return value


# --------------------------------------------------------------------------------------------------
# Opening and editing a case


def _check_owner(owner, unit: OrgUnit) -> None:
    scope = scope_of(owner)
    if scope.role is None or scope.role == "provider_reporter" or not scope.covers(unit.path):
        raise ValidationError({"owner": f"The owner must be a rocc user who works in {unit.name} (or above it)."})


@transaction.atomic
def case_open(
    *,
    actor,
    title: str,
    description: str,
    scope_unit: OrgUnit,
    owner,
    source_report: InsightsReport | None = None,
    source_product: InsightsProduct | None = None,
) -> Case:
    """Open a case at Problem scan, under the current question bank; ``source_report``/``source_product`` link the
    insights it was opened from (``case_open_from`` also carries their evidence and targets)."""
    if not actor.has_perm("problems.open_case", scope_unit):
        raise PermissionDenied(f"You may not open a case in {scope_unit.name}.")
    title = _required_text(title, "title", "Give the case a title.")
    if owner is None:
        raise ValidationError({"owner": "Name the case's owner."})
    _check_owner(owner, scope_unit)
    case = Case.objects.create(
        title=title,
        description=nfc(description or ""),
        scope_unit=scope_unit,
        owner=owner,
        question_bank=question_bank_current(),
        source_report=source_report,
        source_product=source_product,
        changed_by=actor,
    )
    StageMove.objects.create(case=case, kind=StageMove.Kind.OPENED, to_stage=Stage.SCAN, moved_by=actor)
    case.search_text = _search_text(case)
    case.save(update_fields=["search_text"])
    return case


def _source_unit(report: InsightsReport | None, product: InsightsProduct | None) -> OrgUnit | None:
    """Where a case opened from insights sits: the district a report was routed to (narrowed to the area its products
    all come from, when they come from one area of it), else a district product's unit, else the national unit."""
    forum = report.current_forum if report is not None else None
    if report is not None and forum is not None and forum.scope_unit.level != UnitLevel.NATIONAL:
        district = forum.scope_unit
        units = {p.source_unit for p in report.products.select_related("source_unit")}
        if len(units) == 1 and (only := units.pop()) is not None and only.path.startswith(district.path):
            return only
        return district
    if product is not None and product.source_unit_id:
        return product.source_unit
    return OrgUnit.objects.filter(level=UnitLevel.NATIONAL).first()


def case_unit_for_source(*, report: InsightsReport | None = None, product: InsightsProduct | None = None) -> OrgUnit | None:
    """The unit ``case_open_from`` opens the case in, so a page can ask the rule before offering the button."""
    return _source_unit(report, product)


@transaction.atomic
def case_open_from(*, actor, report: InsightsReport | None = None, product: InsightsProduct | None = None, owner=None) -> Case:
    """Open a case from an OCCC insights report or an insights product: its source is a link, and the evidence travels
    with the problem — the saved analyses of the product (or of every product of the report) become the case's
    evidence, and their deconfliction targets become the case's. Only analyses and products the opener may see are
    carried; the case records which product or report each came with."""
    if (report is None) == (product is None):
        raise ValidationError({"source": "Open the case from one report or one product."})
    if report is not None and not reports_selectors.report_list(user=actor).filter(pk=report.pk).exists():
        raise PermissionDenied("That report is outside your scope.")
    if product is not None and not products_selectors.product_list(user=actor).filter(pk=product.pk).exists():
        raise PermissionDenied("That product is outside your scope.")
    unit = _source_unit(report, product)
    if unit is None:
        raise ValidationError({"scope_unit": "There is no national unit to open the case in: load the defaults."})
    source = report if report is not None else product
    assert source is not None
    case = case_open(
        actor=actor, title=source.title, description=source.summary, scope_unit=unit, owner=owner or actor, source_report=report, source_product=product
    )
    visible_products = products_selectors.product_list(user=actor)
    products = [product] if product is not None else list(visible_products.filter(reports=report).order_by("pk"))
    visible_analyses = saved_analyses_for(user=actor)
    seen: set[int] = set()
    for item in products:
        for analysis in visible_analyses.filter(insights_products=item).order_by("pk"):
            if analysis.pk in seen:
                continue
            seen.add(analysis.pk)
            Evidence.objects.create(case=case, kind=EvidenceKind.ANALYSIS, analysis=analysis, carried_from=item.reference, added_by=actor)
    for item in products:
        item.cases.add(case)
    targets_carry(actor=actor, sources=products, case=case)
    return case


# Fields a case edit may set, with the choices they accept.
CHOICE_FIELDS = {
    "harm_or_volume": HarmOrVolume,
    "problem_kind": ProblemKind,
    "time_pattern": TimePattern,
    "communities_agree_problem": Agreement,
    "communities_agree_drivers": Agreement,
    "review_cycle": ReviewCycle,
}
TEXT_FIELDS = {
    "title",
    "description",
    "problem_type",
    "partner_others",
    "objective_police",
    "objective_community",
    "success_looks_like",
    "cultural_impact",
    "resources",
    "community_impact",
    "lessons_learned",
    "usable_elsewhere_note",
    "what_worked",
}
EDITABLE = set(CHOICE_FIELDS) | TEXT_FIELDS | {"owner", "partner_agencies", "comparison_unit", "usable_elsewhere"}


def _changes_apply(current: Case, changes: dict) -> dict[str, list[str]]:
    """Set the changed fields on the locked case (in memory); every field refused is returned with why."""
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        return {unknown[0]: [f"'{unknown[0]}' cannot be changed here."]}
    errors: dict[str, list[str]] = {}
    for field, value in changes.items():
        if field in CHOICE_FIELDS:
            value = value or ""
            allowed = CHOICE_FIELDS[field]
            blank_ok = field not in {"communities_agree_problem", "communities_agree_drivers"}
            if value not in allowed.values and not (blank_ok and value == ""):
                errors.setdefault(field, []).append(f"'{value}' is not one of: {', '.join(allowed.values)}.")
                continue
            setattr(current, field, value)
        elif field in TEXT_FIELDS:
            setattr(current, field, nfc(value or ""))
        elif field == "owner":
            try:
                _check_owner(value, current.scope_unit)
            except ValidationError as error:
                errors.setdefault("owner", []).extend(error.message_dict["owner"])
                continue
            current.owner = value
        elif field == "comparison_unit":
            if value is not None and value.pk == current.scope_unit_id:
                errors.setdefault(field, []).append("The comparison area must be another unit than the case's own.")
                continue
            current.comparison_unit = value
        elif field == "usable_elsewhere":
            if value not in (True, False, None):
                errors.setdefault(field, []).append("Answer yes, no, or leave it open.")
                continue
            current.usable_elsewhere = value
    if "title" in changes and not current.title:
        errors.setdefault("title", []).append("Give the case a title.")
    return errors


@transaction.atomic
def case_update(*, actor, case: Case, version: int, **changes) -> Case:
    """Change a case's description, scanning facts, partners, strategy, deployment or assessment fields."""
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise ValidationError({unknown[0]: f"'{unknown[0]}' cannot be changed here."})
    current = _lock(case, actor=actor, version=version)
    errors = _changes_apply(current, changes)
    if errors:
        raise ValidationError(errors)
    if "partner_agencies" in changes:
        current.partner_agencies.set(list(changes["partner_agencies"] or []))
    _touch(current, actor)
    return current


@transaction.atomic
def case_stage_save(
    *,
    actor,
    case: Case,
    version: int,
    stage: str,
    changes: dict | None = None,
    answers: dict[int, str] | None = None,
    components: dict[str, str] | None = None,
) -> Case:
    """Save what a stage page holds as one change: its facts (case fields), its strategy's VIPERS components
    (Nominate) and its answers. All of it is saved, or — when anything is refused, or the case changed since
    ``version`` — none of it, with every refused field named."""
    if stage not in STAGE_ORDER:
        raise ValidationError({"stage": f"Unknown stage '{stage}'; expected one of: {', '.join(STAGE_ORDER)}."})
    current = _lock(case, actor=actor, version=version)
    _at_least(current, stage)
    changes, answers, components = changes or {}, answers or {}, components or {}
    errors = _changes_apply(current, changes)
    questions = {q.pk: q for q in Question.objects.filter(bank=current.question_bank_id, pk__in=list(answers))}
    for question_id in answers:
        question = questions.get(question_id)
        if question is None:
            errors.setdefault("question", []).append(f"Question {question_id} is not in this case's question bank.")
        elif question.stage != stage:
            errors.setdefault("question", []).append(f"“{question.text}” is a question of {Stage(question.stage).label}, not of this stage.")
    unknown = sorted(set(components) - set(VipersComponent.values))
    if unknown:
        errors.setdefault("components", []).append(f"'{unknown[0]}' is not a VIPERS component; choose from: {', '.join(VipersComponent.values)}.")
    elif components and stage != Stage.NOMINATE:
        errors.setdefault("components", []).append("The strategy's VIPERS components are set at Nominate a strategy.")
    if errors:
        raise ValidationError(errors)
    if "partner_agencies" in changes:
        current.partner_agencies.set(list(changes["partner_agencies"] or []))
    for question_id, text in answers.items():
        _answer_write(current, questions[question_id], text, actor)
    for component, description in components.items():
        _component_write(current, component, description)
    _touch(current, actor)
    return current


# --------------------------------------------------------------------------------------------------
# Answers and evidence


def _question_of(case: Case, question: Question) -> Question:
    if question.bank_id != case.question_bank_id:
        raise ValidationError({"question": "That question belongs to another version of the question bank than this case's."})
    if STAGE_ORDER.index(question.stage) > case.stage_index:
        raise ValidationError({"question": f"That question is for {Stage(question.stage).label}, which this case has not reached yet."})
    return question


def _text_entry_write(model, *, where: dict, field: str, text: str, **on_write):
    """Keep one text entry (an answer, a VIPERS component) as typed: an empty text removes it, a new one creates it,
    a changed one is saved with ``on_write``; an unchanged one is left as it is."""
    text = nfc(text or "")
    entry = model.objects.filter(**where).first()
    if not text:
        if entry is not None:
            entry.delete()
        return None
    if entry is None:
        return model.objects.create(**where, **{field: text}, **on_write)
    if getattr(entry, field) != text:
        setattr(entry, field, text)
        for name, value in on_write.items():
            setattr(entry, name, value)
        entry.save()
    return entry


def _answer_write(current: Case, question: Question, text: str, actor) -> Answer | None:
    _question_of(current, question)
    return _text_entry_write(Answer, where={"case": current, "question": question}, field="text", text=text, answered_by=actor)


@transaction.atomic
def answer_save(*, actor, case: Case, question: Question, text: str, version: int) -> Answer | None:
    """Record (or change) the answer to one question; an empty answer removes it, with its evidence."""
    current = _lock(case, actor=actor, version=version)
    answer = _answer_write(current, question, text, actor)
    _touch(current, actor)
    return answer


@transaction.atomic
def answers_save(*, actor, case: Case, answers: dict[int, str], version: int) -> Case:
    """Save several answers of a case at once (one form per stage), as one change."""
    current = _lock(case, actor=actor, version=version)
    questions = {q.pk: q for q in Question.objects.filter(bank=current.question_bank_id, pk__in=list(answers))}
    for question_id, text in answers.items():
        question = questions.get(question_id)
        if question is None:
            raise ValidationError({"question": f"Question {question_id} is not in this case's question bank."})
        _answer_write(current, question, text, actor)
    _touch(current, actor)
    return current


def _data_dir() -> Path:
    return Path(settings.ROCC_DATA_DIR)


def _upload_name(case: Case, name: str, content: bytes) -> str:
    if len(content) == 0:
        raise ValidationError({"file": "The file is empty."})
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": f"The file is {len(content) / 1e6:.1f} MB; the largest accepted is {MAX_UPLOAD_BYTES // 1_000_000} MB."})
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name).strip("-.") or "document"
    return f"{DOCUMENTS_DIR}/{case.pk}/{uuid.uuid4().hex[:12]}-{safe[:120]}"


def document_path(evidence: Evidence) -> Path:
    """Where an uploaded document lives in the data directory (a relative path is stored, so any machine that
    mounts the data directory can serve it)."""
    path = (_data_dir() / evidence.file_path).resolve()
    if _data_dir().resolve() not in path.parents:
        raise PermissionDenied("That document is not in the data directory.")
    return path


@transaction.atomic
def evidence_add(
    *,
    actor,
    case: Case,
    question: Question,
    kind: str,
    analysis=None,
    indicator_code: str = "",
    title: str = "",
    url: str = "",
    upload: tuple[str, bytes] | None = None,
    engaged_who: str = "",
    engaged_how: str = "",
    engaged_said: str = "",
    engaged_on: dt.date | None = None,
) -> Evidence:
    """Attach evidence to a question's answer: a saved analysis, an indicator, a document (a web address or an
    uploaded file) or a community engagement record (who was engaged, how, what they said, when)."""
    current = _lock(case, actor=actor, version=None)
    _question_of(current, question)
    answer = Answer.objects.filter(case=current, question=question).first()
    if answer is None:
        raise ValidationError({"question": "Answer the question first, then add the evidence behind the answer."})
    values: dict = {"case": current, "answer": answer, "kind": kind, "added_by": actor}
    document: bytes | None = None
    if kind == EvidenceKind.ANALYSIS:
        if analysis is None or not saved_analyses_for(user=actor).filter(pk=analysis.pk).exists():
            raise ValidationError({"analysis": "Choose a saved analysis you may see."})
        values["analysis"] = analysis
    elif kind == EvidenceKind.INDICATOR:
        code = nfc(indicator_code)
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}", code):
            raise ValidationError({"indicator_code": "Give the indicator's code (letters, digits, '.', '_' or '-')."})
        values["indicator_code"] = code
    elif kind == EvidenceKind.DOCUMENT:
        values["title"] = _required_text(title, "title", "Give the document a title.")
        url = (url or "").strip()
        if bool(url) == bool(upload):
            raise ValidationError({"url": "Give either a web address or a file to upload (one of them)."})
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise ValidationError({"url": f"'{url}' is not a web address (it should start with https:// or http://)."}) from None
            values["url"] = url
        else:
            assert upload is not None  # exactly one of a web address and an upload was given (checked above)
            file_name, document = upload
            values["file_path"] = _upload_name(current, file_name, document)
    elif kind == EvidenceKind.ENGAGEMENT:
        values["engaged_who"] = _required_text(engaged_who, "engaged_who", "Say who was engaged (people, iwi, groups).")
        values["engaged_how"] = _required_text(engaged_how, "engaged_how", "Say how they were engaged (hui, survey, meeting…).")
        values["engaged_said"] = _required_text(engaged_said, "engaged_said", "Record what they said.")
        if engaged_on is None:
            raise ValidationError({"engaged_on": "Give the date of the engagement."})
        if engaged_on > timezone.localdate():
            raise ValidationError({"engaged_on": "An engagement cannot be dated in the future."})
        values["engaged_on"] = engaged_on
    else:
        raise ValidationError({"kind": f"Unknown kind of evidence '{kind}'; choose one of: {', '.join(EvidenceKind.values)}."})
    evidence = Evidence.objects.create(**values)
    _touch(current, actor)
    if document is not None:
        # Written last: if writing fails, the transaction rolls back and no record points at a missing file.
        path = _data_dir() / evidence.file_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(document)
    return evidence


@transaction.atomic
def evidence_cite(*, actor, case: Case, evidence_id: int, question: Question) -> Evidence:
    """Cite evidence the case inherited from its product or report under a question's answer, as evidence attached
    to that answer directly is: the same question rules, and only a saved analysis the user may see."""
    current = _lock(case, actor=actor, version=None)
    _question_of(current, question)
    evidence = Evidence.objects.select_for_update().filter(pk=evidence_id, case=current, answer__isnull=True).first()
    if evidence is None or (evidence.analysis_id is not None and not saved_analyses_for(user=actor).filter(pk=evidence.analysis_id).exists()):
        raise ValidationError({"evidence": "Choose evidence this case carried with it that no answer cites yet, and that you may see."})
    answer = Answer.objects.filter(case=current, question=question).first()
    if answer is None:
        raise ValidationError({"question": "Answer the question first, then cite the evidence behind the answer."})
    evidence.answer = answer
    evidence.save(update_fields=["answer"])
    _touch(current, actor)
    return evidence


@transaction.atomic
def evidence_remove(*, actor, evidence: Evidence) -> None:
    current = _lock(evidence.case, actor=actor, version=None)
    evidence.delete()
    _touch(current, actor)


# --------------------------------------------------------------------------------------------------
# Stage moves


@transaction.atomic
def case_advance(*, actor, case: Case, version: int) -> Case:
    """Move the case to its next stage, or close it once Assess is complete. Refused, with every missing item
    listed, while the stage's required questions are unanswered."""
    current = _lock(case, actor=actor, version=version)
    move = forward_move(current)
    # Every stage of an open case has a move on in CASE_MOVES, and _lock refused a closed case.
    assert move is not None
    missing = stage_missing(current)
    if missing:
        raise GateClosed(current, missing)
    to_stage = case_moves(current)[move]
    if move == StageMove.Kind.CLOSED:
        current.status = CaseStatus.CLOSED
        current.closed_at = timezone.now()
        StageMove.objects.create(case=current, kind=move, from_stage=current.stage, to_stage=to_stage, moved_by=actor)
    else:
        StageMove.objects.create(case=current, kind=move, from_stage=current.stage, to_stage=to_stage, moved_by=actor)
        current.stage = to_stage
        if to_stage == Stage.DEPLOY and current.deployed_on is None:
            current.deployed_on = timezone.localdate()
    _touch(current, actor)
    return current


@transaction.atomic
def case_back(*, actor, case: Case, version: int, reason: str) -> Case:
    """Send the case back one stage; the reason is kept in its history."""
    current = _lock(case, actor=actor, version=version)
    reason = _required_text(reason, "reason", "Say why the case is going back a stage.")
    to_stage = case_moves(current).get(StageMove.Kind.BACK)
    if to_stage is None:
        raise ValidationError({"stage": f"The case is at {Stage(current.stage).label}, the first stage: there is no stage to go back to."})
    StageMove.objects.create(case=current, kind=StageMove.Kind.BACK, from_stage=current.stage, to_stage=to_stage, reason=reason, moved_by=actor)
    current.stage = to_stage
    _touch(current, actor)
    return current


# --------------------------------------------------------------------------------------------------
# Nominate: VIPERS, lead measures


def _at_least(current: Case, stage: str) -> None:
    if current.stage_index < STAGE_ORDER.index(stage):
        raise ValidationError({"stage": f"This belongs to {Stage(stage).label}, which the case has not reached yet."})


@transaction.atomic
def strategy_component_set(*, actor, case: Case, component: str, description: str) -> StrategyComponent | None:
    """Say what the strategy does under one VIPERS heading; an empty description removes the heading."""
    current = _lock(case, actor=actor, version=None)
    _at_least(current, Stage.NOMINATE)
    if component not in VipersComponent.values:
        raise ValidationError({"component": f"'{component}' is not a VIPERS component; choose one of: {', '.join(VipersComponent.values)}."})
    entry = _component_write(current, component, description)
    _touch(current, actor)
    return entry


def _component_write(current: Case, component: str, description: str) -> StrategyComponent | None:
    return _text_entry_write(StrategyComponent, where={"case": current, "component": component}, field="description", text=description)


@transaction.atomic
def strategy_set(*, actor, case: Case, components: dict[str, str]) -> Case:
    """Set the strategy's VIPERS components at once; an empty description removes that heading."""
    for component, description in components.items():
        strategy_component_set(actor=actor, case=case, component=component, description=description)
    case.refresh_from_db()
    return case


@transaction.atomic
def lead_measure_add(*, actor, case: Case, description: str, monitored_by: str, indicator_code: str = "") -> LeadMeasure:
    current = _lock(case, actor=actor, version=None)
    _at_least(current, Stage.NOMINATE)
    measure = LeadMeasure.objects.create(
        case=current,
        description=_required_text(description, "description", "Describe the lead activity or measure."),
        monitored_by=_required_text(monitored_by, "monitored_by", "Say who monitors and reports it."),
        indicator_code=nfc(indicator_code or ""),
    )
    _touch(current, actor)
    return measure


# --------------------------------------------------------------------------------------------------
# Deploy: milestones, reviews


@transaction.atomic
def milestone_add(*, actor, case: Case, description: str, responsible: str, due: dt.date | None) -> Milestone:
    current = _lock(case, actor=actor, version=None)
    _at_least(current, Stage.NOMINATE)
    if due is None:
        raise ValidationError({"due": "Give the milestone's due date."})
    milestone = Milestone.objects.create(
        case=current,
        description=_required_text(description, "description", "Describe the milestone."),
        responsible=_required_text(responsible, "responsible", "Say who is responsible for it."),
        due=due,
    )
    _touch(current, actor)
    return milestone


@transaction.atomic
def milestone_done(*, actor, milestone: Milestone, done_on: dt.date | None = None, result: str = "") -> Milestone:
    """Mark a milestone done. A milestone raised as a tasking is that tasking: marking it done completes the tasking
    (with ``result``, as a tasking is completed), which the tasking's owner or forum may do."""
    current = _lock(milestone.case, actor=actor, version=None)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "A milestone cannot be done in the future."})
    if milestone.tasking is not None and milestone.tasking.status not in CLOSED_TASKING_STATUSES:
        tasking_update(
            actor=actor,
            tasking=milestone.tasking,
            version=milestone.tasking.version,
            status=TaskingStatus.COMPLETED,
            note=f"Milestone done on case “{current.title}”.",
            result=result,
        )
    milestone.done_on = done_on
    milestone.save()
    _touch(current, actor)
    return milestone


@transaction.atomic
def review_record(*, actor, case: Case, held_on: dt.date | None, notes: str, change_of_tack: str = "") -> Review:
    """Record a deployment review; a change of tack (displacement, times, locations) is kept with it."""
    current = _lock(case, actor=actor, version=None)
    _at_least(current, Stage.DEPLOY)
    held_on = held_on or timezone.localdate()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "A review cannot be dated in the future."})
    review = Review.objects.create(
        case=current,
        held_on=held_on,
        notes=_required_text(notes, "notes", "Say what the review found."),
        change_of_tack=nfc(change_of_tack or ""),
        recorded_by=actor,
    )
    _touch(current, actor)
    return review


# --------------------------------------------------------------------------------------------------
# Assess: outcome measures with a comparison area and displacement; figures by community


NO_COMPARISON_NOTE = "No comparison area figures: the change in the case's area cannot be separated from the general trend."
NO_BUFFER_NOTE = "No surrounding (buffer) area figures: displacement was not measured."


def outcome_change(before: float | None, after: float | None) -> dict | None:
    """One area's change from before to after, in counts and per cent (None when either figure is missing)."""
    if before is None or after is None:
        return None
    return {"before": before, "after": after, "difference": after - before, "percent": None if before == 0 else (after - before) / before * 100}


def outcome_comparison(
    *,
    target_before: float,
    target_after: float,
    comparison_before: float | None,
    comparison_after: float | None,
    buffer_before: float | None,
    buffer_after: float | None,
) -> dict:
    """The before/after comparison of one outcome measure: the change in the case's area, the change in the
    comparison area, the Weighted Displacement Difference and, with a surrounding area, the Weighted
    Displacement Quotient (both from rocc.analysis.displacement)."""
    result: dict = {
        "target": outcome_change(target_before, target_after),
        "comparison": outcome_change(comparison_before, comparison_after),
        "buffer": outcome_change(buffer_before, buffer_after),
        "wdd": None,
        "wdq": None,
        "notes": [],
    }
    if comparison_before is None or comparison_after is None:
        result["notes"].append(NO_COMPARISON_NOTE)
        return result
    try:
        wdd = analysis_module("displacement").weighted_displacement_difference(
            target_before=target_before,
            target_after=target_after,
            control_before=comparison_before,
            control_after=comparison_after,
            buffer_before=buffer_before,
            buffer_after=buffer_after,
        )
    except AnalysisInputError as error:
        raise ValidationError({"figures": str(error)}) from None
    result["wdd"] = {
        "estimate": wdd.estimate,
        "se": wdd.se,
        "ci_low": wdd.ci_low,
        "ci_high": wdd.ci_high,
        "p_value": wdd.p_value,
        "interpretation": wdd.interpretation,
        "form": wdd.form,
    }
    if buffer_before is None or buffer_after is None:
        result["notes"].append(NO_BUFFER_NOTE)
        return result
    try:
        wdq = analysis_module("displacement").weighted_displacement_quotient(
            target_before=target_before,
            target_after=target_after,
            buffer_before=buffer_before,
            buffer_after=buffer_after,
            control_before=comparison_before,
            control_after=comparison_after,
        )
    except AnalysisInputError as error:
        result["notes"].append(f"No displacement quotient: {error}.")
        return result
    result["wdq"] = {
        "wdq": wdq.wdq,
        "success_measure": wdq.success_measure,
        "buffer_displacement_measure": wdq.buffer_displacement_measure,
        "total_net_effect": wdq.total_net_effect,
        "interpretation": wdq.interpretation,
    }
    return result


def _optional_figure(value, field: str) -> float | None:
    """None when no figure is given, otherwise the figure checked as ``_figure`` checks it."""
    if value is None or value == "":
        return None
    return _figure(value, field)


def _figure(value, field: str) -> float:
    if value is None or value == "":
        raise ValidationError({field: "Give a figure (a count of 0 or more)."})
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"'{value}' is not a number."}) from None
    if number < 0 or number != number or number in (float("inf"), float("-inf")):
        raise ValidationError({field: f"{value} is not a count: it must be 0 or more."})
    return number


def _windows(before_from, before_to, after_from, after_to) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None:
    """The before and after windows, checked: all four dates or none; each window in order; after not before before."""
    dates = {"before_from": before_from, "before_to": before_to, "after_from": after_from, "after_to": after_to}
    if all(d is None for d in dates.values()):
        return None
    missing = [name for name, d in dates.items() if d is None]
    if missing:
        raise ValidationError({name: "Give the four dates of the before and after periods, or none of them." for name in missing})
    if before_from > before_to:
        raise ValidationError({"before_to": "The before period ends before it starts."})
    if after_from > after_to:
        raise ValidationError({"after_to": "The after period ends before it starts."})
    if after_from <= before_to:
        raise ValidationError({"after_from": "The after period starts once the before period has ended."})
    return (before_from, before_to), (after_from, after_to)


@transaction.atomic
def outcome_measure_add(
    *,
    actor,
    case: Case,
    description: str,
    before_target=None,
    after_target=None,
    before_comparison=None,
    after_comparison=None,
    before_buffer=None,
    after_buffer=None,
    indicator_code: str = "",
    before_from: dt.date | None = None,
    before_to: dt.date | None = None,
    after_from: dt.date | None = None,
    after_to: dt.date | None = None,
    override_reason: str = "",
    backend=None,
) -> OutcomeMeasure:
    """An outcome measure of the Assess stage. With an indicator of the catalogue and the before and after periods,
    every figure not given is taken from the measures (``selectors.outcome_figures_from_measures``: the event store
    for an event-based indicator, else the indicator's series) for the case's unit, its comparison unit and the area
    around it; a figure given where one was found overrides it, and needs the reason, which is recorded with where
    each figure came from."""
    current = _lock(case, actor=actor, version=None)
    _at_least(current, Stage.ASSESS)
    code = nfc(indicator_code or "").strip()
    indicator = None
    if code:
        if code not in indicator_catalogue(user=actor):
            raise ValidationError(
                {"indicator_code": f"'{code}' is not an indicator in the catalogue: choose one of the indicators under Measures, or leave the indicator empty."}
            )
        indicator = Indicator.objects.get(code=code)
    windows = _windows(before_from, before_to, after_from, after_to)
    filled = {}
    if indicator is not None and windows is not None:
        filled = outcome_figures_from_measures(user=actor, case=current, indicator=indicator, before=windows[0], after=windows[1], backend=backend)
    given = {
        "before_target": _optional_figure(before_target, "before_target"),
        "after_target": _optional_figure(after_target, "after_target"),
        "before_comparison": _optional_figure(before_comparison, "before_comparison"),
        "after_comparison": _optional_figure(after_comparison, "after_comparison"),
        "before_buffer": _optional_figure(before_buffer, "before_buffer"),
        "after_buffer": _optional_figure(after_buffer, "after_buffer"),
    }
    figures: dict[str, float | None] = {}
    sources: dict[str, dict] = {}
    overridden = []
    for name, entered in given.items():
        found = filled.get(name)
        figures[name] = entered if entered is not None else (found.value if found is not None else None)
        if found is None:
            sources[name] = {"source": "entered"} if entered is not None else {}
            continue
        sources[name] = {"source": "entered" if entered is not None else found.source, "filled": found.value, "note": found.note}
        if entered is not None and found.value is not None and entered != found.value:
            overridden.append(name)
    reason = nfc(override_reason or "").strip()
    if overridden and not reason:
        raise ValidationError(
            {
                "override_reason": f"You changed figures taken from the measures ({', '.join(n.replace('_', ' ') for n in overridden)}): say why, and it is recorded."
            }
        )
    for name in ("before_target", "after_target"):
        if figures[name] is None:
            note = filled[name].note if name in filled else ""
            raise ValidationError({name: f"Give a figure (a count of 0 or more){': ' + note if note else '.'}"})
    for area in ("comparison", "buffer"):
        if (figures[f"before_{area}"] is None) != (figures[f"after_{area}"] is None):
            raise ValidationError({f"after_{area}": f"Give both the before and the after figure for the {area} area, or neither."})
    if figures["before_buffer"] is not None and figures["before_comparison"] is None:
        raise ValidationError({"before_comparison": "Displacement in a surrounding area is measured against a comparison area: give its figures too."})
    target_before, target_after = figures["before_target"], figures["after_target"]
    assert target_before is not None and target_after is not None  # refused above when missing
    result = outcome_comparison(
        target_before=target_before,
        target_after=target_after,
        comparison_before=figures["before_comparison"],
        comparison_after=figures["after_comparison"],
        buffer_before=figures["before_buffer"],
        buffer_after=figures["after_buffer"],
    )
    measure = OutcomeMeasure.objects.create(
        case=current,
        description=_required_text(description, "description", "Describe the outcome measure."),
        indicator_code=code,
        indicator=indicator,
        before_from=before_from,
        before_to=before_to,
        after_from=after_from,
        after_to=after_to,
        sources=sources,
        override_reason=reason if overridden else "",
        result=result,
        **figures,
    )
    _touch(current, actor)
    return measure


def community_population(case: Case, community: str) -> int | None:
    """The latest population of the case's unit for a community named like an ethnicity, when rocc holds one."""
    wanted = fold(community)
    rows = Population.objects.filter(unit=case.scope_unit, age_band="", sex="").exclude(ethnicity="").order_by("-period_end")
    for row in rows:
        if fold(row.ethnicity) == wanted:
            return row.value
    return None


@transaction.atomic
def community_figure_add(*, actor, case: Case, community: str, measure: str, before, after, population=None) -> CommunityImpactFigure:
    """A before/after figure for one community, so the question on disproportionate impact is answered with figures."""
    current = _lock(case, actor=actor, version=None)
    _at_least(current, Stage.ASSESS)
    community = _required_text(community, "community", "Name the community.")
    measure = _required_text(measure, "measure", "Say what was counted.")
    if CommunityImpactFigure.objects.filter(case=current, community=community, measure=measure).exists():
        raise ValidationError({"community": f"There is already a figure for {community} on “{measure}”."})
    population_value = _optional_figure(population, "population")
    if population_value is not None and population_value < 1:
        raise ValidationError({"population": "A population must be at least 1."})
    if population_value is None:
        population_value = community_population(current, community)
    figure = CommunityImpactFigure.objects.create(
        case=current,
        community=community,
        measure=measure,
        before=_figure(before, "before"),
        after=_figure(after, "after"),
        population=int(population_value) if population_value is not None else None,
    )
    _touch(current, actor)
    return figure
