"""The measures pages: indicator list, turn-the-curve, scorecards, comparison, exports, the narrative, and disclosure
control for users not authorised for unit-level output."""

from __future__ import annotations

import csv
import io

from django.test import Client
from openpyxl import load_workbook

from rocc.measures.models import Narrative


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_indicator_list_shows_every_indicator_with_its_status(small_world, make_user):
    response = _client(make_user("viewer")).get("/measures/")
    assert response.status_code == 200
    assert "Serious assaults" in response.content.decode()


def test_turn_the_curve_page_has_the_chart_data_table_and_status(small_world, make_user):
    response = _client(make_user("programme_manager")).get("/measures/indicators/assaults/?unit=nz&period_type=year_ended")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="curve-data"' in body and "measures/measures.js" in body and "vendor/plotly/plotly.min.js" in body
    assert "<script>" not in body.replace('<script id="curve-data" type="application/json">', "")  # no inline script
    assert "20% fewer by June 2021" in body
    assert "Year ended December 2020" in body


def test_a_viewer_sees_rounded_counts_and_an_authorised_analyst_sees_true_counts(small_world, make_user):
    from rocc.measures.series import series_build
    from rocc.org.models import OrgUnit

    true_counts = [p.numerator for p in series_build(indicator=small_world, unit=OrgUnit.objects.get(code="northland")).points]
    viewer = _client(make_user("viewer", units=["northland"]))
    analyst = _client(make_user("analyst", units=["northland"]))
    outsider = _client(make_user("analyst", units=["waitemata"]))
    shown_counts = [float(r["numerator"]) for r in _csv(viewer.get("/measures/indicators/assaults/series.csv?unit=northland"))]
    assert all(c % 3 == 0 and abs(c - t) <= 2 for c, t in zip(shown_counts, true_counts, strict=True))
    assert shown_counts != true_counts
    assert [float(r["numerator"]) for r in _csv(analyst.get("/measures/indicators/assaults/series.csv?unit=northland"))] == true_counts
    # An analyst outside Northland is not authorised for its unit-level output.
    assert [float(r["numerator"]) for r in _csv(outsider.get("/measures/indicators/assaults/series.csv?unit=northland"))] == shown_counts


def test_small_counts_are_suppressed_for_the_public_and_their_rates_with_them(small_world, make_user):
    viewer = _client(make_user("viewer", units=["northland"]))
    rows = _csv(viewer.get("/measures/indicators/assaults/series.csv?unit=waitemata"))
    assert all(r["numerator"] == "" and r["value"] == "" for r in rows)  # 4 a month is below the threshold


def test_scorecards_and_comparison_render_for_every_role_with_a_role(small_world, actors):
    for role, user in actors.items():
        if role in ("anonymous", "no role"):
            continue
        client = _client(user)
        for url in ("/measures/scorecard/", "/measures/scorecard/waitemata/", "/measures/indicators/assaults/districts/"):
            assert client.get(url).status_code == 200, (role, url)


