"""The authorisation-matrix world (tests/security/world.py) with XSS payloads in every text a
user can enter: written once through the real services (so their cleaning is what is stored),
then, round after round, put straight into the rows (the worst case: any input path that let a
payload through) so that every page shows every payload in every field."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from sqlalchemy import select

from app.core.sanitize import clean_html
from app.extensions import db
from app.models import (
    Assignment,
    AssignmentFile,
    CourseSection,
    Exam,
    Lesson,
    LessonFile,
    LibraryItem,
    LiveChatMessage,
    LivePoll,
    LiveSession,
    LiveSlide,
    Message,
    MessageThread,
    Notification,
    Question,
    QuestionAsset,
    QuestionBank,
    QuestionVersion,
    ScormPackage,
    Submission,
    SubmissionFile,
    TimetableSlot,
    User,
)
from app.models.notices import Announcement
from app.services import announcements, messaging
from tests.security.world import World, build_world
from tests.security.xss import PAYLOADS, chunks

ALL = " ".join(PAYLOADS)

# (model, column, kind): "line" = a short plain-text column (String(200..)), "text" = long plain
# text, "rich" = HTML cleaned when written (the templates mark it safe).
FIELDS = (
    (CourseSection, "title", "line"),
    (Lesson, "title", "line"),
    (Lesson, "body_html", "rich"),
    (LessonFile, "filename", "line"),
    (Assignment, "title", "line"),
    (Assignment, "instructions_html", "rich"),
    (AssignmentFile, "filename", "line"),
    (Submission, "text_html", "rich"),
    (SubmissionFile, "filename", "line"),
    (QuestionBank, "name", "line"),
    (QuestionBank, "description", "text"),
    (Question, "title", "line"),
    (Question, "topic", "line"),
    (QuestionAsset, "name", "line"),
    (Exam, "title", "line"),
    (Announcement, "title", "line"),
    (Announcement, "body_html", "rich"),
    (MessageThread, "subject", "line"),
    (Message, "body", "text"),
    (LiveSession, "title", "line"),
    (LiveChatMessage, "text", "text"),
    (LivePoll, "prompt_html", "rich"),
    (LiveSlide, "filename", "line"),
    (LibraryItem, "title", "line"),
    (LibraryItem, "topic", "line"),
    (LibraryItem, "body_html", "rich"),
    (ScormPackage, "title", "line"),
    (TimetableSlot, "topic", "line"),
    (Notification, "title", "line"),
    (Notification, "body", "text"),
    (User, "full_name", "line"),
)
# Inside Question.content (stem, options, feedback, explanation) and LivePoll.options.
QUESTION_PARTS = ("stem_html", "explanation_html", "feedback_html", "option html", "match html")
LINE_LIMIT = 190


@dataclass
class XssWorld:
    world: World
    rounds: int

    def poison(self, round_no: int) -> None:
        """Every field gets this round's share of the payloads (all of them in long fields)."""
        line = chunks(LINE_LIMIT)
        line_value = line[round_no % len(line)]
        for model, column, kind in FIELDS:
            value = {"line": line_value, "text": ALL, "rich": clean_html(ALL)}[kind]
            for row in db.session.scalars(select(model)):
                setattr(row, column, value)
        rich = clean_html(ALL)
        for question in db.session.scalars(select(QuestionVersion)):
            content = copy.deepcopy(question.content)
            content["stem_html"] = rich
            content["explanation_html"] = rich
            for option in content.get("options", []):
                option["html"] = rich
                option["feedback_html"] = rich
                if option.get("match_html"):
                    option["match_html"] = rich
            question.content = content
        for poll in db.session.scalars(select(LivePoll)):
            poll.options = [{"id": "a", "html": rich}, {"id": "b", "html": clean_html(line_value)}]
        db.session.commit()


def build_xss_world(make, fixtures) -> XssWorld:
    world = build_world(make, fixtures)
    teacher, student = world.users["teacher"], world.users["student"]
    course = world.objects["course"]
    # Written through the services, as a teacher would: what they store is what is cleaned.
    notice = announcements.create(
        teacher,
        title=ALL[:190],
        body_html="<p>Thông báo</p>" + ALL,
        target_kind="course",
        target_id=course.id,
    )
    threads = messaging.start_by_teacher(teacher, [student.id], ALL[:190], ALL)
    world.params.setdefault("announcement_id", notice.id)
    world.params.setdefault("thread_id", threads[0].id)
    session_id = world.params["session_id"]
    db.session.add(
        LiveChatMessage(
            school_id=course.school_id, session_id=session_id, user_id=student.id, text=ALL
        )
    )
    db.session.add(
        LivePoll(
            school_id=course.school_id,
            session_id=session_id,
            prompt_html=clean_html(ALL),
            options=[{"id": "a", "html": "1"}],
        )
    )
    db.session.commit()
    return XssWorld(world, rounds=len(chunks(LINE_LIMIT)))
