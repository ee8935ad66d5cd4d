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

from typing import Literal

from flask import Response
from flask_openapi3.models.file import FileStorage
from pydantic import BaseModel, Field

from functions.auth import client_ip, require
from functions.blueprints import api_blueprint
from functions.context import services
from functions.errors import MAX_CONTENT_LENGTH, ErrorEnvelope
from functions.responses import json_response
from portal.accounts.audit import actor
from portal.accounts.policy import Target
from portal.errors import InvalidInput

bp = api_blueprint("owners", __name__)


class ImportQuery(BaseModel):
    estate: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Slug of the estate the roster belongs to (`lanting`).",
    )
    allow_partial: bool = Field(
        default=False,
        description="Write the good rows even if other rows have errors "
        "(default: any error and nothing is written).",
    )
    dry_run: bool = Field(default=False, description="Validate and report only; write nothing.")


class ImportForm(BaseModel):
    file: FileStorage | None = Field(
        default=None,
        description="The roster: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX (first sheet), "
        f"at most {MAX_CONTENT_LENGTH // 1024} KiB.",
    )


class RowErrorOut(BaseModel):
    code: str = Field(description="Stable code (`invalid_phone`, `unknown_unit`, `duplicate`...).")
    message: str = Field(description="The problem, in Simplified Chinese.")
    message_en: str = Field(description="The same in English.")


class RowOut(BaseModel):
    row: int = Field(description="Row number as staff see it in their spreadsheet.")
    status: Literal["ok", "error", "skipped"]
    unit_id: str = Field(description="`<estate>/<building>/<room>` when the unit was recognised.")
    building: str
    room: str
    name: str
    phone: str = Field(description="Mobile number, masked (`138****8000`).")
    relationship: str = Field(description="`owner`, `family`, `tenant`, or empty if not given.")
    result: Literal["", "created", "updated", "unchanged"] = Field(
        description="For a good row: what the import did (a dry run: would do) to its binding."
    )
    errors: list[RowErrorOut]


class CountsOut(BaseModel):
    rows: int
    ok: int
    errors: int
    skipped: int
    owners_created: int
    owners_updated: int
    bindings_created: int
    bindings_updated: int
    unchanged: int = Field(description="Good rows already on file exactly so.")


class PreviousImportOut(BaseModel):
    first_at: str = Field(description="UTC ISO-8601.")
    last_at: str = Field(description="UTC ISO-8601.")
    by: str = Field(description="Audit actor of the last import (`staff:<username>`).")
    times: int


class ImportReportOut(BaseModel):
    """The report of one roster import."""

    estate: str
    file_name: str
    sha256: str = Field(description="SHA-256 of the uploaded bytes.")
    format: Literal["csv", "xlsx"]
    encoding: str = Field(description="Detected text encoding of a CSV; empty for XLSX.")
    header_row: int
    mode: Literal["all_or_nothing", "allow_partial"]
    dry_run: bool
    outcome: Literal["imported", "partially_imported", "rejected"] = Field(
        description="What happened (a dry run: what would happen)."
    )
    written: bool = Field(description="Whether anything was written.")
    already_imported: bool = Field(
        description="This exact file was imported into this estate before (re-running is safe)."
    )
    previous_import: PreviousImportOut | None
    message: str = Field(description="Summary in Simplified Chinese.")
    message_en: str = Field(description="Summary in English.")
    counts: CountsOut
    rows: list[RowOut]


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
    if upload is None:
        raise InvalidInput("roster_missing_file")
    data = upload.read(MAX_CONTENT_LENGTH + 1)
    report = services().roster.run(
        data,
        estate=estate,
        file_name=(upload.filename or "")[:200],
        actor=actor("staff", identity.user_id),
        source_ip=client_ip(),
        dry_run=query.dry_run,
        allow_partial=query.allow_partial,
    )
    return json_response(ImportReportOut.model_validate(report.as_dict()))
