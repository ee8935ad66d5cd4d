"""Request and response models of the bill routes (the OpenAPI contract).

Amounts are integer fen (``*_fen``) and, for people, yuan with two decimals
(``*_yuan``, from :func:`portal.billing.money.yuan`, the one formatter).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import ConfigDict, Field

from functions.fields import JSON_INTEGER, SLUG, SOMETHING
from functions.model import ApiModel
from portal.billing.model import Bill
from portal.billing.money import MAX_BILL_FEN, yuan
from portal.i18n import translate

if TYPE_CHECKING:
    from portal.billing.areas import AreasReport
    from portal.billing.readings import ReadingsReport
    from portal.billing.run import RunReport
    from portal.billing.statements import Statement

PERIOD = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
YEAR = r"^([0-9]{4})?$"
ProviderKind = Literal["alipay", "wechat", "sandbox"]
PROVIDER_KINDS: tuple[ProviderKind, ...] = ("alipay", "wechat", "sandbox")


class UnitPath(ApiModel):
    estate: str = Field(pattern=SLUG)
    building: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    room: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")


class YearQuery(ApiModel):
    year: str = Field(default="", pattern=YEAR, description="Year of the history (default: this year).")


class BillOut(ApiModel):
    bill_id: str = Field(description="`<period>-<item>[-<ref>]`, e.g. `2026-11-management`.")
    unit_id: str
    period: str
    item: Literal["management", "parking", "water", "electricity", "other"]
    name: str = Field(description="The fee item in Simplified Chinese (物业费 …).")
    name_en: str
    amount_fen: int
    amount_yuan: str
    paid_fen: int
    paid_yuan: str
    outstanding_fen: int
    outstanding_yuan: str
    status: Literal["unpaid", "partly_paid", "paid"]
    due_date: str = Field(description="Local date the bill falls due.")
    late: bool = Field(description="Past due with something outstanding (欠费).")
    basis: dict[str, str] = Field(description="How the amount was computed (area, price, readings).")
    note: str

    @classmethod
    def of(cls, bill: Bill, late: bool = False) -> BillOut:
        return cls(
            bill_id=bill.bill_id, unit_id=bill.unit.unit_id, period=bill.period,
            item=bill.item,  # type: ignore[arg-type]
            name=translate(f"billing.items.{bill.item}", "zh-CN"),
            name_en=translate(f"billing.items.{bill.item}", "en"),
            amount_fen=bill.amount_fen, amount_yuan=yuan(bill.amount_fen),
            paid_fen=bill.paid_fen, paid_yuan=yuan(bill.paid_fen),
            outstanding_fen=bill.outstanding_fen, outstanding_yuan=yuan(bill.outstanding_fen),
            status=bill.status, due_date=bill.due_date, late=late, basis=bill.basis,
            note=bill.note,
        )  # fmt: skip


class StatementOut(ApiModel):
    unit_id: str
    estate: str
    building: str
    room: str
    year: str
    years: list[str] = Field(description="Years with bills, newest first.")
    outstanding_fen: int
    outstanding_yuan: str
    unpaid: list[BillOut] = Field(description="Everything still owed, any year, oldest first.")
    paid: list[BillOut] = Field(description="Fully paid bills of `year`.")
    history: list[BillOut] = Field(description="Every bill of `year`.")
    providers: list[ProviderKind] = Field(
        default_factory=list,
        description="How the unit's bills can be paid online (the estate's providers, in "
        "display order; `sandbox` only in local and test); empty: no online payment.")

    @classmethod
    def of(cls, s: Statement, providers: Sequence[str] = ()) -> StatementOut:
        def out(bills: tuple[Bill, ...]) -> list[BillOut]:
            return [BillOut.of(b, s.late(b)) for b in bills]

        return cls(unit_id=s.unit.unit_id, estate=s.unit.estate, building=s.unit.building,
                   room=s.unit.room, year=s.year, years=list(s.years),
                   outstanding_fen=s.outstanding_fen, outstanding_yuan=yuan(s.outstanding_fen),
                   unpaid=out(s.unpaid), paid=out(s.paid), history=out(s.history),
                   providers=[k for p in providers for k in PROVIDER_KINDS if k == p])  # fmt: skip


class MyBills(ApiModel):
    units: list[StatementOut]


class RunIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    estate: str = Field(pattern=SLUG)
    period: str = Field(pattern=PERIOD, description="`YYYY-MM`")


class RunOut(ApiModel):
    estate: str
    period: str
    units: int
    planned: int = Field(description="Bills the period should have.")
    created: int = Field(description="Issued by this run.")
    existing: int = Field(description="Already issued before (a run is idempotent).")
    total_fen: int = Field(description="Receivable of the period (应收合计).")
    total_yuan: str
    by_item: dict[str, int]
    skipped: dict[str, int]
    message: str
    message_en: str

    @classmethod
    def of(cls, r: RunReport) -> RunOut:
        params = {"estate": r.estate, "period": r.period, "units": r.units, "planned": r.planned,
                  "total": yuan(r.total_fen), "created": r.created, "existing": r.existing}  # fmt: skip
        return cls(estate=r.estate, period=r.period, units=r.units, planned=r.planned,
                   created=r.created, existing=r.existing, total_fen=r.total_fen,
                   total_yuan=yuan(r.total_fen), by_item=r.by_item, skipped=r.skipped,
                   message=translate("billing.run.report", "zh-CN", **params),
                   message_en=translate("billing.run.report", "en", **params))  # fmt: skip


class ChargeIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    estate: str = Field(pattern=SLUG)
    building: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    room: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    period: str = Field(pattern=PERIOD)
    ref: str = Field(pattern=r"^[a-z0-9]{1,16}$", description="Your reference: the same again is refused.")
    amount_fen: Annotated[int, Field(gt=0, le=MAX_BILL_FEN), JSON_INTEGER]
    note: str = Field(min_length=1, max_length=200, pattern=SOMETHING, description="What it is for (shown to the owner).")


class ReadingsQuery(ApiModel):
    estate: str = Field(pattern=SLUG)
    period: str = Field(pattern=PERIOD)
    dry_run: bool = False
    allow_partial: bool = Field(default=False, description="Write the good rows even if others have errors.")


class RowErrorOut(ApiModel):
    code: str
    column: str = Field(description="The column's header as written in the file.")
    message: str
    message_en: str


class ReadingRowOut(ApiModel):
    row: int = Field(description="Row number as staff see it in their spreadsheet.")
    status: Literal["ok", "error", "skipped"]
    unit_id: str
    item: str
    previous: str
    current: str
    usage: str
    errors: list[RowErrorOut]


class ReadingsReportOut(ApiModel):
    estate: str
    period: str
    file_name: str
    sha256: str
    format: str
    header_row: int
    dry_run: bool
    outcome: Literal["imported", "partially_imported", "rejected"]
    written: int
    counts: dict[str, int]
    message: str
    message_en: str
    rows: list[ReadingRowOut]

    @classmethod
    def of(cls, r: ReadingsReport) -> ReadingsReportOut:
        return cls(
            estate=r.estate, period=r.period, file_name=r.file_name, sha256=r.sha256,
            format=r.format, header_row=r.header_row, dry_run=r.dry_run, outcome=r.outcome,
            written=r.written, counts=r.counts, message=r.message("zh-CN"),
            message_en=r.message("en"),
            rows=[ReadingRowOut(row=x.row, status=x.status, unit_id=x.unit_id, item=x.item,
                                previous=x.previous, current=x.current, usage=x.usage,
                                errors=[RowErrorOut(code=e.code, column=e.column,
                                                    message=e.message("zh-CN"),
                                                    message_en=e.message("en"))
                                        for e in x.errors])
                  for x in r.rows],
        )  # fmt: skip


class AreasQuery(ApiModel):
    estate: str = Field(pattern=SLUG)
    dry_run: bool = False
    allow_partial: bool = Field(default=False, description="Write the good rows even if others have errors.")


class AreaRowOut(ApiModel):
    row: int = Field(description="Row number as staff see it in their spreadsheet.")
    ok: bool
    unit_id: str
    area_m2: str
    errors: list[RowErrorOut]


class AreasReportOut(ApiModel):
    estate: str
    file_name: str
    sha256: str
    dry_run: bool
    outcome: Literal["imported", "partially_imported", "rejected"]
    written: int
    message: str
    message_en: str
    rows: list[AreaRowOut]

    @classmethod
    def of(cls, r: AreasReport) -> AreasReportOut:
        return cls(
            estate=r.estate, file_name=r.file_name, sha256=r.sha256, dry_run=r.dry_run,
            outcome=r.outcome, written=r.written, message=r.message("zh-CN"),
            message_en=r.message("en"),
            rows=[AreaRowOut(row=x.row, ok=x.ok, unit_id=x.unit_id, area_m2=x.area,
                             errors=[RowErrorOut(code=e.code, column=e.column,
                                                 message=e.message("zh-CN"),
                                                 message_en=e.message("en")) for e in x.errors])
                  for x in r.rows],
        )  # fmt: skip
