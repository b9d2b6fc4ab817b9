"""Authoring questions in the editor: every type's fields, validation, versions, archiving."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Question
from app.services import question_bank_access, questions


def _setup(make, school, web):
    teacher = make.user(school, "teacher", username="gv")
    bank = question_bank_access.create_bank(teacher, "Toán 10", "Toán")
    web.login("gv")
    return bank


def test_teacher_writes_a_single_choice_question(client, web, make, school):
    bank = _setup(make, school, web)
    page = f"/banks/{bank.id}/questions/new"
    response = web.post_form(
        page,
        {
            "type": "single_choice",
            "stem_html": "<p>\\(2^3\\) bằng?</p><script>x()</script>",
            "points": "0,25",
            "level": "nhan_biet",
            "category": "Đại số/Lũy thừa",
            "option_0": "6",
            "option_1": "8",
            "correct_1": "1",
            "option_2": "9",
            "explanation_html": "2·2·2 = 8",
            "tags": "lũy thừa, cơ bản",
        },
        token_page=page,
    )
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    content = questions.question_content(question)
    assert [(o.key, o.is_correct) for o in content.options] == [
        ("A", False),
        ("B", True),
        ("C", False),
    ]
    assert str(question.points) == "0.25" and question.level == "nhan_biet"
    assert question.category.path == "Đại số/Lũy thừa"
    assert "<script" not in content.stem_html
    assert content.tags == ["lũy thừa", "cơ bản"]


def test_question_without_a_correct_option_is_refused_with_the_reason(client, web, make, school):
    bank = _setup(make, school, web)
    page = f"/banks/{bank.id}/questions/new"
    response = web.post_form(
        page,
        {"type": "single_choice", "stem_html": "Câu?", "option_0": "1", "option_1": "2"},
        token_page=page,
    )
    assert response.status_code == 422
    assert "đáp án đúng" in response.get_data(as_text=True)
    assert db.session.scalar(select(Question)) is None


def test_numeric_short_answer_true_false_and_cluster(client, web, make, school):
    bank = _setup(make, school, web)
    page = f"/banks/{bank.id}/questions/new"
    cases = [
        {
            "type": "numeric",
            "stem_html": "3,5 + 0 = ?",
            "numeric_value": "3,5",
            "numeric_tolerance": "0,01",
        },
        {
            "type": "short_answer",
            "stem_html": "Thủ đô?",
            "text_answers": "Hà Nội\nHa Noi",
            "is_accent_insensitive": "1",
        },
        {"type": "true_false", "stem_html": "1 + 1 = 2", "answer_bool": "true"},
        {
            "type": "true_false_cluster",
            "stem_html": "Xét các mệnh đề",
            "option_0": "a",
            "correct_0": "1",
            "option_1": "b",
            "option_2": "c",
            "correct_2": "1",
            "option_3": "d",
        },
    ]
    for case in cases:
        assert web.post_form(page, case, token_page=page).status_code == 302, case["type"]
    saved = {q.type: questions.question_content(q) for q in db.session.scalars(select(Question))}
    assert str(saved["numeric"].numeric_answers[0].value) == "3.5"
    assert saved["short_answer"].is_accent_sensitive is False
    assert saved["true_false"].answer_bool is True
    assert [o.key for o in saved["true_false_cluster"].options] == ["a", "b", "c", "d"]


def test_editing_a_used_question_makes_a_new_version_and_keeps_keys(client, web, make, school):
    bank = _setup(make, school, web)
    page = f"/banks/{bank.id}/questions/new"
    web.post_form(
        page,
        {
            "type": "single_choice",
            "stem_html": "Cũ?",
            "option_0": "x",
            "correct_0": "1",
            "option_1": "y",
        },
        token_page=page,
    )
    question = db.session.scalar(select(Question))
    question.versions[-1].is_used = True
    db.session.commit()
    edit = f"/banks/{bank.id}/questions/{question.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert 'name="key_0" value="A"' in form
    response = web.post_form(
        edit,
        {
            "type": "single_choice",
            "stem_html": "Mới?",
            "key_0": "A",
            "option_0": "x",
            "key_1": "B",
            "option_1": "y",
            "correct_1": "1",
        },
        token_page=edit,
    )
    assert response.status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert [v.number for v in question.versions] == [1, 2]
    assert question.versions[0].content["stem_html"] == "Cũ?"
    assert questions.question_content(question).options[1].is_correct


def test_archived_question_leaves_the_list(client, web, make, school):
    bank = _setup(make, school, web)
    page = f"/banks/{bank.id}/questions/new"
    web.post_form(page, {"type": "essay", "stem_html": "Viết đoạn văn."}, token_page=page)
    question = db.session.scalar(select(Question))
    web.post_form(
        f"/banks/{bank.id}/questions/{question.id}/archive", token_page=f"/banks/{bank.id}"
    )
    assert f"/questions/{question.id}" not in client.get(f"/banks/{bank.id}").get_data(as_text=True)


def test_a_colleague_can_use_but_not_edit(client, web, make, school):
    owner = make.user(school, "teacher", username="gv.chu")
    bank = question_bank_access.create_bank(owner, "Chung", "Toán")
    question_bank_access.share_bank(owner, bank.id, "school")
    make.user(school, "teacher", username="gv.khac")
    web.login("gv.khac")
    assert client.get(f"/banks/{bank.id}").status_code == 200
    assert client.get(f"/banks/{bank.id}/questions/new").status_code == 403
