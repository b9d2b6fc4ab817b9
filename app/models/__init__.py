"""All models, imported here so that Alembic and the app see the whole schema."""

from app.models.audit import AuditLog
from app.models.exams import (
    Attempt,
    Exam,
    ExamAccommodation,
    ExamQuestion,
    IntegrityEvent,
    Response,
)
from app.models.gradebook import GradeEntry, GradeExportSetting, GradeLock
from app.models.identity import ApiToken, ParentLink, Role, School, User
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
    "Attempt",
    "AuditLog",
    "ClassMembership",
    "Course",
    "Exam",
    "ExamAccommodation",
    "ExamQuestion",
    "GradeEntry",
    "GradeExportSetting",
    "GradeLock",
    "IntegrityEvent",
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
    "User",
]
