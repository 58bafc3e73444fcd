"""The analysis pages read offence codes with the one matcher: a division in the serious list or the harm
weights takes every code below it, an unknown ANZSOC code is refused where it was typed, and labels of another
classification are compared as written only when the analyst says so."""

from __future__ import annotations

import re

from rocc.analysis_pages.models import AnalysisRun
from rocc.analysis_pages.tests.conftest import LONDON
from rocc.events.testing import event_store  # noqa: F401  (event_store is a fixture)

VICTIMS = (
    "victim_id,occurred,offence\n"
    + "\n".join(
        [
            "P1,2024-03-01,0711",
            "P1,2024-05-02,1211",
            "P2,2024-04-10,1211",
            "P2,2024-06-20,1211",
            "P3,2024-02-01,711",
        ]
    )
    + "\n"
)


def run(client, slug, upload_id, scope, **fields):
    return client.post(f"/analyses/{slug}/run/", {"scope_unit": scope.pk, "upload": upload_id, **fields})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_division_in_the_serious_list_selects_its_groups_on_the_page(analyst_client, upload, waitemata):
    _, upload_id = upload("repeat-victims", ("victims.csv", VICTIMS.encode()))
    response = run(
        analyst_client,
        "repeat-victims",
        upload_id,
        waitemata,
        person="victim_id",
        date="occurred",
        offence="offence",
        window_days="365",
        serious_codes="07",
        as_of="2024-06-30",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    result = AnalysisRun.objects.get().result
    assert result["summary"]["by_tier"] == {"first-time victim": 1, "repeat victim": 1, "serious and repeat victim": 1}
    page = text(analyst_client.get(response["Location"]))
    assert "Serious offence codes: 07 (ANZSOC 2011: a code selects every code below it)." in page


def test_the_serious_list_starts_as_the_victim_focus_list(analyst_client, upload):
    page, _ = upload("repeat-victims", ("victims.csv", VICTIMS.encode()))
    assert 'value="01, 02, 03, 05, 06, 07"' in page.content.decode()


def test_an_unknown_serious_code_is_refused_where_it_was_typed(analyst_client, upload, waitemata):
    _, upload_id = upload("repeat-victims", ("victims.csv", VICTIMS.encode()))
    response = run(
        analyst_client,
        "repeat-victims",
        upload_id,
        waitemata,
        person="victim_id",
        date="occurred",
        offence="offence",
        window_days="365",
        serious_codes="07, 17",
    )
    assert response.status_code in (400, 422) and not AnalysisRun.objects.exists()
    assert "unknown offence code &#x27;17&#x27;" in response.content.decode()


def test_a_division_harm_weight_weights_every_code_in_it(analyst_client, upload, waitemata):
    _, upload_id = upload("harm", ("events.csv", VICTIMS.encode()))
    response = run(analyst_client, "harm", upload_id, waitemata, offence="offence", harm="07,60\n12,5")
    assert response.status_code == 302, response.content.decode()[:2000]
    result = AnalysisRun.objects.get().result
    assert result["total_harm"] == 2 * 60 + 3 * 5 and result["defaulted_events"] == 0


def test_labels_that_are_not_anzsoc_codes_are_refused_unless_compared_as_written(analyst_client, upload, waitemata):
    _, upload_id = upload("harm", LONDON)
    refused = run(analyst_client, "harm", upload_id, waitemata, offence="Crime type", harm="Burglary,100", default_weight="1")
    assert refused.status_code == 400 and not AnalysisRun.objects.exists()
    assert "unknown offence code &#x27;Burglary&#x27;" in refused.content.decode()
    accepted = run(analyst_client, "harm", upload_id, waitemata, offence="Crime type", harm="Burglary,100", default_weight="1", offence_codes_are="as_written")
    assert accepted.status_code == 302


def test_an_unknown_code_in_the_store_filter_is_refused_on_the_page_and_nothing_runs(analyst_client, analyst, waitemata, event_store):
    from rocc.events.testing import events_create

    events_create(
        user=analyst,
        rows=[
            {"event_id": "E1", "date": "2024-03-01", "offence_code": "0711", "unit": "North Shore", "x": 1755000, "y": 5925000},
        ],
    )
    response = analyst_client.post(
        "/analyses/hotspots/run-events/",
        {
            "events-offence_codes": "07, 17",
            "ev-scope_unit": waitemata.pk,
            "ev-cell": "200",
            "ev-coordinates": "nztm",
        },
    )
    assert response.status_code in (400, 422) and not AnalysisRun.objects.exists()
    assert "unknown offence code &#x27;17&#x27;" in response.content.decode()
