"""HTML pages: one blueprint per area, thin views over the services."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from app.web import question_render, static_cache
    from app.web.admin import bp as admin_bp
    from app.web.announcements import bp as announcements_bp
    from app.web.auth import bp as auth_bp
    from app.web.course_outline import bp as course_outline_bp
    from app.web.courses import bp as courses_bp
    from app.web.elearning import bp as elearning_bp
    from app.web.exams import bp as exams_bp
    from app.web.family import bp as family_bp
    from app.web.gradebook import bp as gradebook_bp
    from app.web.home import bp as home_bp
    from app.web.homework import bp as homework_bp
    from app.web.library import bp as library_bp
    from app.web.live import bp as live_bp
    from app.web.messages import bp as messages_bp
    from app.web.notifications import bp as notifications_bp
    from app.web.ops import bp as ops_bp
    from app.web.progress import bp as progress_bp
    from app.web.questions import bp as questions_bp
    from app.web.school_settings import bp as school_settings_bp
    from app.web.scorm_content import bp as scorm_content_bp
    from app.web.search import bp as search_bp
    from app.web.timetable import bp as timetable_bp
    from app.web.two_factor import bp as two_factor_bp

    question_render.register(app)
    static_cache.register(app)
    for bp in (
        auth_bp,
        home_bp,
        admin_bp,
        search_bp,
        family_bp,
        progress_bp,
        questions_bp,
        exams_bp,
        gradebook_bp,
        courses_bp,
        homework_bp,
        timetable_bp,
        course_outline_bp,
        elearning_bp,
        scorm_content_bp,
        live_bp,
        notifications_bp,
        library_bp,
        school_settings_bp,
        ops_bp,
        two_factor_bp,
        announcements_bp,
        messages_bp,
    ):
        app.register_blueprint(bp)
