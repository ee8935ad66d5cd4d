"""Request and response models of the reconciliation routes (the OpenAPI contract)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema

from functions.errors import MAX_CONTENT_LENGTH
from functions.fields import SLUG, SOMETHING, FileStorage, IsoDate
from functions.model import ApiModel
from portal.billing.money import yuan
from portal.finance.reconcile.banksample import FIELDS, Sample
from portal.finance.reconcile.days import DayView
from portal.finance.reconcile.imports import ImportReport
from portal.finance.reconcile.kinds import Action
from portal.i18n import translate
from portal.store.items import Item, text

BANK = r"^[0-9A-Za-z_-]{1,32}$"
COLUMN = Field(default="", max_length=40, description="The column's header as the bank writes it.")


class EstateQuery(ApiModel):
    estate: str = Field(pattern=SLUG)


class ImportQuery(ApiModel):
    estate: str = Field(pattern=SLUG)
    source: Literal["alipay", "wechat", "bank"] = Field(
        description="alipay: the business or account detail; wechat: the trade bill; bank: a "
        "bank statement read with the mapping saved for `bank`.")
    bank: str = Field(default="", pattern=r"^([0-9A-Za-z_-]{1,32})?$",
                      description="The bank whose saved column mapping reads the file (source=bank).")


class StatementForm(ApiModel):
    model_config = ConfigDict(json_schema_extra={"required": ["file"]})

    file: Annotated[FileStorage | None, WithJsonSchema({"type": "string", "format": "binary"})] = Field(
        default=None, description=f"The statement file, at most {MAX_CONTENT_LENGTH // 1024} KiB.")


class ProblemOut(ApiModel):
    line: int = Field(description="The file's line (row), as a text editor or spreadsheet counts; 0: the file.")
    column: str
    code: str
    message: str
    message_en: str


class ImportOut(ApiModel):
    outcome: Literal["imported", "already_imported", "rejected"] = Field(
        description="rejected: nothing was written (see problems); already_imported: the same "
        "file before, nothing added.")
    message: str
    message_en: str
    sha256: str
    format: str
    lines: int
    new_lines: int
    skipped: int
    other_estates: int
    days: list[str]
    problems: list[ProblemOut]

    @classmethod
    def of(cls, r: ImportReport) -> ImportOut:
        params = {"lines": r.lines, "new": r.new_lines, "skipped": r.skipped,
                  "others": r.other_estates, "count": len(r.problems)}  # fmt: skip
        return cls(outcome=r.outcome, message=translate(f"reconcile.outcomes.{r.outcome}", "zh-CN", **params),
                   message_en=translate(f"reconcile.outcomes.{r.outcome}", "en", **params),
                   sha256=r.sha256, format=r.format, lines=r.lines, new_lines=r.new_lines,
                   skipped=r.skipped, other_estates=r.other_estates, days=r.days,
                   problems=[ProblemOut(line=p.line, column=p.column, code=p.code,
                                        message=p.message("zh-CN"), message_en=p.message("en"))
                             for p in r.problems])  # fmt: skip


class MappingIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    estate: str = Field(pattern=SLUG)
    bank: str = Field(pattern=BANK)
    date: str = Field(min_length=1, max_length=40, pattern=SOMETHING)
    counterparty: str = Field(min_length=1, max_length=40, pattern=SOMETHING)
    credit: str = COLUMN
    amount: str = COLUMN
    debit: str = COLUMN
    serial: str = COLUMN
    memo: str = COLUMN


class MappingOut(ApiModel):
    bank: str
    date: str
    counterparty: str
    credit: str
    amount: str
    debit: str
    serial: str
    memo: str


class MappingList(ApiModel):
    items: list[MappingOut]


class BankSampleOut(ApiModel):
    header_row: int = Field(description="The header's row in the file (0: none found).")
    columns: list[str] = Field(description="The header's columns, as the bank writes them.")
    rows: list[list[str]] = Field(description="The first rows under the header, cell by cell.")
    guess: dict[str, str] = Field(description="Mapping field → the column that looks like it.")
    fields: list[str] = Field(description="The mapping's fields, in the form's order.")
    problem: ProblemOut | None = Field(default=None, description="Why the file could not be read.")

    @classmethod
    def of(cls, s: Sample) -> BankSampleOut:
        p = s.problem
        return cls(header_row=s.header_row, columns=list(s.columns), rows=[list(r) for r in s.rows],
                   guess=s.guess, fields=list(FIELDS),
                   problem=ProblemOut(line=p.line, column=p.column, code=p.code,
                                      message=p.message("zh-CN"), message_en=p.message("en"))
                   if p else None)  # fmt: skip


class DayPath(ApiModel):
    estate: str = Field(pattern=SLUG)
    day: IsoDate = Field(description="The local day, e.g. 2026-11-22.")

    @property
    def iso(self) -> str:
        return self.day.isoformat()


class DiscrepancyOut(ApiModel):
    id: str
    day: str
    kind: str
    kind_text: str
    kind_text_en: str
    ref: str
    provider: str
    ours_fen: int | None
    provider_fen: int | None
    bank_fen: int | None
    expected_fen: int | None
    ours_yuan: str
    provider_yuan: str
    bank_yuan: str
    transaction_id: str
    line: int
    status: Literal["open", "resolved", "cleared"]
    action: str
    note: str
    resolved_by: str
    resolved_at: str

    @classmethod
    def of(cls, i: Item) -> DiscrepancyOut:
        def num(name: str) -> int | None:
            v: Any = i.get(name)
            return int(v) if v is not None else None

        def y(name: str) -> str:
            v = num(name)
            return "" if v is None else yuan(v)

        kind = text(i, "kind")
        return cls(id=text(i, "id"), day=text(i, "day"), kind=kind,
                   kind_text=translate(f"reconcile.kinds.{kind}", "zh-CN"),
                   kind_text_en=translate(f"reconcile.kinds.{kind}", "en"), ref=text(i, "ref"),
                   provider=text(i, "provider"), ours_fen=num("ours_fen"),
                   provider_fen=num("provider_fen"), bank_fen=num("bank_fen"),
                   expected_fen=num("expected_fen"), ours_yuan=y("ours_fen"),
                   provider_yuan=y("provider_fen"), bank_yuan=y("bank_fen"),
                   transaction_id=text(i, "transaction_id"), line=num("line") or 0,
                   status=text(i, "status"),  # type: ignore[arg-type]
                   action=text(i, "action"), note=text(i, "note"),
                   resolved_by=text(i, "resolved_by"), resolved_at=text(i, "resolved_at"))  # fmt: skip


class DayOut(ApiModel):
    estate: str
    day: str
    state: Literal["open", "matched", "closed"]
    state_text: str
    state_text_en: str
    version: int
    open: int
    closed_at: str
    closed_by: str
    discrepancies: list[DiscrepancyOut]

    @classmethod
    def of(cls, v: DayView) -> DayOut:
        return cls(estate=v.estate, day=v.day, state=v.state,  # type: ignore[arg-type]
                   state_text=translate(f"reconcile.states.{v.state}", "zh-CN"),
                   state_text_en=translate(f"reconcile.states.{v.state}", "en"),
                   version=v.version, open=v.open_count, closed_at=v.closed_at,
                   closed_by=v.closed_by,
                   discrepancies=[DiscrepancyOut.of(d) for d in v.discrepancies])  # fmt: skip


class DiscrepancyList(ApiModel):
    items: list[DiscrepancyOut]


class ResolveIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[0-9a-f]{16}$", description="The discrepancy's id.")
    action: Action = Field(description="matched_by_hand, write_off_fee (a fee difference only), "
                           "refund (money we did not apply), chase; one the kind does not "
                           "allow: 409.")
    note: str = Field(min_length=1, max_length=500, pattern=SOMETHING)


class ReopenIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, pattern=SOMETHING)
