"""Phones on slow connections: after the first visit, the student's to-do, course, homework and
submit pages each cost under 100 KB of transfer (HTML + CSS + JS), measured in Chromium from
its own network events (CDP `Network.loadingFinished.encodedDataLength`: headers and bodies as
they went over the wire). Static files are versioned and cached, so only the HTML comes back."""

from __future__ import annotations

import pytest

from app.services import courses, homework_files

pytestmark = pytest.mark.browser

BUDGET = 100 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


class Wire:
    """Bytes Chromium received per request since the last `reset()`."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, float] = {}
        self.statuses: dict[str, str] = {}
        self.cached: set[str] = set()
        self.session.on("Network.requestWillBeSent", self._sent)
        self.session.on("Network.responseReceived", self._received)
        self.session.on("Network.requestServedFromCache", self._from_cache)
        self.session.on("Network.loadingFinished", self._finished)
        self.session.send("Network.enable")

    def _sent(self, event):
        self.urls[event["requestId"]] = event["request"]["url"]

    def _received(self, event):
        response = event["response"]
        cached = response.get("fromDiskCache") or event["requestId"] in self.cached
        self.statuses[event["requestId"]] = "cache" if cached else str(response["status"])

    def _from_cache(self, event):
        self.cached.add(event["requestId"])

    def _finished(self, event):
        self.sizes[event["requestId"]] = event["encodedDataLength"]

    def reset(self):
        self.urls.clear()
        self.sizes.clear()
        self.statuses.clear()
        self.cached.clear()

    def total(self) -> int:
        return int(sum(self.sizes.values()))

    def detail(self) -> list[tuple[str, str, int]]:
        """(url, HTTP status or "cache", bytes) of every request seen."""
        return [
            (self.urls.get(k, k), self.statuses.get(k, "cache"), int(self.sizes.get(k, 0)))
            for k in self.urls
        ]


def _world(make, school):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    make.enrol(make.user(school, "student", username="hs", full_name="Lê Thị Mai"), klass)
    course = make.course(school, klass, teacher)
    section = make.section(course, "Chủ đề 1: Phương trình bậc hai")
    for n in range(1, 4):
        lesson = make.lesson(
            section, f"Bài {n}", f"<p>Công thức \\(x_{n} = \\frac{{-b}}{{2a}}\\)</p>"
        )
        courses.attach_file(teacher, lesson.id, f"Phiếu {n}.pdf", PDF)
    assignment = make.assignment(course, title="Bài tập chương 1", instructions_html="<p>Giải</p>")
    homework_files.attach(teacher, assignment.id, "Đề bài.pdf", PDF)
    return course, assignment


def test_student_pages_weigh_under_100_kb_after_the_first_visit(
    page, live_url, make, school, record_property
):
    course, assignment = _world(make, school)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_url}/login")
    page.fill("#username", "hs")
    page.fill("#password", "matkhau123")
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    wire = Wire(page)
    pages = {
        "todo": f"{live_url}/homework/todo",
        "course": f"{live_url}/courses/{course.id}",
        "homework": f"{live_url}/homework/{assignment.id}",
    }
    first, second, seen = {}, {}, {}
    for visit in (first, second):
        for name, url in pages.items():
            wire.reset()
            page.goto(url, wait_until="networkidle")
            visit[name], seen[name] = wire.total(), wire.detail()
        wire.reset()
        page.fill("#sub-text", f"Lời giải lần {len(second) + 1}")
        page.click("#submit-form button[type=submit]")
        page.wait_for_selector("#my-submission")
        page.wait_for_load_state("networkidle")
        visit["submit"], seen["submit"] = wire.total(), wire.detail()
    record_property("page_bytes_first_visit", first)
    record_property("page_bytes_second_visit", second)
    print("first visit bytes:", first, "second visit bytes:", second)
    print("second visit requests:", seen)
    assert first["course"] > BUDGET  # the first visit really downloads Bootstrap and KaTeX
    for name, size in second.items():
        assert size < BUDGET, (name, size, seen[name])
        # Chromium always revalidates the favicon (a 304 of headers only); CSS and JS must
        # not even be asked for again.
        versioned = [
            r for r in seen[name] if "?v=" in r[0] and r[0].split("?")[0].endswith((".css", ".js"))
        ]
        assert len(versioned) >= 4, seen[name]  # bootstrap and app, CSS and JS
        assert all(status == "cache" for _url, status, _size in versioned), seen[name]
    assert page.problems == []
