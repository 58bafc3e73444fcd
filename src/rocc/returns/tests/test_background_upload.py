"""A filled template larger than ROCC_LIMIT_INLINE_UPLOAD_KB is kept owner-only in the data directory and read by the
background worker, all or nothing: the page and the API follow it (202 with the upload's address) and show the return
it filled, or each problem with its cell; a bomb or an oversize file is still refused with its reason."""

import io
import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from rocc.core.tests.test_hostile_files import xlsx_bomb
from rocc.core.tokens import token_issue
from rocc.events import store
from rocc.returns.models import ProviderReturn, ReturnValue, TemplateUpload, TemplateUploadStatus
from rocc.returns.tests.fixtures import *  # noqa: F403
from rocc.returns.tests.fixtures import REFERRAL_CODES

WHANAU, COUNSELLING, HUBS = REFERRAL_CODES


@pytest.fixture(autouse=True)
def worker_reads_every_upload(settings, monkeypatch, tmp_path):
    """Every template (a few kilobytes) is over a 1 KB threshold, so each goes to the worker, which runs inline."""
    monkeypatch.setenv("ROCC_LIMIT_INLINE_UPLOAD_KB", "1")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ROCC_DATA_DIR = tmp_path


def _filled(client, data_set, cells: dict) -> bytes:
    book = load_workbook(io.BytesIO(client.get(reverse("returns:template", args=[data_set.code])).content))
    for ref, value in cells.items():
        book["Return"][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _kept_files() -> list:
    folder = store.data_dir() / "returns" / "incoming"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_large_template_is_kept_owner_only_read_by_the_worker_and_its_page_opens_the_return(client, people, data_set, django_capture_on_commit_callbacks):
    client.force_login(people["ngo"])
    content = _filled(client, data_set, {"C6": "2025-03", "C9": 12, "C10": 7, "C11": 0})
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("returns:upload", args=[data_set.code]), {"file": SimpleUploadedFile("march.xlsx", content)})
    job = TemplateUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("returns:upload_job", args=[job.pk])
    assert job.status == TemplateUploadStatus.QUEUED and ProviderReturn.objects.count() == 0
    [kept] = _kept_files()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and kept.read_bytes() == content
    waiting = client.get(reverse("returns:upload_job", args=[job.pk])).content.decode()
    assert "Waiting to be read" in waiting and 'hx-trigger="every 1s"' in waiting

    for callback in queued:
        callback()  # the worker's turn: the immediate backend runs the task here

    job.refresh_from_db()
    assert job.status == TemplateUploadStatus.DONE and job.figures == 3 and job.upload_file == "" and _kept_files() == []
    ret = ProviderReturn.objects.get()
    assert job.provider_return == ret and {v.indicator.code: v.value for v in ret.values.select_related("indicator")} == {WHANAU: 12, COUNSELLING: 7, HUBS: 0}
    page = client.get(reverse("returns:upload_job_status", args=[job.pk])).content.decode()
    assert "3 figures uploaded into the Mar 2025 return" in page and reverse("returns:detail", args=[ret.pk]) in page and "hx-trigger" not in page


def test_a_large_template_with_bad_cells_is_refused_by_the_worker_cell_by_cell_and_saves_nothing(client, people, data_set, django_capture_on_commit_callbacks):
    client.force_login(people["ngo"])
    content = _filled(client, data_set, {"C6": "2025-03", "C9": "abc", "C10": -1, "C11": 4})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("returns:upload", args=[data_set.code]), {"file": SimpleUploadedFile("march.xlsx", content)})
    job = TemplateUpload.objects.get()
    body = client.get(reverse("returns:upload_job", args=[job.pk])).content.decode()
    assert job.status == TemplateUploadStatus.REFUSED and "nothing was saved" in job.message.lower()
    assert {(p["sheet"], p["cell"]) for p in job.problems} == {("Return", "C9"), ("Return", "C10")}
    assert "Return!C9" in body and "&#x27;abc&#x27; is not a number" in body and "-1 is negative" in body
    assert (ProviderReturn.objects.count(), ReturnValue.objects.count()) == (0, 0) and _kept_files() == []


