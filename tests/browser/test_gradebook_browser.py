"""The score grid in a real Chromium: type, move with the keyboard, paste a column, save."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PASTE = """(args) => {
  const [selector, text] = args;
  const data = new DataTransfer();
  data.setData("text/plain", text);
  document.querySelector(selector).dispatchEvent(
    new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def _cell(code: str, column: str) -> str:
    return f'tr[data-code="{code}"] input[data-column="{column}"]'


def _open_grid(page, live_url, make, school):
    course, teacher, _ = make.gradebook_course(school)
    page.goto(f"{live_url}/login")
    page.fill("#username", teacher.username)
    page.fill("#password", "matkhau123")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/gradebook/courses/{course.id}?semester=1")
    page.wait_for_selector("#gradebook-grid")
    return course


def test_teacher_types_pastes_a_column_saves_and_sees_averages(page, live_url, make, school):
    _open_grid(page, live_url, make, school)
    page.click(_cell("HS001", "tx1"))
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.closest('tr').dataset.code")
    assert focused == "HS002"
    page.keyboard.type("6")
    # A column copied from Excel: one value per line, pasted from HS001's TX2 down.
    page.evaluate(PASTE, [_cell("HS001", "tx2"), "7\r\n7\r\n9\r\n"])
    assert page.input_value(_cell("HS003", "tx2")) == "9"
    page.click(_cell("HS001", "tx3"))
    page.keyboard.type("9")
    page.keyboard.press("ArrowRight")
    page.keyboard.type("7,5")
    page.keyboard.press("ArrowRight")
    page.keyboard.type("11")
    assert "is-invalid" in page.get_attribute(_cell("HS001", "ck"), "class")
    page.click("#gb-save")
    assert "chưa hợp lệ" in page.inner_text("#gb-status")
    page.fill(_cell("HS001", "ck"), "8")
    page.click("#gb-save")
    page.wait_for_selector("#gb-status:has-text('Đã lưu')")
    row = 'tr[data-code="HS001"]'
    assert page.inner_text(f"{row} .gb-average") == "7,9"
    assert page.inner_text(f"{row} .gb-status") == "Đủ điểm"
    assert page.inner_text('tr[data-code="HS002"] .gb-status') == "Thiếu điểm"
    page.reload()
    assert page.input_value(_cell("HS001", "gk")) == "7,5"
    assert page.problems == []


def test_server_refusal_is_shown_and_nothing_is_saved(page, live_url, make, school):
    from app.services.gradebook import set_lock

    course = _open_grid(page, live_url, make, school)
    set_lock(make.user(school, "admin"), course.school_year_id, 1, True)
    page.fill(_cell("HS001", "tx1"), "8")
    page.click("#gb-save")
    page.wait_for_selector("#gb-errors li")
    assert "khoá sổ" in page.inner_text("#gb-errors")
    assert "is-invalid" in page.get_attribute(_cell("HS001", "tx1"), "class")
    page.fill("#gb-reason", "Nhập bổ sung")
    page.click("#gb-save")
    page.wait_for_selector("#gb-status:has-text('Đã lưu 1')")
    assert [p for p in page.problems if not p.startswith("422 ")] == []


def test_grid_is_usable_on_a_phone(browser, live_url, make, school):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        _open_grid(page, live_url, make, school)
        page.click(_cell("HS001", "tx1"))
        page.keyboard.type("9")
        assert page.is_visible("#gb-save")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 380  # the table scrolls inside its box, the page does not
    finally:
        context.close()
