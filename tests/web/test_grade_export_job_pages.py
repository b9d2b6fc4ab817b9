"""Admin page and API for background exports: start, progress (htmx polling), download."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

from openpyxl import load_workbook

from app.services import gradebook_jobs, identity


def _graded(make, school):
    course, _teacher, (one, *_rest) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    return make.user(school, "admin", username="ad")


def _start(client, web, **form):
    token = web.csrf("/gradebook/admin")
    data = {"csrf_token": token, "semester": "1", "format": "smas", **form}
    return client.post("/gradebook/admin/exports", data=data)


def test_admin_starts_an_export_sees_progress_then_downloads_it(client, web, make, school):
    _graded(make, school)
    web.login("ad")
    started = _start(client, web, **{"class": "10a1"})
    assert started.status_code == 303
    page_url = started.headers["Location"]
    job_id = int(re.search(r"/exports/(\d+)$", page_url).group(1))
    page = client.get(page_url).get_data(as_text=True)
    assert 'data-state="queued"' in page
    assert f'hx-get="/gradebook/admin/exports/{job_id}/status"' in page
    assert 'hx-trigger="every 1s"' in page and "vendor/htmx.org/htmx.min.js" in page
    assert "<script>" not in page  # CSP: no inline script
    gradebook_jobs.run_pending()
    fragment = client.get(f"/gradebook/admin/exports/{job_id}/status").get_data(as_text=True)
    assert 'data-state="done"' in fragment and "hx-trigger" not in fragment  # polling stops
    assert f'href="/gradebook/admin/exports/{job_id}/file"' in fragment
    listing = client.get("/gradebook/admin").get_data(as_text=True)
    assert f'data-job="{job_id}"' in listing
    download = client.get(f"/gradebook/admin/exports/{job_id}/file")
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote("Điểm THPT1") in disposition and "10a1" in disposition  # RFC 5987 UTF-8 name
    assert "\n" not in disposition and '"' not in disposition.split("filename*=")[-1]
    book = load_workbook(io.BytesIO(download.data))
    assert book.sheetnames == ["10A1 - Toán"]


def test_bad_filters_show_an_error_and_queue_nothing(client, web, make, school):
    _graded(make, school)
    web.login("ad")
    refused = _start(client, web, **{"class": "12Z"})
    assert refused.status_code == 404
    assert "12Z" in refused.get_data(as_text=True)
    assert _start(client, web, format="pdf").status_code == 422
    assert 'id="export-jobs"' not in client.get("/gradebook/admin").get_data(as_text=True)


def test_a_failed_job_shows_its_reason(app, client, web, make, school, monkeypatch, tmp_path):
    admin = _graded(make, school)
    web.login("ad")
    job_id = int(_start(client, web).headers["Location"].rsplit("/", 1)[1])
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")  # the file store cannot be written: a real OSError in the worker
    monkeypatch.setitem(app.config, "LOPHOC_STORAGE_DIR", str(blocked))
    assert gradebook_jobs.run_pending() == {"done": 0, "failed": 1}
    fragment = client.get(f"/gradebook/admin/exports/{job_id}/status").get_data(as_text=True)
    assert 'data-state="failed"' in fragment and "Lỗi hệ thống" in fragment
    assert client.get(f"/gradebook/admin/exports/{job_id}/file").status_code == 409
    assert gradebook_jobs.get_job(admin, job_id).error.startswith("Lỗi hệ thống")


def test_other_school_admin_and_teachers_cannot_reach_a_job(app, client, web, make, school):
    _graded(make, school)
    web.login("ad")
    job_id = int(_start(client, web).headers["Location"].rsplit("/", 1)[1])
    gradebook_jobs.run_pending()
    other = make.school("THPT2", "Trường khác")
    make.user(other, "admin", username="ad2")
    make.user(school, "teacher", username="gv.x")
    for username, status in (("ad2", 404), ("gv.x", 403)):
        browser = type(web)(app.test_client())
        browser.login(username)
        assert browser.client.get(f"/gradebook/admin/exports/{job_id}").status_code == status
        assert browser.client.get(f"/gradebook/admin/exports/{job_id}/file").status_code == status


def test_api_starts_an_export_reports_progress_and_serves_the_file(client, make, school):
    admin = _graded(make, school)
    token = identity.create_integration_token(admin, "SMAS", ["grades:read"]).token
    roster = identity.create_integration_token(admin, "Roster", ["roster:read"]).token
    headers = {"Authorization": f"Bearer {token}"}
    base = "/api/v1/schools/THPT1/grades/exports"
    refused = client.post(
        base, json={"format": "xlsx"}, headers={"Authorization": f"Bearer {roster}"}
    )
    assert refused.status_code == 403
    assert client.post(base, json={"format": "pdf"}, headers=headers).status_code == 422
    started = client.post(base, json={"semester": "1", "format": "xlsx"}, headers=headers)
    assert started.status_code == 202
    job = started.get_json()
    assert job["state"] == "queued" and job["download_url"] is None
    assert client.get(f"{base}/{job['id']}/file", headers=headers).status_code == 409
    gradebook_jobs.run_pending()
    status = client.get(f"{base}/{job['id']}", headers=headers).get_json()
    assert status["state"] == "done" and status["progress"] == {"done": 3, "total": 3}
    assert status["download_url"] == f"{base}/{job['id']}/file"
    file = client.get(status["download_url"], headers=headers)
    assert file.status_code == 200 and file.data[:2] == b"PK"
    assert (
        client.get(f"/api/v1/schools/THPT2/grades/exports/{job['id']}", headers=headers).status_code
        == 404
    )
