"""The JSON API under /api/v1: flask-smorest blueprints, one module per resource."""

from __future__ import annotations

from importlib import import_module

from flask import Flask
from flask_smorest import Api

from app.api.schemas import Error


class LopHocApi(Api):
    """flask-smorest without its own error handler: app.web.hooks renders every error in the
    CONTRACT.md shape `{"error": {"code", "message"}}` for API paths and as a page elsewhere."""

    ERROR_SCHEMA = Error

    def _register_error_handlers(self):
        return None


api = LopHocApi()


def register_api(app: Flask) -> None:
    from app.api import (
        assignments,
        auth,
        banks,
        children,
        classes,
        courses,
        exams,
        gradebook,
        grades,
        live,
        me,
        notifications,
        proctor,
        scorm,
        timetable,
        users,
    )
    from app.api.oneroster import bp as oneroster_bp

    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": 'LopHoc REST API. Errors: {"error": {"code", "message"}}.'},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    api.init_app(app)
    for module in (
        auth, me, users, classes, courses, children, banks, exams, proctor, gradebook, grades,
        assignments, scorm, live, notifications,
    ):
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.PREFIX}")
    api.register_blueprint(timetable.blp, url_prefix="/api/v1")
    api.register_blueprint(import_module("app.api.announcements").blp, url_prefix="/api/v1")
    api.register_blueprint(import_module("app.api.messages").blp, url_prefix="/api/v1")
    app.register_blueprint(oneroster_bp)
