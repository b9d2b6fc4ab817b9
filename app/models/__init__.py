"""All models, imported here so that Alembic and the app see the whole schema."""

from app.models.audit import AuditLog
from app.models.courses import CourseSection, Lesson, LessonFile, LessonLink
from app.models.elearning import (
    ScormAttempt,
    ScormInteraction,
    ScormItem,
    ScormPackage,
    ScormPackageVersion,
)
from app.models.exams import (
    Attempt,
    Exam,
    ExamAccommodation,
    ExamQuestion,
    IntegrityEvent,
    Response,
)
from app.models.family_view import FamilyViewSetting
from app.models.grade_push import GradePush
from app.models.gradebook import (
    GradeEntry,
    GradeExportJob,
    GradeExportSetting,
    GradeLock,
    GradeRelease,
    PrimaryQualityRating,
    StudentCodeChange,
)
from app.models.homework import Assignment, Submission, SubmissionFile
from app.models.identity import ApiToken, ParentLink, RecoveryCode, Role, School, User
from app.models.library import (
    AssignmentFile,
    LibraryItem,
    StoredBlob,
    SubjectLead,
    UploadPolicy,
)
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
from app.models.notices import (
    Announcement,
    AnnouncementRecipient,
    Message,
    MessageThread,
    WeeklyDigest,
)
from app.models.notifications import Notification, NotificationPreference, OutboxMail
from app.models.questions import (
    Question,
    QuestionAsset,
    QuestionBank,
    QuestionCategory,
    QuestionVersion,
)
from app.models.school import ClassMembership, Course, SchoolClass, SchoolYear, Semester, Subject
from app.models.timetable import ATTENDANCE_STATUSES, AttendanceRecord, TimetableSlot

__all__ = [
    "ATTENDANCE_STATUSES",
    "Announcement",
    "AnnouncementRecipient",
    "ApiToken",
    "Assignment",
    "AssignmentFile",
    "Attempt",
    "AttendanceRecord",
    "AuditLog",
    "ClassMembership",
    "Course",
    "CourseSection",
    "Exam",
    "ExamAccommodation",
    "ExamQuestion",
    "FamilyViewSetting",
    "GradeEntry",
    "GradeExportJob",
    "GradeExportSetting",
    "GradeLock",
    "GradePush",
    "GradeRelease",
    "IntegrityEvent",
    "Lesson",
    "LessonFile",
    "LessonLink",
    "LibraryItem",
    "LiveAttendance",
    "LiveChatMessage",
    "LiveEvent",
    "LivePoll",
    "LivePollAnswer",
    "LivePresence",
    "LiveSchoolSetting",
    "LiveSession",
    "LiveSlide",
    "Message",
    "MessageThread",
    "Notification",
    "NotificationPreference",
    "OutboxMail",
    "ParentLink",
    "PrimaryQualityRating",
    "Question",
    "QuestionAsset",
    "QuestionBank",
    "QuestionCategory",
    "QuestionVersion",
    "RecoveryCode",
    "Response",
    "Role",
    "School",
    "SchoolClass",
    "SchoolYear",
    "ScormAttempt",
    "ScormInteraction",
    "ScormItem",
    "ScormPackage",
    "ScormPackageVersion",
    "Semester",
    "StoredBlob",
    "StudentCodeChange",
    "Subject",
    "SubjectLead",
    "Submission",
    "SubmissionFile",
    "TimetableSlot",
    "UploadPolicy",
    "User",
    "WeeklyDigest",
]
