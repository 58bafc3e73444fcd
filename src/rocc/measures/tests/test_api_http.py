"""The measures API through the test client: definitions, series, observations and scorecards with disclosure control; writes
with 201, 403, 404, 409 and 422."""

from __future__ import annotations

import pytest

from rocc.core.tokens import token_issue
from rocc.testing import api_call as call


@pytest.fixture
def server(small_world):
    return "/api/measures"


def test_definitions_list_every_version(server, make_user):
    token = token_issue(user=make_user("viewer"), name="t")
    status, rows = call(f"{server}/indicators", token)
    assert status == 200
    assaults = next(r for r in rows if r["code"] == "assaults")
    assert assaults["current"]["factor"] == 10000 and assaults["current"]["period_type"] == "month"
    assert call(f"{server}/indicators/nope", token)[0] == 404


def test_series_and_observations_are_rounded_for_a_viewer_and_true_for_an_authorised_analyst(server, make_user):
    viewer = token_issue(user=make_user("viewer", units=["northland"]), name="v")
    analyst = token_issue(user=make_user("analyst", units=["northland"]), name="a")
    status, shown = call(f"{server}/indicators/assaults/series?unit=northland", viewer)
    assert status == 200 and shown["disclosure_applied"] is True
    status, true = call(f"{server}/indicators/assaults/series?unit=northland", analyst)
    assert true["disclosure_applied"] is False
    for s, t in zip(shown["points"], true["points"], strict=True):
        assert s["numerator"] % 3 == 0 and abs(s["numerator"] - t["numerator"]) <= 2
    status, observations = call(f"{server}/indicators/assaults/observations?unit=northland", viewer)
    assert status == 200 and all(o["disclosure_applied"] and o["numerator"] % 3 == 0 for o in observations)
    # Asking again gives the same rounding: repeated queries reveal nothing.
    assert call(f"{server}/indicators/assaults/observations?unit=northland", viewer)[1] == observations
    status, card = call(f"{server}/scorecard?unit=nz", viewer)
    assert status == 200 and card["rows"][0]["cells"][0]["status"] in ("on_track", "at_risk", "off_track", "not_enough_data")


def test_recording_a_figure_needs_the_right_and_valid_figures(server, make_user):
    analyst = token_issue(user=make_user("analyst", units=["waitemata"]), name="a")
    viewer = token_issue(user=make_user("viewer", units=["waitemata"]), name="v")
    figure = {"indicator": "assaults", "unit": "waitemata", "period_start": "2021-01-01", "period_end": "2021-01-31", "numerator": 7}
    status, body = call(f"{server}/observations", analyst, figure)
    assert status == 201 and body["numerator"] == 7 and body["version"] == 1
    assert call(f"{server}/observations", viewer, figure)[0] == 403
    assert call(f"{server}/observations", analyst, {**figure, "unit": "northland"})[0] == 403
    assert call(f"{server}/observations", analyst, {**figure, "numerator": -3})[0] == 422
    assert call(f"{server}/observations", analyst, {**figure, "period_end": "2021-02-28"})[0] == 422
    assert call(f"{server}/observations", analyst, {**figure, "numerator": "seven"})[0] == 422
    assert call(f"{server}/observations", analyst, {**figure, "indicator": "nope"})[0] == 404


def test_saving_a_narrative_from_a_stale_version_answers_409(server, make_user):
    token = token_issue(user=make_user("regional_coordinator", units=["waitemata"]), name="c")
    story = {"unit": "waitemata", "version": 0, "story_behind_curve": "Te whānau first"}
    status, saved = call(f"{server}/indicators/assaults/narrative", token, story, method="PUT")
    assert status == 200 and saved["version"] == 1 and saved["story_behind_curve"] == "Te whānau first"
    assert call(f"{server}/indicators/assaults/narrative", token, story, method="PUT")[0] == 409
    assert call(f"{server}/indicators/assaults/narrative", token, {**story, "unit": "northland"}, method="PUT")[0] == 403
