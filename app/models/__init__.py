"""All models, imported here so that Alembic and the app see the whole schema."""

from app.models.audit import AuditLog
from app.models.courses import CourseSection, Lesson, LessonFile, LessonLink
from app.models.exams import (
    Attempt,
    Exam,
    ExamAccommodation,
    ExamQuestion,
    IntegrityEvent,
    Response,
)
from app.models.gradebook import GradeEntry, GradeExportSetting, GradeLock
from app.models.homework import Assignment, Submission, SubmissionFile
from app.models.identity import ApiToken, ParentLink, Role, School, User
from app.models.live import (
    LiveAttendance,
    LiveChatMessage,
    LiveEvent,
    LivePoll,
    LivePollAnswer,
    LivePresence,
    LiveSchoolSetting,
    LiveSession,
    LiveSlide,
)
from app.models.questions import (
    Question,
    QuestionAsset,
    QuestionBank,
    QuestionCategory,
    QuestionVersion,
)
from app.models.school import ClassMembership, Course, SchoolClass, SchoolYear, Semester, Subject

__all__ = [
    "ApiToken",
    "Assignment",
    "Attempt",
    "AuditLog",
    "ClassMembership",
    "Course",
    "CourseSection",
    "Exam",
    "ExamAccommodation",
    "ExamQuestion",
    "GradeEntry",
    "GradeExportSetting",
    "GradeLock",
    "IntegrityEvent",
    "Lesson",
    "LessonFile",
    "LessonLink",
    "LiveAttendance",
    "LiveChatMessage",
    "LiveEvent",
    "LivePoll",
    "LivePollAnswer",
    "LivePresence",
    "LiveSchoolSetting",
    "LiveSession",
    "LiveSlide",
    "ParentLink",
    "Question",
    "QuestionAsset",
    "QuestionBank",
    "QuestionCategory",
    "QuestionVersion",
    "Response",
    "Role",
    "School",
    "SchoolClass",
    "SchoolYear",
    "Semester",
    "Subject",
    "Submission",
    "SubmissionFile",
    "User",
]
