"""The packs pages: who sees them, asking for a pack (with located errors), and the pack's page once it is made."""

from __future__ import annotations

from django.test import Client

from rocc.governance.models import ReportPack
from rocc.governance.periods import last_complete_quarter
from rocc.testing import load_once


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_the_programme_office_and_coordinators_reach_the_packs_page(make_user):
    assert _client(make_user("viewer")).get("/governance/").status_code == 403
    assert _client(make_user("analyst")).get("/governance/").status_code == 403
    page = _client(make_user("regional_coordinator", units=["waitemata"])).get("/governance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="waitemata"' in html and '<option value="nz"' not in html


def test_a_pack_asked_for_on_the_page_is_made_and_offered_for_download(make_user, committed):
    from django.utils import timezone

    from rocc.strategy.services.frameworks import strategy_defaults_load

    load_once(strategy_defaults_load)
    manager = make_user("programme_manager")
    client = _client(manager)
    page = client.get("/governance/").content.decode()
    quarter = last_complete_quarter(timezone.localdate())
    assert f'<option value="{quarter.key}" selected>' in page

    refused = client.post("/governance/", {"unit": "nz", "quarter": quarter.key, "period_start": "2026-01-01", "audience": "internal"})
    assert refused.status_code == 200 and "Give both dates" in refused.content.decode()
    assert not ReportPack.objects.exists()

    with committed():
        response = client.post("/governance/", {"unit": "nz", "quarter": quarter.key, "audience": "public"})
    pack = ReportPack.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/governance/{pack.pk}/"
    assert (pack.period_start, pack.period_end, pack.audience, pack.status) == (quarter.start, quarter.end, "public", "done")
    html = client.get(response["Location"]).content.decode()
    assert "Download the PDF" in html and "Download the Excel workbook" in html and quarter.label in html
    listing = client.get("/governance/").content.decode()
    assert f'href="/governance/{pack.pk}/"' in listing
    assert client.get(f"/governance/{pack.pk}/download.pdf").content.startswith(b"%PDF-")


def test_the_api_asks_for_a_pack_and_answers_every_refusal_with_its_status(make_user, committed):
    from rocc.core.tokens import token_issue
    from rocc.testing import api_call

    manager = token_issue(user=make_user("programme_manager"), name="test")
    coordinator = token_issue(user=make_user("regional_coordinator", units=["waitemata"]), name="test")
    viewer = token_issue(user=make_user("viewer"), name="test")
    assert api_call("/api/governance/packs", viewer)[0] == 403
    assert api_call("/api/governance/packs", coordinator, {"unit": "nz"})[0] == 403
    assert api_call("/api/governance/packs", manager, {"unit": "atlantis"})[0] == 404
    status, answer = api_call("/api/governance/packs", manager, {"unit": "nz", "period_start": "2026-06-30", "period_end": "2026-01-01"})
    assert status == 422 and "period_end" in answer["errors"]
    assert not ReportPack.objects.exists()
    with committed():
        status, answer = api_call(
            "/api/governance/packs", coordinator, {"unit": "waitemata", "period_start": "2026-01-01", "period_end": "2026-03-31", "audience": "public"}
        )
    assert status == 202 and answer["period_label"] == "Jan–Mar 2026" and answer["audience"] == "public"
    status, again = api_call(f"/api/governance/packs/{answer['id']}", coordinator)
    assert status == 200 and again["status"] == "done" and again["finished_at"]
    assert [p["id"] for p in api_call("/api/governance/packs", coordinator)[1]] == [answer["id"]]
