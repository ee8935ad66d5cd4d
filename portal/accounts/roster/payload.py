"""The roster import report as a payload: the one description for the API and ``--json``.

``POST /api/owners/import`` answers with :class:`ImportReportOut` (and the
OpenAPI document is generated from it); ``portal owners import --json`` prints
the same model. Phones are masked; messages come in zh-CN and English.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from portal.accounts.roster.columns import ERROR_COLUMNS
from portal.accounts.roster.report import ImportReport


class RowErrorOut(BaseModel):
    code: str = Field(description="Stable code (`invalid_phone`, `unknown_unit`, `duplicate`...).")
    message: str = Field(description="The problem, in Simplified Chinese.")
    message_en: str = Field(description="The same in English.")
    column: str = Field(description="The column to fix it in (`building`, `unit_room`, `phone`, "
                        "`name`, `relationship`, `move_in_date`, `occupancy`); empty: the whole "
                        "row (`duplicate`).")


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
    owners_created: int = Field(
        description="Owners none of whose units in this file were on file for them "
        "(counted from this estate's units only: it never tells who is an owner elsewhere)."
    )
    owners_updated: int = Field(description="Owners with a unit in this file already on file.")
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

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportOut:
        p = report.previous_import
        return cls(
            estate=report.estate,
            file_name=report.file_name,
            sha256=report.sha256,
            format="xlsx" if report.format == "xlsx" else "csv",
            encoding=report.encoding,
            header_row=report.header_row,
            mode=report.mode,
            dry_run=report.dry_run,
            outcome=report.outcome,
            written=report.written,
            already_imported=p is not None,
            previous_import=None
            if p is None
            else PreviousImportOut(first_at=p.first_at, last_at=p.last_at, by=p.by, times=p.times),
            message=report.message("zh-CN"),
            message_en=report.message("en"),
            counts=CountsOut(**vars(report.counts)),
            rows=[
                RowOut(
                    row=r.row,
                    status=r.status,
                    unit_id=r.unit_id,
                    building=r.building,
                    room=r.room,
                    name=r.name,
                    phone=r.phone,
                    relationship=r.relationship,
                    result=r.result,
                    errors=[
                        RowErrorOut(code=e.code, message=e.message("zh-CN"),
                                    message_en=e.message("en"),
                                    column=ERROR_COLUMNS.get(e.code, ""))
                        for e in r.errors
                    ],
                )
                for r in report.rows
            ],
        )
