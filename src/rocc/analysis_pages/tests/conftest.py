"""Fixtures of the analysis-page tests: an analyst signed in, real files to upload, tasks run inline."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "analysis" / "tests" / "data"
CHICAGO = DATA / "chicago_burglary_month1_nearrepeat.csv"
LONDON = DATA / "2017-11-city-of-london-street.csv"
CAVIAR = DATA / "caviar"


@pytest.fixture(autouse=True)
def tasks_inline(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def analyst(make_user):
    return make_user("analyst", units=["waitemata"], username="analyst-pages")


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def upload(analyst_client):
    """upload(slug, path or (name, bytes), no_header=False) → the page after choosing the file (followed)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def send(slug: str, source, *, no_header: bool = False):
        name, content = (source.name, source.read_bytes()) if isinstance(source, Path) else source
        data = {"file": SimpleUploadedFile(name, content)}
        if no_header:
            data["no_header"] = "on"
        response = analyst_client.post(f"/analyses/{slug}/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return analyst_client.get(response["Location"]), int(response["Location"].split("upload=")[1])

    return send


@pytest.fixture
def waitemata(defaults):
    from rocc.org.models import OrgUnit

    return OrgUnit.objects.get(code="waitemata")
