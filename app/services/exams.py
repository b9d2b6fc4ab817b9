"""Exams: create a test from a bank (blueprint or hand-picked), list, publish and release.
The logged changes allowed while an exam runs are in exam_changes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.core.clock import DEFAULT_TIMEZONE, as_utc, now_utc
from app.core.errors import Forbidden, ValidationFailed
from app.core.text import clean_line
from app.extensions import db
from app.models import (
    Attempt,
    ClassMembership,
    Course,
    Exam,
    ExamQuestion,
    Question,
    QuestionCategory,
    Role,
    User,
)
from app.models.exams import COLUMNS, POLICIES, RELEASES, REVIEWS
from app.services import audit, exam_content, question_bank_access, questions
from app.services.access import get_scoped, is_course_staff, require_role

LEVELS = ("nhan_biet", "thong_hieu", "van_dung", "van_dung_cao")
LEVEL_NAMES = {
    "nhan_biet": "Nhận biết",
    "thong_hieu": "Thông hiểu",
    "van_dung": "Vận dụng",
    "van_dung_cao": "Vận dụng cao",
}
MAX_DURATION_MINUTES = 600
MAX_QUESTIONS = 300


@dataclass(frozen=True)
class Pick:
    """One line of a blueprint (ma trận đề): `count` questions of a category, level and type."""

    category: str
    count: int
    level: str | None = None
    qtype: str | None = None
    points: Decimal | None = None


def get_course_for_staff(actor: User, course_id: int) -> Course:
    """The course if the actor teaches it or administers its school; NotFound/Forbidden."""
    require_role(actor, Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)
    course = get_scoped(Course, course_id, actor)
    if not is_course_staff(actor, course):
        raise Forbidden(_("Chỉ giáo viên của lớp học phần này mới được thao tác."))
    return course


def get_exam_for_staff(actor: User, exam_id: int) -> Exam:
    """An exam of a course the actor teaches (or of the admin's school)."""
    require_role(actor, Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)
    exam = get_scoped(Exam, exam_id, actor)
    if not is_course_staff(actor, exam.course):
        raise Forbidden(_("Chỉ giáo viên của lớp học phần này mới được thao tác."))
    return exam


def parse_time(value, field: str) -> datetime | None:
    """ISO 8601 text (a time without offset is Asia/Ho_Chi_Minh), a datetime, or None."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationFailed(
                _(
                    "%(f)s: '%(v)s' không phải thời điểm hợp lệ (ví dụ 2026-12-20T07:30+07:00).",
                    f=field,
                    v=str(value)[:40],
                ),
                code="invalid_time",
            ) from None
    if moment.tzinfo is None:
        from zoneinfo import ZoneInfo

        moment = moment.replace(tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
    return as_utc(moment)


def int_setting(data: dict, key: str, default: int, low: int, high: int, label: str) -> int:
    raw = data.get(key, default)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = None
    if value is None or isinstance(raw, bool) or not low <= value <= high:
        raise ValidationFailed(
            _("%(f)s phải là số nguyên từ %(a)s đến %(b)s.", f=label, a=low, b=high),
            code="invalid_setting",
        )
    return value


def _choice(data: dict, key: str, default: str, allowed: tuple[str, ...]) -> str:
    value = data.get(key) or default
    if value not in allowed:
        raise ValidationFailed(
            _("%(f)s phải là một trong: %(v)s.", f=key, v=", ".join(allowed)),
            code="invalid_setting",
        )
    return value


def _points(raw, label: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(",", "."))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or value > 100:
        raise ValidationFailed(
            _("%(f)s: điểm phải là số từ 0 đến 100.", f=label), code="invalid_points"
        )
    return value


def _settings(data: dict) -> dict:
    title = clean_line(str(data.get("title") or ""))[:200]
    if not title:
        raise ValidationFailed(_("Bài kiểm tra cần có tên."), code="title_required")
    opens_at = parse_time(data.get("opens_at"), "opens_at") or now_utc()
    closes_at = parse_time(data.get("closes_at"), "closes_at")
    if closes_at is not None and closes_at <= opens_at:
        raise ValidationFailed(_("Thời điểm đóng phải sau thời điểm mở."), code="invalid_window")
    return {
        "title": title,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "duration_minutes": int_setting(
            data, "duration_minutes", 45, 1, MAX_DURATION_MINUTES, _("Thời gian làm bài (phút)")
        ),
        "max_attempts": int_setting(data, "max_attempts", 1, 1, 20, _("Số lần làm bài")),
        "attempt_policy": _choice(data, "attempt_policy", "best", POLICIES),
        "shuffle_questions": bool(data.get("shuffle_questions", True)),
        "shuffle_options": bool(data.get("shuffle_options", True)),
        "one_per_page": bool(data.get("one_per_page", False)),
        "navigation": _choice(data, "navigation", "free", ("free", "forward")),
        "access_code": clean_line(str(data.get("access_code") or ""))[:40],
        "allowed_ips": exam_content.normalise_ip_ranges(data.get("allowed_ips") or ""),
        "release": _choice(data, "release", "after_close", RELEASES),
        "review": _choice(data, "review", "score", REVIEWS),
        "gradebook_column": _choice(data, "gradebook_column", "none", COLUMNS),
        "score_decimals": int_setting(data, "score_decimals", 2, 0, 2, _("Số chữ số thập phân")),
        "is_published": bool(data.get("published", False)),
        "variant_count": int_setting(data, "variant_count", 0, 0, 99, _("Số mã đề")),
        "fullscreen": bool(data.get("fullscreen", False)),
    }


def parse_blueprint(items) -> list[Pick]:
    """The blueprint's lines, checked: a category, a count >= 1, a known level."""
    if not isinstance(items, list) or not items:
        raise ValidationFailed(_("Ma trận đề cần ít nhất một dòng."), code="invalid_blueprint")
    picks = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationFailed(
                _("Dòng %(n)s của ma trận đề không hợp lệ.", n=number), code="invalid_blueprint"
            )
        level = item.get("level") or None
        if level is not None and level not in LEVELS:
            raise ValidationFailed(
                _(
                    "Dòng %(n)s: mức độ '%(v)s' không có (nhan_biet, thong_hieu, van_dung, "
                    "van_dung_cao).",
                    n=number,
                    v=str(level)[:30],
                ),
                code="invalid_blueprint",
            )
        count = int_setting(item, "count", 0, 1, MAX_QUESTIONS, _("Dòng %(n)s: số câu", n=number))
        picks.append(
            Pick(
                category=clean_line(str(item.get("category") or "")).strip("/"),
                count=count,
                level=level,
                qtype=item.get("type") or None,
                points=_points(item.get("points"), _("Dòng %(n)s", n=number)),
            )
        )
    return picks


def _draw(bank_id: int, pick: Pick, taken: set[int], rng: random.Random) -> list[Question]:
    query = select(Question).where(Question.bank_id == bank_id, Question.is_archived.is_(False))
    query = query.where(Question.type != "description")
    if pick.category:
        query = query.join(QuestionCategory, Question.category_id == QuestionCategory.id).where(
            or_(
                QuestionCategory.path == pick.category,
                QuestionCategory.path.startswith(pick.category + "/", autoescape=True),
            )
        )
    if pick.level:
        query = query.where(Question.level == pick.level)
    if pick.qtype:
        query = query.where(Question.type == pick.qtype)
    pool = [q for q in db.session.scalars(query.order_by(Question.id)) if q.id not in taken]
    if len(pool) < pick.count:
        where = pick.category or _("cả ngân hàng")
        level = LEVEL_NAMES.get(pick.level or "", _("mọi mức độ"))
        raise ValidationFailed(
            _(
                "Ma trận đề cần %(n)s câu chủ đề '%(c)s', mức %(l)s nhưng ngân hàng chỉ có %(m)s.",
                n=pick.count,
                c=where,
                l=level,
                m=len(pool),
            ),
            code="not_enough_questions",
        )
    return rng.sample(pool, pick.count)


def _hand_picked(actor: User, ids) -> list[Question]:
    if not isinstance(ids, list) or not ids or len(ids) > MAX_QUESTIONS:
        raise ValidationFailed(
            _("Hãy chọn từ 1 đến %(n)s câu hỏi.", n=MAX_QUESTIONS), code="invalid_questions"
        )
    chosen: list[Question] = []
    for raw in ids:
        question = questions.get_question(actor, raw)
        if question.is_archived or question.type == "description":
            raise ValidationFailed(
                _("Câu hỏi #%(n)s đã bị ẩn hoặc không chấm điểm được.", n=question.id),
                code="invalid_questions",
            )
        if question not in chosen:
            chosen.append(question)
    return chosen


def create_exam(actor: User, course_id: int, data: dict) -> Exam:
    """Create an exam of a course from a blueprint or a list of question ids (one transaction).

    Raises ValidationFailed (bad settings; a blueprint line the bank cannot fill, naming its
    topic and level), Forbidden (not the course's teacher), NotFound (another school's ids)."""
    course = get_course_for_staff(actor, course_id)
    settings = _settings(data)
    bank_id = data.get("bank_id")
    rng = random.Random()
    picked: list[tuple[Question, Decimal | None]] = []
    if data.get("blueprint") is not None:
        if bank_id is None:
            raise ValidationFailed(_("Ma trận đề cần bank_id."), code="bank_required")
        bank = question_bank_access.get_bank(actor, bank_id)
        taken: set[int] = set()
        for pick in parse_blueprint(data["blueprint"]):
            for question in _draw(bank.id, pick, taken, rng):
                taken.add(question.id)
                picked.append((question, pick.points))
    else:
        if bank_id is not None:
            question_bank_access.get_bank(actor, bank_id)
        picked = [(q, None) for q in _hand_picked(actor, data.get("question_ids"))]
    exam = Exam(
        school_id=course.school_id,
        course_id=course.id,
        created_by_id=actor.id,
        bank_id=bank_id,
        **settings,
    )
    total = Decimal(0)
    for position, (question, points) in enumerate(picked, start=1):
        version = question.versions[-1]
        version.is_used = True
        value = points if points is not None else question.points
        total += value
        exam.questions.append(
            ExamQuestion(
                school_id=course.school_id,
                question_id=question.id,
                version_id=version.id,
                position=position,
                points=value,
            )
        )
    exam.max_points = total
    db.session.add(exam)
    db.session.flush()
    audit.record(actor, "exam.create", exam, {"questions": [None, len(picked)]})
    db.session.commit()
    return exam


def exams_open_to(actor: User) -> list[Exam]:
    """Published exams of the student's courses whose window is open now (or opens soon)."""
    now = now_utc()
    soon = now + timedelta(hours=1)
    query = (
        select(Exam)
        .join(Course, Exam.course_id == Course.id)
        .join(ClassMembership, ClassMembership.class_id == Course.class_id)
        .where(
            ClassMembership.student_id == actor.id,
            Exam.school_id == actor.school_id,
            Exam.is_published.is_(True),
            Exam.opens_at <= soon,
            or_(Exam.closes_at.is_(None), Exam.closes_at > now),
        )
        .order_by(Exam.opens_at, Exam.id)
    )
    return list(db.session.scalars(query))


def exams_of_course(actor: User, course_id: int) -> list[Exam]:
    """The course's exams, newest first (its teacher and admins)."""
    course = get_course_for_staff(actor, course_id)
    query = select(Exam).where(Exam.course_id == course.id).order_by(Exam.opens_at.desc())
    return list(db.session.scalars(query))


def set_published(actor: User, exam_id: int, is_published: bool) -> Exam:
    exam = get_exam_for_staff(actor, exam_id)
    changes = audit.diff(exam, {"is_published": is_published})
    if changes:
        audit.record(actor, "exam.publish" if is_published else "exam.unpublish", exam, changes)
    db.session.commit()
    return exam


def release_results(actor: User, exam_id: int) -> Exam:
    """Show results to students now (manual release); logged."""
    exam = get_exam_for_staff(actor, exam_id)
    changes = audit.diff(exam, {"is_released": True})
    if changes:
        audit.record(actor, "exam.release", exam, changes)
    db.session.commit()
    return exam


def attempt_counts(exam_ids: list[int]) -> dict[int, int]:
    """Number of attempts per exam (for lists)."""
    if not exam_ids:
        return {}
    rows = db.session.execute(
        select(Attempt.exam_id, func.count())
        .where(Attempt.exam_id.in_(exam_ids))
        .group_by(Attempt.exam_id)
    )
    return dict(rows.all())
