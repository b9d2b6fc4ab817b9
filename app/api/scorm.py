"""POST /api/v1/scorm/commit: the SCORM player's commits, authorised by a per-launch token.

Called from the content origin (no session cookie): `Authorization: Bearer LAUNCH_TOKEN`
names one attempt, so a package can only ever write its own learner's attempt."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app.api import schemas
from app.services import scorm_runtime

PREFIX = "/scorm"
blp = Blueprint("api_scorm", __name__, description="SCORM run-time")


class ScormCommit(Schema):
    cmi = fields.Dict(keys=fields.String(), required=True)
    terminated = fields.Boolean(load_default=False)


class ScormCommitResult(Schema):
    result = fields.Boolean()
    errorCode = fields.Integer()
    rejected = fields.Dict()


@blp.route("/commit")
class CommitResource(MethodView):
    @blp.arguments(ScormCommit)
    @blp.response(200, ScormCommitResult)
    @blp.alt_response(401, schema=schemas.Error)
    def post(self, data):
        """Store the CMI data a SCO committed (invalid values refused with their SCORM code)."""
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        return scorm_runtime.commit(token, data["cmi"], terminated=data["terminated"])
