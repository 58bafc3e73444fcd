"""The home page says why an indicator a user expects is missing from their off-track list or has no status: a cell
whose latest figure is a small count suppressed for them is counted in a line under the list (the count only, never
the figure or the status it would have had), and a viewer's scorecard shows it as protected, saying why.

The scene: visits to a Northland hub, thirty a month through 2024 until December's two, far below the glide path.
A programme manager scoped to Waitematā, a Northland coordinator and a Northland viewer see it through their own
lenses: the scoped manager and the viewer through the disclosure gate, the coordinator (their own district) and a
national manager as it is."""

from __future__ import annotations

import html
import re

import pytest

from rocc.measures.selectors import scorecard_for, units_for_measures
from rocc.measures.tests.scenes import northland_small_december
from rocc.web.queues import work_queue

NAME = "Hub visits (home note test)"


@pytest.fixture
def scene(defaults, make_user):
    people = {
        "national": make_user("programme_manager", username="pm-national"),
        "scoped": make_user("programme_manager", units=["waitemata"], username="pm-waitemata"),
        "coordinator": make_user("regional_coordinator", units=["northland"], username="rc-northland"),
        "viewer": make_user("viewer", units=["northland"], username="viewer-northland"),
    }
    indicator, northland = northland_small_december(code="hub-visits-home-note", name=NAME)
    return {"indicator": indicator, "northland": northland, **people}


def _off_track(user):
    return next(s for s in work_queue(user) if s.key == "off-track")


def _suppressed_cells(user, units) -> list[tuple[str, str]]:
    card = scorecard_for(user=user, units=units, with_intervals=False)
    return [(row["name"], cell["unit_name"]) for row in card["rows"] for cell in row["cells"] if cell and cell.get("suppressed")]


def test_a_scoped_managers_off_track_list_counts_the_cells_suppressed_for_them_without_listing_them(scene):
    section = _off_track(scene["scoped"])
    suppressed = _suppressed_cells(scene["scoped"], list(units_for_measures(user=scene["scoped"])))
    assert (NAME, "Northland") in suppressed
    n = len(suppressed)
    figures = "indicator's latest figure is" if n == 1 else "indicators' latest figures are"
    assert section.caveat == f"{n} {figures} suppressed for you (small counts): no status is shown, so none is listed here. See the scorecard."
    assert not any(item.label.startswith(NAME) for item in section.items), "the status worked out from the hidden figure is not listed"


def test_a_national_manager_and_a_coordinator_in_their_own_district_see_the_figure_and_no_note_for_it(scene):
    national = _off_track(scene["national"])
    assert [item.flag for item in national.items if item.label.startswith(NAME)] == ["newly off track"]
    assert _suppressed_cells(scene["national"], list(units_for_measures(user=scene["national"]))) == []
    assert national.caveat == ""
    coordinator = _off_track(scene["coordinator"])
    assert [item.label for item in coordinator.items if item.label.startswith(NAME)] == [f"{NAME} · Northland"]
    assert coordinator.caveat == "", "their own district's figures are not suppressed for them"


def test_the_note_on_the_home_page_tells_the_count_and_never_the_figure(client, scene):
    client.force_login(scene["scoped"])
    page = client.get("/").content.decode()
    [note] = [html.unescape(n) for n in re.findall(r'<p class="detail caveat">(.*?)</p>', page)]
    assert "suppressed for you (small counts): no status is shown" in note
    assert re.fullmatch(r"\d+ indicator(?:'s latest figure is|s' latest figures are) suppressed for you \(small counts\): [^\d]*", note), "only the count"
    assert NAME not in page and "Dec 2024" not in note


def test_a_viewers_scorecard_shows_a_suppressed_cell_as_protected_and_says_why(client, scene):
    client.force_login(scene["viewer"])
    page = client.get("/").content.decode()
    [row] = [r for r in re.findall(r"<tr>.*?</tr>", page, flags=re.S) if NAME in r]
    assert "suppressed" in row and "Protected (small count)" in row
    assert "the latest figure is suppressed to protect small numbers, so no status is shown" in row
    assert "Not enough data" not in row and "Off track" not in row
    assert not re.search(r">\s*2(\.0)?\s*<", row), "the hidden December figure is not shown"
