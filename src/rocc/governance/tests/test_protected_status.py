"""A manager whose figures go through disclosure control is told by the protected status: an indicator whose latest
figure is a small count (suppressed for them) is never shown or told to them as on or off track from the hidden
figure, in their home queue, their inbox or a governance pack; where it is shown, it reads as protected and says why.

The scene: visits to a Northland hub, thirty a month through 2024 until December's two, which is far below the glide
path (truly off track). A programme manager scoped to Waitematā sees Northland's figures through the gate, so for
them December is suppressed; a national programme manager sees the true figure."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from rocc.governance.models import ReportPack
from rocc.governance.periods import PackPeriod
from rocc.governance.selectors import PROTECTED_STATUS_LABEL
from rocc.governance.services import pack_request
from rocc.inbox.models import Notification, Reason
from rocc.measures.selectors import needs_disclosure, scorecard_for
from rocc.measures.services import statuses_recompute
from rocc.measures.tests.scenes import northland_small_december
from rocc.org.models import OrgUnit
from rocc.web.queues import work_queue

NAME = "Hub visits (protected test)"
QUARTER = PackPeriod(dt.date(2024, 10, 1), dt.date(2024, 12, 31))


@pytest.fixture
def scene(defaults, make_user):
    people = {
        "national": make_user("programme_manager", username="pm-national"),
        "scoped": make_user("programme_manager", units=["waitemata"], username="pm-waitemata"),
    }
    indicator, northland = northland_small_december(code="hub-visits-protected", name=NAME)
    return {"indicator": indicator, "northland": northland, **people}


def _cell(user, scene, **kwargs) -> dict:
    return scorecard_for(user=user, units=[scene["northland"]], indicator=scene["indicator"], with_intervals=False, **kwargs)["rows"][0]["cells"][0]


def test_the_scene_is_off_track_on_the_true_figure_and_suppressed_for_the_scoped_manager(scene):
    assert not needs_disclosure(user=scene["national"], unit=scene["northland"])
    assert needs_disclosure(user=scene["scoped"], unit=scene["northland"])
    assert _cell(scene["national"], scene)["status"] == "off_track", "the true December figure is far below the glide path"
    protected = _cell(scene["scoped"], scene)
    assert protected["suppressed"] and protected["value"] is None and protected["numerator"] is None
    assert protected["status"] not in ("on_track", "at_risk", "off_track")
    assert "suppressed to protect small numbers" in protected["explanation"]


def _queue_items(user) -> list:
    return [(section.key, item) for section in work_queue(user) for item in section.items if item.label.startswith(NAME)]


def test_the_home_queue_does_not_list_the_hidden_figure_as_off_track(scene):
    assert [(key, item.flag) for key, item in _queue_items(scene["national"])] == [("off-track", "newly off track")]
    assert _queue_items(scene["scoped"]) == [], "a status worked out from the suppressed figure is not shown"


def test_the_inbox_tells_only_the_manager_who_may_see_the_true_figure(scene):
    def told(user):
        return [n.title for n in Notification.objects.filter(recipient=user, reason=Reason.INDICATOR_OFF_TRACK) if NAME in n.title]

    assert told(scene["national"]) == [f"Newly off track: {NAME} in Northland, Dec 2024"]
    assert told(scene["scoped"]) == []
    statuses_recompute()
    assert told(scene["scoped"]) == [], "nor on a later recompute"


def _pack(user, django_capture_on_commit_callbacks, **kwargs) -> ReportPack:
    with django_capture_on_commit_callbacks(execute=True):
        pack = pack_request(user=user, unit=OrgUnit.objects.get(code="nz"), period=QUARTER, **kwargs)
    pack.refresh_from_db()
    assert pack.status == "done", pack.error
    return pack


def _scorecard_row(pack: ReportPack) -> tuple:
    book = load_workbook(io.BytesIO(bytes(pack.xlsx)), read_only=True)
    [row] = [r for r in book["Scorecard"].iter_rows(min_row=4, values_only=True) if r[1] == NAME and r[2] == "Northland"]
    return row


def _pdf_text(pack: ReportPack) -> str:
    reader = PdfReader(io.BytesIO(bytes(pack.pdf)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.parametrize("who, audience", [("scoped", "internal"), ("national", "public")])
def test_a_pack_whose_figures_are_protected_shows_the_cell_as_protected_and_says_why(scene, django_capture_on_commit_callbacks, who, audience):
    pack = _pack(scene[who], django_capture_on_commit_callbacks, audience=audience)
    code, name, unit, period, value, unit_label, status, explanation = _scorecard_row(pack)
    assert (period, value) == ("Dec 2024", "s")
    assert status == PROTECTED_STATUS_LABEL == "Protected (small count)", "not on or off track from the hidden figure, and not 'not enough data'"
    assert "suppressed to protect small numbers" in explanation
    assert pack.summary["protected_cells"] >= 1
    text = _pdf_text(pack)
    assert "Northland Dec 2024 s Protected (small count)" in text
    assert "Protected (small count): the latest figure is suppressed to protect small numbers" in text
    assert f"{NAME} — Northland" not in text, "no off-track curve for the protected cell"


def test_the_true_figure_is_off_track_in_the_national_managers_internal_pack(scene, django_capture_on_commit_callbacks):
    pack = _pack(scene["national"], django_capture_on_commit_callbacks, audience="internal")
    row = _scorecard_row(pack)
    assert row[4] == 2 and row[6] == "Off track"
    assert f"{NAME} — Northland" in _pdf_text(pack)
