"""All models, imported here so that Alembic and the app see the whole schema."""

from app.models.audit import AuditLog
from app.models.courses import CourseSection, Lesson, LessonFile, LessonLink
from app.models.homework import Assignment, Submission, SubmissionFile
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
    "Assignment",
    "AuditLog",
    "ClassMembership",
    "Course",
    "CourseSection",
    "Lesson",
    "LessonFile",
    "LessonLink",
    "ParentLink",
    "Question",
    "QuestionAsset",
    "QuestionBank",
    "QuestionCategory",
    "QuestionVersion",
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
