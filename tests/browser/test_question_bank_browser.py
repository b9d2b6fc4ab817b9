"""The question preview renders LaTeX with the app's own KaTeX, with no CSP violation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Question
from app.services import question_bank_access, question_files

pytestmark = pytest.mark.browser

GIFT = "::Đạo hàm::Đạo hàm của \\\\(x^2\\\\) là?{=\\\\(2x\\\\) ~\\\\(x\\\\)}\n".encode()


def test_math_in_a_question_is_rendered_by_katex(page, live_url, make, school):
    make.user(school, "teacher", username="gv")
    bank = question_bank_access.ensure_bank(None, school.id, "Toán 11")
    question_files.import_file(None, bank, GIFT, "toan.gift", "gift")
    question = db.session.scalar(select(Question))
    page.goto(f"{live_url}/login")
    page.fill("#username", "gv")
    page.fill("#password", "matkhau123")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("text=Các lớp tôi dạy")
    page.goto(f"{live_url}/banks/{bank.id}/questions/{question.id}")
    page.wait_for_selector("#question-preview .katex")
    assert page.locator("#question-preview .katex").count() >= 2
    assert page.problems == []
