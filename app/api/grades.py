"""GET /api/v1/schools/{code}/grades: a school's grades by student code, for school systems."""

from __future__ import annotations

import io

from flask import Response, jsonify, send_file, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.core.errors import ValidationFailed
from app.services import exports, gradebook_jobs
from app.services.gradebook_export import GradeQuery, school_grades
from app.web.downloads import content_disposition, safe_name

PREFIX = "/schools"
blp = Blueprint("api_grades", __name__, description="Xuất điểm cho hệ thống quản lý trường")


# A nightly sync pulls the whole school: bigger pages than elsewhere in the API (each page
# re-reads the course list, so 24,000 rows in 5 pages instead of 48).
MAX_GRADES_PER_PAGE = 5000


class GradesQuery(schemas.PageArgs):
    per_page = fields.Integer(
        load_default=50, validate=validate.Range(min=1, max=MAX_GRADES_PER_PAGE)
    )
    year = fields.String(
        load_default=None, metadata={"description": "2026-2027 (mặc định: hiện tại)"}
    )
    semester = fields.String(load_default=None, metadata={"description": "1, 2 hoặc year"})
    class_name = fields.String(data_key="class", load_default=None)
    subject = fields.String(load_default=None)
    changed_since = fields.AwareDateTime(
        load_default=None, metadata={"description": "ISO 8601 có múi giờ: chỉ dòng đổi từ lúc đó"}
    )
    format = fields.String(load_default="json", metadata={"description": "json | csv | xlsx"})


class GradeItem(schemas.Schema):
    student_code = fields.String()
    full_name = fields.String()
    class_name = fields.String(data_key="class")
    subject = fields.String()
    period = fields.String()
    tx = fields.List(fields.String(allow_none=True))
    gk = fields.String(allow_none=True)
    ck = fields.String(allow_none=True)
    average = fields.String(allow_none=True)
    semester_1 = fields.String(allow_none=True)
    semester_2 = fields.String(allow_none=True)
    result = fields.String(allow_none=True)
    status = fields.String()
    updated_at = fields.AwareDateTime(allow_none=True)


GradePage = schemas.page_of(GradeItem, "GradePage")


class ExportRequest(schemas.Schema):
    year = fields.String(load_default=None, metadata={"description": "2026-2027"})
    semester = fields.String(load_default=None, metadata={"description": "1, 2 hoặc year"})
    class_name = fields.String(data_key="class", load_default=None)
    subject = fields.String(load_default=None)
    format = fields.String(
        load_default="xlsx", metadata={"description": "csv | xlsx | smas | vnedu | oneroster"}
    )


class ExportProgress(schemas.Schema):
    done = fields.Integer()
    total = fields.Integer()


class ExportJob(schemas.Schema):
    id = fields.Integer()
    state = fields.String(metadata={"description": "queued | running | done | failed"})
    year = fields.String()
    semester = fields.String(attribute="period")
    class_name = fields.String(data_key="class", allow_none=True)
    subject = fields.String(allow_none=True)
    format = fields.String()
    progress = fields.Function(lambda job: {"done": job.progress_done, "total": job.progress_total})
    rows = fields.Integer(allow_none=True)
    filename = fields.String(allow_none=True)
    size_bytes = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    download_url = fields.Function(
        lambda job: (
            url_for(
                "api_grades.ExportFileResource",
                code=job.school.code,
                job_id=job.id,
            )
            if job.state == "done"
            else None
        )
    )


FILE_FORMATS = ("csv", "xlsx")


@blp.route("/<code>/grades")
class SchoolGradesResource(MethodView):
    @authenticated("grades:read")
    @blp.arguments(GradesQuery, location="query")
    @blp.response(200, GradePage)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(422, schema=schemas.Error)
    def get(self, args, code: str):
        """Điểm của trường theo mã học sinh (quản trị, hoặc mã tích hợp có grades:read)."""
        fmt = args["format"].lower()
        if fmt not in ("json", *FILE_FORMATS):
            raise ValidationFailed(
                _("Định dạng “%(f)s” không hỗ trợ; dùng json, csv hoặc xlsx.", f=fmt)
            )
        filters = GradeQuery(
            args["year"],
            args["semester"],
            args["class_name"],
            args["subject"],
            args["changed_since"],
        )
        if fmt in FILE_FORMATS:
            export = school_grades(actor(), code, filters)
            layout, data = exports.render(export, fmt)
            query = export.query
            name = f"diem-{export.school.code}-{query.year}-{query.period}.{layout.extension}"
            return Response(
                data,
                mimetype=layout.mime_type,
                headers={"Content-Disposition": content_disposition(name)},
            )
        page, per_page = args["page"], args["per_page"]
        start = (page - 1) * per_page
        export = school_grades(actor(), code, filters, window=(start, start + per_page))
        # Serialised by hand (same fields as GradePage, which documents it): 500 rows through
        # marshmallow cost more than building them.
        body = {
            "items": [row.api_dict() for row in export.rows],
            "page": page,
            "per_page": per_page,
            "total": export.total,
        }
        return jsonify(body)


@blp.route("/<code>/grades/exports")
class ExportJobsResource(MethodView):
    @authenticated("grades:read")
    @blp.arguments(ExportRequest)
    @blp.response(202, ExportJob)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(422, schema=schemas.Error)
    def post(self, args, code: str):
        """Tạo tệp điểm ở nền (trường lớn); hỏi lại trạng thái rồi tải theo download_url."""
        query = GradeQuery(args["year"], args["semester"], args["class_name"], args["subject"])
        return gradebook_jobs.start_export(actor(), code, query, args["format"])


@blp.route("/<code>/grades/exports/<int:job_id>")
class ExportJobResource(MethodView):
    @authenticated("grades:read")
    @blp.response(200, ExportJob)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, code: str, job_id: int):
        """Trạng thái và tiến độ của một yêu cầu xuất điểm."""
        return gradebook_jobs.get_job(actor(), job_id, code)


@blp.route("/<code>/grades/exports/<int:job_id>/file")
class ExportFileResource(MethodView):
    @authenticated("grades:read")
    @blp.response(200)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(409, schema=schemas.Error)
    def get(self, code: str, job_id: int):
        """Tệp điểm đã tạo xong (409 khi chưa xong)."""
        job, data = gradebook_jobs.job_file(actor(), job_id, code)
        return send_file(
            io.BytesIO(data),
            mimetype=job.mime_type,
            as_attachment=True,
            download_name=safe_name(job.filename),
        )
