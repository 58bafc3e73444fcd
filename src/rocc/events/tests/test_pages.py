"""The events pages as each role sees them (Django's test client; the browser tests drive the import itself)."""

from __future__ import annotations

from rocc.events.testing import events_create


def test_the_overview_counts_events_in_the_users_units_and_offers_what_the_role_may_do(event_store, client, make_user):
    loader = make_user("administrator", username="loader")
    events_create(
        user=loader,
        rows=[
            {"event_id": "1", "date": "2024-01-02", "offence_code": "0211", "unit": "North Shore"},
            {"event_id": "2", "date": "2024-02-03", "offence_code": "0211", "unit": "North Shore"},
            {"event_id": "3", "date": "2024-02-04", "offence_code": "0211", "unit": "Christchurch"},
        ],
    )
    client.force_login(make_user("analyst", units=["waitemata"], username="ana"))
    page = client.get("/events/").content.decode()
    assert "2 events, 2 Jan 2024 to 3 Feb 2024." in page and '<td>north-shore</td><td class="num">2</td>' in page
    assert "/events/victim-focus/" in page and "/events/import/" in page
    client.force_login(make_user("viewer", units=["waitemata"], username="vic"))
    page = client.get("/events/").content.decode()
    assert "Your role does not read unit-record events" in page and "/events/import/" not in page
    assert client.get("/events/import/").status_code == 403 and client.get("/events/victim-focus/").status_code == 403


def test_a_batch_of_someone_else_is_not_found_and_rejects_download_needs_rejects(event_store, client, make_user):
    loader = make_user("administrator", username="loader")
    batch = events_create(user=loader, rows=[{"event_id": "1", "date": "2024-01-02", "offence_code": "0211", "unit": "Rodney"}])
    client.force_login(make_user("analyst", units=["waitemata"], username="ana"))
    assert client.get(f"/events/batches/{batch.pk}/").status_code == 404
    client.force_login(loader)
    assert "1 events imported" in client.get(f"/events/batches/{batch.pk}/").content.decode()
    assert client.get(f"/events/batches/{batch.pk}/rejects.csv").status_code == 404