def test_a_template_bomb_sent_to_the_worker_is_refused_with_its_reason_and_nothing_is_saved(client, people, data_set, django_capture_on_commit_callbacks):
    client.force_login(people["ngo"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("returns:upload", args=[data_set.code]), {"file": SimpleUploadedFile("bomb.xlsx", xlsx_bomb())})
    job = TemplateUpload.objects.get()
    assert job.status == TemplateUploadStatus.REFUSED and "bomb.xlsx" in job.problems[0]["message"] and "inflates" in job.problems[0]["message"]
    assert ProviderReturn.objects.count() == 0 and _kept_files() == []


def test_a_file_larger_than_any_template_is_refused_unread_and_nothing_is_kept(client, people, data_set):
    client.force_login(people["ngo"])
    response = client.post(reverse("returns:upload", args=[data_set.code]), {"file": SimpleUploadedFile("huge.xlsx", b"\0" * (5 * 1024 * 1024))})
    body = response.content.decode()
    assert response.status_code == 400 and "huge.xlsx: the file is 5.0 MB, far more than a filled template holds" in body
    assert TemplateUpload.objects.count() == 0 and _kept_files() == []


def test_another_user_cannot_see_an_upload(client, people, data_set, django_capture_on_commit_callbacks):
    client.force_login(people["ngo"])
    content = _filled(client, data_set, {"C6": "2025-03", "C9": 1, "C10": 1, "C11": 1})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("returns:upload", args=[data_set.code]), {"file": SimpleUploadedFile("march.xlsx", content)})
    job = TemplateUpload.objects.get()
    client.force_login(people["pho"])
    assert client.get(reverse("returns:upload_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("returns:upload_job_status", args=[job.pk])).status_code == 404


def _api_upload(token: str, code: str, name: str, content: bytes):
    response = Client().post(
        f"/api/measures/returns/data-sets/{code}/upload", {"file": SimpleUploadedFile(name, content)}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return response.status_code, response.json()


def _api_get(token: str, path: str):
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code, response.json()


def test_the_api_answers_202_with_the_uploads_address_and_the_worker_fills_the_return(client, people, data_set, django_capture_on_commit_callbacks):
    token = token_issue(user=people["ngo"], name="test")
    client.force_login(people["ngo"])
    content = _filled(client, data_set, {"C6": "2025-03", "C9": 12, "C10": 7, "C11": 0})
    with django_capture_on_commit_callbacks(execute=False) as queued:
        status, accepted = _api_upload(token, data_set.code, "march.xlsx", content)
    assert status == 202 and accepted["status"] == "queued" and accepted["return_id"] is None
    assert accepted["url"] == f"/api/measures/returns/uploads/{accepted['id']}"
    for callback in queued:
        callback()
    status, done = _api_get(token, accepted["url"])
    assert status == 200 and done["status"] == "done" and done["figures"] == 3 and done["progress"] == 100
    assert ProviderReturn.objects.get().pk == done["return_id"]
    assert _api_get(token_issue(user=people["pho"], name="test"), accepted["url"])[0] == 404


def test_the_api_reports_a_refused_upload_cell_by_cell(client, people, data_set, django_capture_on_commit_callbacks):
    token = token_issue(user=people["ngo"], name="test")
    client.force_login(people["ngo"])
    content = _filled(client, data_set, {"C6": "2025-13", "C9": 1, "C10": 1, "C11": 1})
    with django_capture_on_commit_callbacks(execute=True):
        status, accepted = _api_upload(token, data_set.code, "march.xlsx", content)
    status, refused = _api_get(token, accepted["url"])
    assert status == 200 and refused["status"] == "refused" and refused["return_id"] is None
    assert [(p["sheet"], p["cell"]) for p in refused["problems"]] == [("Return", "C6")]
    assert ProviderReturn.objects.count() == 0


def test_a_small_template_is_still_read_at_once_through_the_api(client, people, data_set, monkeypatch):
    monkeypatch.setenv("ROCC_LIMIT_INLINE_UPLOAD_KB", "1024")
    token = token_issue(user=people["ngo"], name="test")
    client.force_login(people["ngo"])
    content = _filled(client, data_set, {"C6": "2025-03", "C9": 12, "C10": 7, "C11": 0})
    status, filled = _api_upload(token, data_set.code, "march.xlsx", content)
    assert status == 200 and filled["figures"] == 3 and filled["created"] is True
    assert filled["provider_return"]["values"] == {WHANAU: 12, COUNSELLING: 7, HUBS: 0} and TemplateUpload.objects.count() == 0
    status, refused = _api_upload(token, data_set.code, "notes.xlsx", b"provider,period\n")
    assert status == 422 and "not an Excel workbook" in refused["problems"][0]["message"]
