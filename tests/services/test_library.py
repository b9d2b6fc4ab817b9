"""The school library: offer, review by the subject's lead (or the admin), notices to the
teacher, accent-insensitive search by subject/grade/topic, and independent copies."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core import storage
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import LessonFile, Notification, StoredBlob
from app.services import courses, library, library_leads

PDF = "%PDF-1.4\nhàm số\n".encode()


@pytest.fixture
def world(make, school, frozen_now):
    admin = make.user(school, "admin", username="qt")
    author = make.user(school, "teacher", username="gv.an", full_name="Cô An")
    lead = make.user(school, "teacher", username="tt.toan", full_name="Thầy Tổ trưởng")
    reader = make.user(school, "teacher", username="gv.binh", full_name="Cô Bình")
    student = make.user(school, "student", username="hs")
    k10 = make.school_class(school, "10A1")
    k10b = make.school_class(school, "10A2")
    course = make.course(school, k10, author)
    target = make.course(school, k10b, reader)
    section = make.section(course, "Chủ đề 2: Hàm số bậc hai")
    lesson = make.lesson(section, "Đồ thị hàm số bậc hai", "<p>Parabol <script>x</script></p>")
    courses.attach_file(author, lesson.id, "Phiếu học tập.pdf", PDF)
    courses.add_link(author, lesson.id, "https://igiaoduc.vn/bai-giang", "Video bài giảng")
    target_section = make.section(target, "Chủ đề 2")
    return {
        "admin": admin,
        "author": author,
        "lead": lead,
        "reader": reader,
        "student": student,
        "course": course,
        "lesson": lesson,
        "target_section": target_section,
    }


def _notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def _lead(world):
    library_leads.set_lead(world["admin"], world["course"].subject_id, world["lead"].id)


def test_offer_goes_to_the_subject_lead_who_approves_and_the_teacher_is_told(world):
    _lead(world)
    item = library.offer(world["author"], world["lesson"].id)
    assert item.status == "pending" and item.grade == 10
    assert item.topic == "Chủ đề 2: Hàm số bậc hai" and len(item.files) == 1
    assert [n.kind for n in _notes(world["lead"])] == ["material_review"]
    assert _notes(world["admin"]) == []
    assert library.pending_reviews(world["lead"]) == [item]
    assert library.pending_reviews(world["reader"]) == []
    library.review(world["lead"], item.id, "approve", "Tốt, dùng chung được")
    [note] = _notes(world["author"])
    assert note.kind == "material_decision" and "được duyệt" in note.title
    assert "Tốt, dùng chung được" in note.body


def test_without_a_lead_the_school_admin_reviews(world):
    item = library.offer(world["author"], world["lesson"].id)
    assert [n.kind for n in _notes(world["admin"])] == ["material_review"]
    library.review(world["admin"], item.id, "reject", "Thiếu đáp án")
    assert item.status == "rejected" and item.review_comment == "Thiếu đáp án"


def test_other_teachers_cannot_review_and_rejection_needs_a_comment(world):
    _lead(world)
    item = library.offer(world["author"], world["lesson"].id)
    with pytest.raises(Forbidden):
        library.review(world["reader"], item.id, "approve")
    with pytest.raises(Forbidden):
        library.review(world["author"], item.id, "approve")
    with pytest.raises(ValidationFailed, match="lý do"):
        library.review(world["lead"], item.id, "reject", "  ")
    with pytest.raises(Conflict):
        library.offer(world["author"], world["lesson"].id)
    library.review(world["lead"], item.id, "approve")
    with pytest.raises(Conflict):
        library.review(world["lead"], item.id, "reject", "đổi ý")


def test_only_the_course_teacher_offers_a_lesson(world):
    with pytest.raises(NotFound):  # not her course: it does not exist for her
        library.offer(world["reader"], world["lesson"].id)
    with pytest.raises((Forbidden, NotFound)):
        library.offer(world["student"], world["lesson"].id)


def test_search_finds_approved_material_without_accents_by_subject_grade_topic(world):
    item = library.offer(world["author"], world["lesson"].id)
    assert library.search(world["reader"], "ham so") == []  # not approved yet
    library.review(world["admin"], item.id, "approve")
    reader = world["reader"]
    assert library.search(reader, "do thi ham so") == [item]
    assert library.search(reader, "PARABOL") == [item]
    assert library.search(reader, "", subject_id=item.subject_id, grade=10) == [item]
    assert library.search(reader, "", grade=11) == []
    assert library.search(reader, "", topic="ham so bac hai") == [item]
    assert library.search(reader, "", topic="lượng giác") == []
    assert library.search(reader, "100%") == []
    with pytest.raises(Forbidden):
        library.search(world["student"], "ham")


def test_copy_is_an_independent_lesson_sharing_the_stored_file(world):
    item = library.offer(world["author"], world["lesson"].id)
    library.review(world["admin"], item.id, "approve")
    copy = library.copy_to(world["reader"], item.id, world["target_section"].id)
    assert copy.course_id == world["target_section"].course_id
    assert "<script>" not in copy.body_html and "Parabol" in copy.body_html
    assert [link.label for link in copy.links] == ["Video bài giảng"]
    digests = db.session.scalars(select(LessonFile.sha256)).all()
    assert len(digests) == 2 and len(set(digests)) == 1
    blobs = db.session.scalars(select(StoredBlob)).all()
    assert len(blobs) == 1 and blobs[0].sha256 == digests[0]
    assert storage.read_named(blobs[0].storage_name) == PDF
    copy.title = "Bản của cô Bình"
    db.session.commit()
    db.session.refresh(world["lesson"])
    assert world["lesson"].title == "Đồ thị hàm số bậc hai"
    assert db.session.scalar(select(func.count(LessonFile.id))) == 2


def test_copy_needs_an_approved_item_and_a_section_of_ones_own_course(world):
    item = library.offer(world["author"], world["lesson"].id)
    with pytest.raises(NotFound):  # waiting items are not visible to other teachers
        library.copy_to(world["reader"], item.id, world["target_section"].id)
    library.review(world["admin"], item.id, "approve")
    own_section = world["lesson"].section_id
    with pytest.raises(NotFound):
        library.copy_to(world["reader"], item.id, own_section)


def test_another_school_sees_nothing(world, make):
    item = library.offer(world["author"], world["lesson"].id)
    library.review(world["admin"], item.id, "approve")
    other = make.school("THPT2", "Trường khác")
    stranger = make.user(other, "teacher", username="gv.xa")
    assert library.search(stranger, "ham so") == []
    with pytest.raises(NotFound):
        library.get_item(stranger, item.id)


def test_lead_must_be_a_teacher_of_the_school(world, make):
    with pytest.raises(ValidationFailed):
        library_leads.set_lead(world["admin"], world["course"].subject_id, world["student"].id)
    with pytest.raises(Forbidden):
        library_leads.set_lead(world["author"], world["course"].subject_id, world["author"].id)
    _lead(world)
    assert library_leads.lead_of(world["course"].school_id, world["course"].subject_id).id == (
        world["lead"].id
    )
    library_leads.set_lead(world["admin"], world["course"].subject_id, "")
    assert library_leads.lead_of(world["course"].school_id, world["course"].subject_id) is None


def test_topic_is_filtered_in_the_database_so_an_old_match_behind_many_others_is_found(
    world, frozen_now
):
    from datetime import timedelta

    from app.models import LibraryItem

    course = world["course"]
    approved = {"school_id": course.school_id, "subject_id": course.subject_id, "grade": 10}
    wanted = LibraryItem(
        **approved,
        topic="Chủ đề 5: Lượng giác",
        topic_folded="chu de 5: luong giac",
        title="Công thức lượng giác",
        status="approved",
        reviewed_at=frozen_now - timedelta(days=400),
    )
    others = [
        LibraryItem(
            **approved,
            topic=f"Chủ đề {n}: Hàm số",
            topic_folded=f"chu de {n}: ham so",
            title=f"Bài {n}",
            status="approved",
            reviewed_at=frozen_now - timedelta(days=n % 300),
        )
        for n in range(520)
    ]
    db.session.add_all([wanted, *others])
    db.session.commit()
    assert library.search(world["reader"], topic="luong GIÁC") == [wanted]
    assert library.search(world["reader"], topic="100%") == []
    assert len(library.search(world["reader"], topic="ham so", limit=30)) == 30
