"""A file to analyse larger than ROCC_LIMIT_INLINE_UPLOAD_KB is kept owner-only in the data directory and checked by
the worker; the page follows the check, then offers the file's columns, and its runs go to the worker too. A file
the worker refuses (not UTF-8, a bomb) shows its located reason and nothing of it is kept."""

import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rocc.analysis.inputs import read_table
from rocc.analysis_pages.models import AnalysisRun, AnalysisUpload, RunStatus
from rocc.analysis_pages.tests.conftest import LONDON
from rocc.core.tests.test_hostile_files import xlsx_bomb
from rocc.events import store


@pytest.fixture(autouse=True)
def worker_checks_every_upload(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("ROCC_LIMIT_INLINE_UPLOAD_KB", "100")  # the London file (145 KB) goes to the worker
    settings.ROCC_DATA_DIR = tmp_path


def _kept_files() -> list:
    folder = store.data_dir() / "analyses" / "incoming"
    return sorted(folder.iterdir()) if folder.exists() else []


def _send(client, name: str, content: bytes):
    response = client.post("/analyses/concentration/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"], int(response["Location"].split("upload=")[1])


def test_a_large_file_is_checked_by_the_worker_then_its_columns_are_offered_and_its_run_is_the_workers(
    analyst_client, waitemata, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page_url, upload_id = _send(analyst_client, "london.csv", LONDON.read_bytes())
    upload = AnalysisUpload.objects.get(pk=upload_id)
    assert upload.status == RunStatus.QUEUED and upload.columns == [] and bytes(upload.content) == b""
    [kept] = _kept_files()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and kept.read_bytes() == LONDON.read_bytes()
    waiting = analyst_client.get(page_url).content.decode()
    assert f'hx-get="/analyses/uploads/{upload_id}/status/"' in waiting and "Run the analysis</button>" not in waiting

    for callback in queued:
        callback()  # the worker's turn: the immediate backend runs the check here

    upload.refresh_from_db()
    assert upload.status == RunStatus.DONE and "Location" in upload.columns and upload.rows == len(read_table(LONDON)) and _kept_files() == []
    assert bytes(upload.content) == LONDON.read_bytes()
    polled = analyst_client.get(f"/analyses/uploads/{upload_id}/status/")
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"
    ready = analyst_client.get(page_url).content.decode()
    assert '<option value="Location">Location</option>' in ready and "Run the analysis</button>" in ready

    response = analyst_client.post("/analyses/concentration/run/", {"scope_unit": waitemata.pk, "upload": upload_id, "unit": "Location", "units_total": "2000"})
    assert response.status_code == 302
    run = AnalysisRun.objects.get()
    assert run.upload_id == upload_id and run.status == RunStatus.DONE and run.started_at != run.finished_at  # run by the worker
    assert "gini" in run.result


def test_a_large_file_the_worker_refuses_shows_its_located_reason_and_nothing_is_kept(analyst_client, django_capture_on_commit_callbacks):
    content = b"Location,Crime type\n" + b"On or near Fleet Street,Theft\n" * 4000 + b"On or near Caf\xe9 Row,Theft\n"
    with django_capture_on_commit_callbacks(execute=True):
        page_url, upload_id = _send(analyst_client, "latin1.csv", content)
    upload = AnalysisUpload.objects.get(pk=upload_id)
    assert upload.status == RunStatus.FAILED and upload.columns == [] and bytes(upload.content) == b"" and _kept_files() == []
    assert "latin1.csv, row 4,002: the file is not UTF-8 text" in upload.error and "save it as UTF-8" in upload.error
    page = analyst_client.get(page_url).content.decode()
    assert "latin1.csv cannot be analysed, and nothing of it was kept" in page and "row 4,002" in page
    assert "Upload and choose columns</button>" in page and "hx-get" not in page


def test_an_excel_bomb_sent_to_the_worker_is_refused_with_its_reason(analyst_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, upload_id = _send(analyst_client, "bomb.xlsx", xlsx_bomb())
    upload = AnalysisUpload.objects.get(pk=upload_id)
    assert upload.status == RunStatus.FAILED and _kept_files() == []
    assert upload.error.startswith("bomb.xlsx: its part xl/worksheets/sheet1.xml inflates") and "ROCC_LIMIT_COMPRESSION_RATIO" in upload.error


def test_another_analyst_cannot_follow_an_upload(analyst_client, make_user, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        _, upload_id = _send(analyst_client, "london.csv", LONDON.read_bytes())
    client.force_login(make_user("analyst", units=["waitemata"], username="another-analyst"))
    assert client.get(f"/analyses/uploads/{upload_id}/status/").status_code == 404
