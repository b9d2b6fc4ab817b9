"""Board slides from a PDF: each page rendered to a WebP image at upload (pypdfium2), limits on
size and page count, damaged or protected PDFs refused with a clear 422, late joiners see the
page the teacher turned to. The PDFs are written by hand here (a few coloured rectangles)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.core.errors import TooLarge
from app.extensions import db
from app.models import LiveEvent, LiveSlide
from app.services import live, live_slides, slide_pdf

RED, GREEN, BLUE = (1, 0, 0), (0, 1, 0), (0, 0, 1)


def make_pdf(colours: list[tuple[int, int, int]], size=(960, 540)) -> bytes:
    """A PDF whose page i is filled with colours[i] (a valid file: objects, xref, trailer)."""
    width, height = size
    count = len(colours)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(count))
        + b"] /Count %d >>" % count,
    ]
    for i, (r, g, b) in enumerate(colours):
        content = b"%d %d %d rg 0 0 %d %d re f" % (r, g, b, width, height)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R >>"
            % (width, height, 4 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (n, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _upload(web, session_id: int, data: bytes, name: str = "bai-giang.pdf"):
    token = web.csrf(f"/live/{session_id}")
    return web.client.post(
        f"/live/{session_id}/slides",
        data={"file": (io.BytesIO(data), name), "csrf_token": token},
        content_type="multipart/form-data",
    )


@pytest.fixture
def running(make, school):
    course, teacher, students = make.gradebook_course(school, students=2)
    return live.start_session(teacher, course.id), teacher, students


def test_each_page_of_a_pdf_becomes_a_webp_slide_of_its_colour(web, running):
    session, teacher, _students = running
    web.login(teacher.username)
    response = _upload(web, session.id, make_pdf([RED, GREEN, BLUE]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [s["filename"] for s in body["slides"]] == [
        "bai-giang.pdf (1/3)",
        "bai-giang.pdf (2/3)",
        "bai-giang.pdf (3/3)",
    ]
    assert body["added"] == [s["id"] for s in body["slides"]]
    for slide, colour in zip(body["slides"], [RED, GREEN, BLUE], strict=True):
        served = web.client.get(f"/live/slides/{slide['id']}")
        assert served.status_code == 200 and served.mimetype == "image/webp"
        image = Image.open(io.BytesIO(served.data))
        assert image.size == (1600, 900)  # 16:9 page fitted into 1600 x 1600
        r, g, b = image.convert("RGB").getpixel((800, 450))
        assert (r > 200, g > 200, b > 200) == tuple(bool(c) for c in colour)
    logged = db.session.scalars(select(LiveEvent).where(LiveEvent.kind == "slide_added")).one()
    assert logged.data["pages"] == 3 and logged.data["slide_ids"] == body["added"]


def test_a_late_joiner_sees_the_pdf_page_the_teacher_turned_to(web, running, connect):
    session, teacher, (pupil, _other) = running
    web.login(teacher.username)
    added = _upload(web, session.id, make_pdf([RED, GREEN])).get_json()["added"]
    tclient = connect(teacher)
    assert tclient.emit(
        "join_session", {"session_id": session.id}, namespace="/live", callback=True
    )["ok"]
    ack = tclient.emit(
        "board_set",
        {"session_id": session.id, "slide_id": added[1]},
        namespace="/live",
        callback=True,
    )
    assert ack["ok"], ack
    late = connect(pupil)
    state = late.emit("join_session", {"session_id": session.id}, namespace="/live", callback=True)
    assert state["state"]["board"]["slide_id"] == added[1]
    assert [s["id"] for s in state["state"]["slides"]] == added


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"%PDF-1.4\nthis is not a pdf at all\n%%EOF", 422, "bad_pdf"),
        (make_pdf([RED])[:60], 422, "bad_pdf"),  # cut short
        (
            b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
            b"trailer\n<< /Root 1 0 R >>\n%%EOF",
            422,
            "bad_pdf",
        ),  # no page
        (b"plain text", 400, "not_an_image"),
    ],
)
def test_bad_pdfs_are_refused_with_a_clear_message(web, running, data, status, code):
    session, teacher, _students = running
    web.login(teacher.username)
    response = _upload(web, session.id, data)
    assert response.status_code == status, response.get_json()
    if code:
        error = response.get_json()["error"]
        assert error["code"] == code and error["message"]
        assert db.session.scalar(select(func.count()).select_from(LiveSlide)) == 0


def test_page_count_and_size_limits(web, running, monkeypatch):
    session, teacher, _students = running
    web.login(teacher.username)
    monkeypatch.setattr(slide_pdf, "MAX_PAGES", 2)
    too_many = _upload(web, session.id, make_pdf([RED, GREEN, BLUE]))
    assert too_many.status_code == 413 and too_many.get_json()["error"]["code"] == "too_many_pages"
    monkeypatch.setattr(slide_pdf, "MAX_PDF_BYTES", 100)
    too_big = _upload(web, session.id, make_pdf([RED]))
    assert too_big.status_code == 413 and too_big.get_json()["error"]["code"] == "pdf_too_large"
    assert db.session.scalar(select(func.count()).select_from(LiveSlide)) == 0


def test_a_pdf_cannot_push_the_session_past_its_slide_limit(running, monkeypatch):
    session, teacher, _students = running
    monkeypatch.setattr(live_slides, "MAX_SLIDES", 3)
    live_slides.add_slides(teacher, session.id, "a.pdf", make_pdf([RED, GREEN]))
    with pytest.raises(TooLarge):
        live_slides.add_slides(teacher, session.id, "b.pdf", make_pdf([RED, GREEN]))
    assert db.session.scalar(select(func.count()).select_from(LiveSlide)) == 2


def test_a_huge_page_is_scaled_into_the_box(running):
    pages = slide_pdf.render(make_pdf([BLUE], size=(14400, 200)))
    image = Image.open(io.BytesIO(pages[0]))
    assert image.size[0] == 1600 and image.size[1] <= 23


def test_students_cannot_upload(other_browser, running):
    session, _teacher, (pupil, _other) = running
    other_browser.login(pupil.username)
    response = _upload(other_browser, session.id, make_pdf([RED]))
    assert response.status_code == 403
