"""GET /api/v1/me: the caller's own profile."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.api.children import ChildProgress, ScoreReport
from app.services.gradebook_release import my_scores
from app.services.people import children_of
from app.services.progress_records import progress_summary

PREFIX = "/me"
blp = Blueprint("api_me", __name__, description="Người dùng hiện tại")


@blp.route("")
class MeResource(MethodView):
    @authenticated()
    @blp.response(200, schemas.Me)
    @blp.alt_response(401, schema=schemas.Error)
    def get(self):
        """Hồ sơ của người đang gọi API (và các con, với phụ huynh)."""
        user = actor()
        user.children = children_of(user) if user.role == "parent" else []
        return user


@blp.route("/grades")
class MyGradesResource(MethodView):
    @authenticated()
    @blp.response(200, ScoreReport)
    @blp.alt_response(403, schema=schemas.Error)
    def get(self):
        """Điểm của em: điểm đã công bố của học sinh đang gọi API, theo môn và học kỳ."""
        return my_scores(actor()).as_dict()


@blp.route("/progress")
class MyProgressResource(MethodView):
    @authenticated()
    @blp.response(200, ChildProgress)
    @blp.alt_response(403, schema=schemas.Error)
    def get(self):
        """Kết quả học tập của em: điểm đã công bố, bài tập, chuyên cần, bài kiểm tra."""
        from app.models import Role
        from app.services.access import require_role

        require_role(actor(), Role.STUDENT)
        return progress_summary(actor())
