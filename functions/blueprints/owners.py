"""Routes of the `owners` resource: the owner roster import (业主名册导入).

``POST /api/owners/import?estate=<slug>[&allow_partial=true][&dry_run=true]``
takes the roster as a multipart upload (field ``file``, CSV or XLSX, at most
the app's ``MAX_CONTENT_LENGTH``) and answers with the per-row report. The work
and the audit event are in :class:`portal.accounts.roster.importer.RosterImporter`; this view only
checks the policy (``owner.import`` on the estate), reads the upload and shapes
the answer. A file with row errors is still a 200: the report says whether
anything was written (``written``, ``outcome``); 4xx answers are for requests
that cannot be processed at all (no permission, no file, not a roster).
"""

from __future__ import annotations

from typing import Annotated

from flask import Response
from pydantic import ConfigDict, Field, WithJsonSchema
from werkzeug.datastructures import FileStorage as UploadedFile

from functions.auth import require
from functions.blueprints import api_blueprint
from functions.context import services
from functions.edge import client_ip
from functions.error_models import ErrorEnvelope
from functions.errors import MAX_CONTENT_LENGTH
from functions.fields import FileStorage
from functions.model import ApiModel
from functions.responses import json_response
from portal.accounts.audit import actor
from portal.accounts.policy import Target
from portal.accounts.roster.payload import ImportReportOut
from portal.errors import InvalidInput

bp = api_blueprint("owners", __name__)


class ImportQuery(ApiModel):
    estate: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Slug of the estate the roster belongs to (`lanting`).",
        json_schema_extra={"example": "lanting"},
    )
    allow_partial: bool = Field(
        default=False,
        description="Write the good rows even if other rows have errors "
        "(default: any error and nothing is written).",
    )
    dry_run: bool = Field(default=False, description="Validate and report only; write nothing.")


ROSTER_MEDIA_TYPES = "text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(ApiModel):
    """The roster upload: `file` is required (without it: 400 `roster_missing_file`)."""

    model_config = ConfigDict(
        json_schema_extra={"required": ["file"]},
        # flask-openapi3 reads this key (the part's media types) into the document
        openapi_extra={"encoding": {"file": {"contentType": ROSTER_MEDIA_TYPES}}},  # type: ignore[typeddict-unknown-key]
    )

    file: Annotated[FileStorage | None, WithJsonSchema({"type": "string", "format": "binary"})] = Field(
        default=None,
        description="The roster: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX (first sheet), "
        f"at most {MAX_CONTENT_LENGTH // 1024} KiB.",
    )


@bp.post(
    "/owners/import",
    responses={
        200: ImportReportOut,
        401: ErrorEnvelope,
        403: ErrorEnvelope,
        404: ErrorEnvelope,
        409: ErrorEnvelope,
        413: ErrorEnvelope,
        503: ErrorEnvelope,
    },
)
def import_roster(query: ImportQuery, form: ImportForm) -> Response:
    """Import the owner roster (业主名册) of an estate from CSV or XLSX, with a per-row report."""
    identity = require("owner.import", Target(estate=query.estate))
    estate = services().estates.estate(query.estate)
    upload = form.file
    if not isinstance(upload, UploadedFile):  # absent, or sent as a text field
        raise InvalidInput("roster_missing_file")
    data = upload.read(MAX_CONTENT_LENGTH + 1)
    report = services().roster.run(
        data,
        estate=estate,
        file_name=(upload.filename or "")[:200],
        actor=actor("staff", identity.user_id),
        buildings=identity.buildings.get(query.estate) or None,  # a butler's buildings only
        source_ip=client_ip(),
        dry_run=query.dry_run,
        allow_partial=query.allow_partial,
    )
    return json_response(ImportReportOut.of(report))
