"""Question-bank pages and API: import from the browser, preview, export, who may see keys."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import Question, QuestionAsset
from app.services import question_bank_access, question_files

GIFT = "::Thủ đô::Thủ đô của Việt Nam là gì?{=Hà Nội ~Huế ~Đà Nẵng}\n".encode()


def _bank(school, name="Địa lí 10", owner=None):
    bank = question_bank_access.ensure_bank(owner, school.id, name)
    db.session.commit()
    return bank


def test_teacher_creates_bank_imports_and_previews(client, web, make, school):
    make.user(school, "teacher", username="gv")
    web.login("gv")
    response = web.post_form("/banks", {"name": "Địa lí 10", "subject": "Địa lí"})
    assert response.status_code == 302
    bank_url = response.headers["Location"]
    bank_id = int(bank_url.rsplit("/", 1)[1])
    preview = web.post_form(
        f"/banks/{bank_id}/import",
        {"file": (io.BytesIO(GIFT), "dia.gift")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    assert 'id="valid-count">1<' in preview.get_data(as_text=True)
    assert db.session.scalar(select(Question)) is None  # nothing saved before the confirm
    result = web.post_form(f"/banks/{bank_id}/import/confirm", token_page=bank_url)
    assert "1 câu mới" in result.get_data(as_text=True)
    question = db.session.scalar(select(Question))
    page = client.get(f"/banks/{bank_id}/questions/{question.id}").get_data(as_text=True)
    assert "Hà Nội" in page and "đúng" in page
    listing = client.get(f"/banks/{bank_id}?q=thu do").get_data(as_text=True)
    assert f"/banks/{bank_id}/questions/{question.id}" in listing


def test_unreadable_upload_shows_the_reason_with_4xx(client, web, make, school):
    bank = _bank(school, owner=make.user(school, "teacher", username="gv"))
    web.login("gv")
    response = web.post_form(
        f"/banks/{bank.id}/import",
        {"file": (io.BytesIO(b"\x00\x01 rubbish"), "x.bin")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Không nhận ra định dạng" in response.get_data(as_text=True)


def test_export_downloads_a_file(client, web, make, school):
    make.user(school, "teacher", username="gv")
    bank = _bank(school)
    question_files.import_file(None, bank, GIFT, "a.gift", "gift")
    web.login("gv")
    response = client.get(f"/banks/{bank.id}/export/gift")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Hà Nội" in response.get_data(as_text=True)


def test_xlsx_template_downloads(client, web, make, school):
    make.user(school, "teacher", username="gv")
    web.login("gv")
    response = client.get("/banks/template.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_students_and_parents_never_see_banks(client, web, make, school):
    bank = _bank(school)
    for role in ("student", "parent"):
        make.user(school, role, username=f"u.{role}")
        web.login(f"u.{role}")
        assert client.get("/banks").status_code == 403
        assert client.get(f"/banks/{bank.id}").status_code == 403
        web.post_form("/logout")
        headers = web.bearer(f"u.{role}")
        assert client.get(f"/api/v1/banks/{bank.id}/questions", headers=headers).status_code == 403


def test_other_schools_teacher_gets_404_for_bank_question_and_asset(
    client, web, make, school, fixtures
):
    bank = _bank(school)
    data = (fixtures / "questions/moodlexml/multichoice.xml").read_bytes()
    question_files.import_file(None, bank, data, "m.xml")
    asset = db.session.scalar(select(QuestionAsset))
    question = db.session.scalar(select(Question))
    other = make.school("KHAC", "Trường khác")
    make.user(other, "teacher", username="gv2")
    web.login("gv2")
    assert client.get(f"/banks/{bank.id}").status_code == 404
    assert client.get(f"/banks/{bank.id}/questions/{question.id}").status_code == 404
    assert client.get(f"/banks/assets/{asset.id}").status_code == 404
    headers = web.bearer("gv2")
    assert client.get(f"/api/v1/banks/{bank.id}/questions", headers=headers).status_code == 404


def test_asset_is_served_with_its_type_and_a_sandbox(client, web, make, school, fixtures):
    make.user(school, "teacher", username="gv")
    bank = _bank(school)
    question_files.import_file(
        None, bank, (fixtures / "questions/moodlexml/multichoice.xml").read_bytes(), "m.xml"
    )
    asset = db.session.scalar(select(QuestionAsset))
    web.login("gv")
    response = client.get(f"/banks/assets/{asset.id}")
    assert response.status_code == 200
    assert response.mimetype == asset.mime_type
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_api_lists_banks_and_questions_with_keys_for_teachers(client, web, make, school):
    make.user(school, "teacher", username="gv")
    bank = _bank(school)
    question_files.import_file(None, bank, GIFT, "a.gift", "gift")
    headers = web.bearer("gv")
    banks = client.get("/api/v1/banks", headers=headers).get_json()["items"]
    assert [b["name"] for b in banks] == ["Địa lí 10"]
    body = client.get(f"/api/v1/banks/{bank.id}/questions?q=ha noi", headers=headers).get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["type"] == "single_choice"
    correct = [o for o in item["content"]["options"] if o["is_correct"]]
    assert [o["html"] for o in correct] == ["Hà Nội"]


def test_preview_lists_problems_and_imports_only_the_good_ones(client, web, make, school):
    bank = _bank(school, owner=make.user(school, "teacher", username="gv"))
    web.login("gv")
    aiken = "Câu tốt?\nA. 1\nB. 2\nANSWER: A\n\nCâu thiếu đáp án?\nA. 1\nB. 2\n".encode()
    preview = web.post_form(
        f"/banks/{bank.id}/import",
        {"file": (io.BytesIO(aiken), "a.txt"), "format": "aiken"},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'id="valid-count">1<' in preview and "preview-problems" in preview
    result = web.post_form(f"/banks/{bank.id}/import/confirm", token_page=f"/banks/{bank.id}")
    assert "1 câu mới" in result.get_data(as_text=True)


def test_confirm_without_a_preview_imports_nothing(client, web, make, school):
    make.user(school, "teacher", username="gv")
    bank = _bank(school)
    web.login("gv")
    response = web.post_form(f"/banks/{bank.id}/import/confirm", follow_redirects=True)
    assert "Không có tệp nào đang chờ nhập" in response.get_data(as_text=True)


def test_student_preview_shows_choices_without_the_key(client, web, make, school):
    make.user(school, "teacher", username="gv")
    bank = _bank(school)
    gift = ("::C::Thủ đô {=Hà Nội ~Huế} của Việt Nam\n\n::M::Ghép{=Một -> 1 =Hai -> 2}\n").encode()
    question_files.import_file(None, bank, GIFT + b"\n" + gift, "a.gift", "gift")
    web.login("gv")
    for question in db.session.scalars(select(Question)):
        page = client.get(f"/banks/{bank.id}/questions/{question.id}").get_data(as_text=True)
        preview = page[page.index('id="student-preview"') :]
        assert "đúng</span>" not in preview and "is_correct" not in preview
        if question.type == "cloze":
            assert '<select class="form-select' in preview and "Hà Nội" in preview
        if question.type == "single_choice":
            assert 'type="radio"' in preview


def test_bank_sharing_controls_who_sees_it(client, web, make, school):
    owner = make.user(school, "teacher", username="gv.toan")
    colleague = make.user(school, "teacher", username="gv.toan2")
    make.user(school, "teacher", username="gv.van")
    klass = make.school_class(school, "10A1")
    make.course(school, klass, colleague, "Toán")
    bank = question_bank_access.create_bank(owner, "Toán 10", "Toán")
    web.login("gv.toan2")
    assert client.get(f"/banks/{bank.id}").status_code == 200  # same subject group
    web.post_form("/logout")
    web.login("gv.van")
    assert client.get(f"/banks/{bank.id}").status_code == 404
    question_bank_access.share_bank(owner, bank.id, "school")
    assert client.get(f"/banks/{bank.id}").status_code == 200
    # seeing is not changing: only the owner (or an admin) imports or shares
    response = web.post_form(f"/banks/{bank.id}/share", {"shared_with": "none"})
    assert response.status_code == 403
    question_bank_access.share_bank(owner, bank.id, "none")
    assert client.get(f"/banks/{bank.id}").status_code == 404


def test_bulk_move_and_tag(client, web, make, school):
    teacher = make.user(school, "teacher", username="gv")
    bank = question_bank_access.create_bank(teacher, "Địa lí", "Địa lí")
    gift = ("::A::Câu A?{=1 ~2}\n\n::B::Câu B?{=1 ~2}\n").encode()
    question_files.import_file(teacher, bank, gift, "a.gift", "gift")
    ids = [q.id for q in db.session.scalars(select(Question))]
    web.login("gv")
    web.post_form(
        f"/banks/{bank.id}/bulk",
        {"question_id": ids, "category_path": "Chương 2", "tag": "ôn tập"},
        token_page=f"/banks/{bank.id}",
    )
    db.session.expire_all()
    for question in db.session.scalars(select(Question)):
        assert question.category.path == "Chương 2" and question.tags == "ôn tập"


def test_only_those_who_may_change_a_bank_see_its_edit_controls(client, web, make, school):
    owner = make.user(school, "teacher", username="gv.chu")
    make.user(school, "teacher", username="gv.khac")
    bank = question_bank_access.create_bank(owner, "Sử 10", "Lịch sử")
    question_bank_access.share_bank(owner, bank.id, "school")
    web.login("gv.chu")
    web.post_form(
        f"/banks/{bank.id}/import",
        {"file": (io.BytesIO(GIFT), "su.gift")},
        content_type="multipart/form-data",
    )
    web.post_form(f"/banks/{bank.id}/import/confirm", token_page=f"/banks/{bank.id}")
    question = db.session.scalar(select(Question).where(Question.bank_id == bank.id))
    bank_page = client.get(f"/banks/{bank.id}").get_data(as_text=True)
    question_page = client.get(f"/banks/{bank.id}/questions/{question.id}").get_data(as_text=True)
    assert 'id="new-question"' in bank_page and 'id="share-form"' in bank_page
    assert 'id="edit-question"' in question_page
    web.post_form("/logout")
    web.login("gv.khac")  # sees the shared bank, may not change it
    bank_page = client.get(f"/banks/{bank.id}").get_data(as_text=True)
    question_page = client.get(f"/banks/{bank.id}/questions/{question.id}").get_data(as_text=True)
    assert "Sử 10" in bank_page and 'id="new-question"' not in bank_page
    assert 'id="share-form"' not in bank_page and 'id="edit-question"' not in question_page
