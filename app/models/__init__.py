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
from app.models.library import AssignmentFile, LibraryItem, SubjectLead, UploadPolicy
from app.models.notifications import Notification, NotificationPreference, OutboxMail
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
    "AssignmentFile",
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
    "LibraryItem",
    "Notification",
    "NotificationPreference",
    "OutboxMail",
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
    "SubjectLead",
    "Submission",
    "SubmissionFile",
    "UploadPolicy",
    "User",
]
