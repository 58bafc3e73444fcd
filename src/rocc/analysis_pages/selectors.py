"""Every read of the analyses capability, scoped to the user asking: saved analyses, runs, uploads, units."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from rocc.analysis_pages.models import AnalysisRun, AnalysisUpload, NodePersonLink, SavedAnalysis
from rocc.org.models import OrgUnit, Role
from rocc.org.scope import scope_of


def saved_analysis_list(*, user) -> QuerySet[SavedAnalysis]:
    """Saved analyses of the user's units; those holding person-level data only for analysts. Lists name each
    analysis: its stored result and parameters (a hot-spot result alone can hold a hundred thousand cells) are left
    in the database until one analysis is opened (:func:`saved_analysis_get`)."""
    if not user.has_perm("analyses.view_analyses"):
        return SavedAnalysis.objects.none()
    analyses = (
        scope_of(user)
        .filter(SavedAnalysis.objects.all(), field="scope_unit")
        .select_related("scope_unit", "created_by")
        .defer("parameters", "result", "result_head", "map_head", "map_cells")
    )
    if scope_of(user).role != Role.ANALYST:
        analyses = analyses.filter(holds_person_level=False)
    return analyses


def saved_analyses_with_ids(ids) -> list[SavedAnalysis]:
    """The saved analyses with these ids (those that exist), for another capability's write to check and link; the
    writing service decides which of them its user may cite."""
    return list(SavedAnalysis.objects.filter(pk__in=list(ids)).select_related("scope_unit"))


def saved_analysis_get(*, user, pk: int, page: bool = False) -> SavedAnalysis:
    """One saved analysis the user may open, with its result. ``page``: for its page, with the stored head instead
    (the result and the map's cells stay in the database, and are read only if the page asks for them)."""
    analyses = saved_analysis_list(user=user).defer(None)
    if page:
        analyses = analyses.defer("result", "map_cells")
    analysis = analyses.filter(pk=pk).first()
    if analysis is None or not user.has_perm("analyses.view_saved_analysis", analysis):
        raise Http404("No such saved analysis")
    return analysis


def saved_analysis_map_cells(*, user, pk: int) -> tuple[SavedAnalysis, str]:
    """A saved hot-spot analysis the user may open, and its map's cells as stored (JSON text, "" when none are
    stored yet); nothing else of the result is read."""
    analysis = saved_analysis_list(user=user).defer(None).defer("result", "map_head", "parameters").filter(pk=pk).first()
    if analysis is None or not user.has_perm("analyses.view_saved_analysis", analysis):
        raise Http404("No such saved analysis")
    return analysis, analysis.map_cells


def analysis_run_list(*, user) -> QuerySet[AnalysisRun]:
    """A user's own runs: they are working copies, seen by no one else until saved."""
    if not user.has_perm("analyses.run_analyses"):
        return AnalysisRun.objects.none()
    return AnalysisRun.objects.filter(created_by=user).select_related("scope_unit", "upload", "saved")


def analysis_run_get(*, user, pk: int) -> AnalysisRun:
    run = analysis_run_list(user=user).filter(pk=pk).first()
    if run is None or not user.has_perm("analyses.save_analysis", run.scope_unit):
        raise Http404("No such analysis run")
    return run


def analysis_upload_get(*, user, pk: int) -> AnalysisUpload:
    upload = AnalysisUpload.objects.filter(pk=pk, created_by=user).defer("content").first()
    if upload is None or not user.has_perm("analyses.run_analyses"):
        raise Http404("No such upload")
    return upload


def analysis_units(*, user) -> QuerySet[OrgUnit]:
    """The units an analysis may be run for: the user's units and those below them."""
    return scope_of(user).filter(OrgUnit.objects.all(), field=None).order_by("path")


def node_links(*, user, analysis: SavedAnalysis) -> QuerySet[NodePersonLink]:
    if not user.has_perm("analyses.link_persons", analysis):
        return NodePersonLink.objects.none()
    return analysis.node_links.select_related("linked_by")