def test_scorecard_exports_as_excel_with_disclosure_noted(small_world, make_user):
    response = _client(make_user("viewer")).get("/measures/scorecard.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book["Scorecard"]["A1"].value == "indicator"
    assert "randomly rounded" in book["About"]["A1"].value


def test_a_regional_coordinator_edits_the_story_of_their_district_but_not_anothers(small_world, make_user):
    coordinator = _client(make_user("regional_coordinator", units=["waitemata"]))
    data = {
        "unit": "waitemata",
        "version": "0",
        "story_behind_curve": "Assaults cluster around licensed premises in the town centre.",
        "partners": "Iwi, council, Police",
        "what_works": "Place-based guardianship",
        "action_plan": "Late-night transport",
    }
    coordinator.post("/measures/indicators/assaults/story/", data)
    assert Narrative.objects.get(unit__code="waitemata").story_behind_curve.startswith("Assaults cluster")
    response = coordinator.post("/measures/indicators/assaults/story/", {**data, "unit": "northland"})
    assert response.status_code == 403
    assert not Narrative.objects.filter(unit__code="northland").exists()


def test_saving_a_story_someone_changed_since_is_refused(small_world, make_user):
    first, second = make_user("programme_manager"), make_user("programme_manager")
    data = {"unit": "nz", "version": "0", "story_behind_curve": "First", "partners": "", "what_works": "", "action_plan": ""}
    _client(first).post("/measures/indicators/assaults/story/", data)
    response = _client(second).post("/measures/indicators/assaults/story/", {**data, "story_behind_curve": "Second"}, follow=True)
    assert "changed since you opened it" in response.content.decode()
    assert Narrative.objects.get(unit__code="nz").story_behind_curve == "First"


def test_a_programme_manager_makes_an_indicator_a_districts_own_on_its_page_and_national_again(small_world, make_user):
    from rocc.org.models import OrgUnit

    waitemata = OrgUnit.objects.get(code="waitemata")
    manager = _client(make_user("programme_manager"))
    page = manager.get("/measures/indicators/assaults/?unit=nz").content.decode()
    assert "A national indicator" in page and 'action="/measures/indicators/assaults/owner/' in page
    assert "National (every district&#x27;s)" in page and f'value="{waitemata.pk}"' in page
    response = manager.post("/measures/indicators/assaults/owner/?unit=nz", {"owner_unit": waitemata.pk}, follow=True)
    small_world.refresh_from_db()
    assert small_world.owner_unit == waitemata
    body = response.content.decode()
    assert "Serious assaults is now Waitematā&#x27;s own indicator." in body and "Waitematā's own indicator: its regional coordinators" in body
    manager.post("/measures/indicators/assaults/owner/", {"owner_unit": ""})
    small_world.refresh_from_db()
    assert small_world.owner_unit is None


def test_whose_indicator_is_offered_and_accepted_only_within_the_setters_scope(small_world, make_user):
    from rocc.org.models import OrgUnit

    waitemata, northland = OrgUnit.objects.get(code="waitemata"), OrgUnit.objects.get(code="northland")
    scoped = _client(make_user("programme_manager", units=["waitemata"]))
    page = scoped.get("/measures/indicators/assaults/?unit=waitemata").content.decode()
    assert 'action="/measures/indicators/assaults/owner/' not in page, "a national indicator is the national office's to move"
    small_world.owner_unit = waitemata
    small_world.save()
    page = scoped.get("/measures/indicators/assaults/?unit=waitemata").content.decode()
    assert f'value="{waitemata.pk}"' in page and f'value="{northland.pk}"' not in page and "National (every" not in page
    response = scoped.post("/measures/indicators/assaults/owner/", {"owner_unit": northland.pk}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    small_world.refresh_from_db()
    assert small_world.owner_unit == waitemata
    # Nor may those who do not change definitions, whatever their scope.
    coordinator = _client(make_user("regional_coordinator", units=["waitemata"]))
    assert 'action="/measures/indicators/assaults/owner/' not in coordinator.get("/measures/indicators/assaults/?unit=waitemata").content.decode()
    assert coordinator.post("/measures/indicators/assaults/owner/", {"owner_unit": ""}).status_code == 403
    small_world.owner_unit = northland
    small_world.save()
    assert scoped.post("/measures/indicators/assaults/owner/", {"owner_unit": waitemata.pk}).status_code == 403, "Northland's own is outside the scope"
    small_world.refresh_from_db()
    assert small_world.owner_unit == northland


def test_the_service_refuses_an_owner_that_is_not_a_district(small_world, make_user):
    import pytest
    from django.core.exceptions import PermissionDenied, ValidationError

    from rocc.measures.services import indicator_owner_set
    from rocc.org.models import OrgUnit

    area = OrgUnit.objects.filter(level="area").first()
    with pytest.raises(ValidationError, match="not a district"):
        indicator_owner_set(user=make_user("programme_manager"), indicator=small_world, owner_unit=area)
    with pytest.raises(PermissionDenied):
        indicator_owner_set(
            user=make_user("regional_coordinator", units=["waitemata"]), indicator=small_world, owner_unit=OrgUnit.objects.get(code="waitemata")
        )
    small_world.refresh_from_db()
    assert small_world.owner_unit is None


def test_a_status_withheld_because_the_latest_figure_is_suppressed_reads_as_protected_and_says_why(small_world, make_user):
    viewer = _client(make_user("viewer", units=["northland"]))
    for path in ("/measures/scorecard/waitemata/", "/measures/indicators/assaults/districts/"):
        body = viewer.get(path).content.decode()
        row = body[body.index("Waitematā</a>") if "districts" in path else body.index("Serious assaults</a>") :].split("</tr>")[0]
        assert "Protected (small count)" in row and "suppressed to protect small numbers, so no status is shown" in row, path
        assert "On track" not in row and "Off track" not in row and "At risk" not in row, path
    scorecard = viewer.get("/measures/scorecard/").content.decode()
    assert "Protected (small count): " in scorecard and "it is protected" in scorecard
    # Someone who may see Waitematā's unit-level output sees the true figure's status instead.
    analyst = _client(make_user("analyst", units=["waitemata"])).get("/measures/scorecard/waitemata/").content.decode()
    assert "Protected (small count)" not in analyst.split("Serious assaults</a>")[1].split("</tr>")[0]


def test_anonymous_visitors_are_sent_to_sign_in(small_world):
    response = Client().get("/measures/indicators/assaults/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_indicator_or_export_format_is_not_found(small_world, make_user):
    client = _client(make_user("viewer"))
    assert client.get("/measures/indicators/nope/").status_code == 404
    assert client.get("/measures/indicators/assaults/series.pdf").status_code == 404


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(text)) if not r["indicator"].startswith("#")]
