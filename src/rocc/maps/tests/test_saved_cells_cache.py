"""A saved hot-spot map's cells never change once saved, so they carry an entity tag and a browser that holds them is
answered 304 with no body; but only after the asker's right to read the analysis is checked (another unit's analyst,
a deleted analysis, someone signed out never get a 304), and the browser is told to ask every time (no max-age), so a
shared workstation never serves them without asking. The map's reference answers' 304 is in the OpenAPI document."""

from __future__ import annotations

import pytest

from rocc.analysis_pages.models import SavedAnalysis
from rocc.analysis_pages.services import saved_analysis_create
from rocc.analysis_pages.tests.conftest import analyst, analyst_client, tasks_inline, waitemata  # noqa: F401  (fixtures)
from rocc.analysis_pages.tests.test_saved_map import north_shore  # noqa: F401  (a fixture)


@pytest.fixture
def saved(analyst, waitemata, north_shore):  # noqa: F811
    return saved_analysis_create(user=analyst, kind="hotspots", title="North Shore", scope_unit=waitemata, source="x.csv", parameters={}, result=north_shore)


def test_the_saved_cells_carry_a_tag_and_answer_304_with_no_body(analyst_client, saved):  # noqa: F811
    address = f"/analyses/saved/{saved.pk}/map-cells/"
    first = analyst_client.get(address)
    tag = first["ETag"]
    assert first.status_code == 200 and tag.startswith(f'"cells-{saved.pk}-') and first.content
    assert first["Cache-Control"] == "private, no-cache"  # asked again every time: no max-age, not immutable
    again = analyst_client.get(address, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    # A list of tags, or a weak form of the same, is the same body.
    assert analyst_client.get(address, HTTP_IF_NONE_MATCH=f'"other", W/{tag}').status_code == 304
    assert analyst_client.get(address, HTTP_IF_NONE_MATCH='"cells-0-0"').status_code == 200
    # The tag names the stored text: the same on every reading, and the body is the stored cells.
    assert analyst_client.get(address)["ETag"] == tag
    assert first.content.decode() == SavedAnalysis.objects.get(pk=saved.pk).map_cells


def test_a_304_is_given_only_to_someone_who_may_still_read_the_analysis(client, make_user, saved):
    address = f"/analyses/saved/{saved.pk}/map-cells/"
    client.force_login(make_user("analyst", units=["waitemata"], username="analyst-waitemata-2"))
    tag = client.get(address)["ETag"]
    assert client.get(address, HTTP_IF_NONE_MATCH=tag).status_code == 304
    client.force_login(make_user("analyst", units=["canterbury"], username="analyst-canterbury"))
    assert client.get(address, HTTP_IF_NONE_MATCH=tag).status_code == 404
    client.logout()
    assert client.get(address, HTTP_IF_NONE_MATCH=tag).status_code == 302  # to sign in
    client.force_login(make_user("analyst", units=["waitemata"], username="analyst-waitemata-3"))
    SavedAnalysis.objects.filter(pk=saved.pk).delete()
    assert client.get(address, HTTP_IF_NONE_MATCH=tag).status_code == 404


def test_the_maps_reference_answers_document_their_304(client, make_user):
    from rocc.api import api

    paths = api.get_openapi_schema()["paths"]
    for path in ("/api/maps/outline", "/api/maps/boundaries"):
        responses = paths[path]["get"]["responses"]
        assert 304 in responses and "content" not in responses[304]
        assert set(responses[200]["headers"]) == {"ETag", "Cache-Control"} and "content" in responses[200]
    # Someone signed out is refused before any tag is compared.
    client.force_login(make_user("viewer"))
    tag = client.get("/api/maps/outline")["ETag"]
    assert client.get("/api/maps/outline", HTTP_IF_NONE_MATCH=tag).status_code == 304
    client.logout()
    assert client.get("/api/maps/outline", HTTP_IF_NONE_MATCH=tag).status_code == 401
