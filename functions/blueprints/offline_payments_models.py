"""Request and response models of offline payments, handover and direct debits (the contract)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from functions.fields import CODE, JSON_INTEGER, SLUG, IsoDate, no_default
from functions.model import ApiModel
from portal.billing.money import MAX_BILL_FEN, yuan
from portal.finance.debit import DebitReport, Notice
from portal.finance.handover import Batch
from portal.finance.offline import MAX_BILLS, Recorded
from portal.i18n import translate
from portal.store.items import Item, text, whole

REQUEST_ID = r"^[0-9A-Za-z_-]{8,64}$"
BILL_ID = r"^[0-9]{4}-[0-9]{2}-[a-z]+(-[a-z0-9]{1,16})?$"
USERNAME = r"^[a-z0-9._-]{1,64}$"
MAX_COUNT = 100_000


class OfflineIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    estate: str = Field(pattern=SLUG)
    building: str = Field(pattern=CODE)
    room: str = Field(pattern=CODE)
    bills: list[Annotated[str, Field(pattern=BILL_ID)]] = Field(
        min_length=1, max_length=MAX_BILLS, json_schema_extra={"uniqueItems": True},
        description="Bill ids of the unit (each once), paid in full.")
    method: Literal["cash", "transfer", "pos"] = Field(description="现金, 银行转账, POS刷卡.")
    amount_fen: Annotated[int, Field(gt=0, le=MAX_BILL_FEN * MAX_BILLS), JSON_INTEGER] = Field(
        description="What was received: must equal the bills' outstanding amount (else 409).")
    request_id: str = Field(pattern=REQUEST_ID,
                            description="One per form, kept across retries: the same id again "
                            "answers the first recording (never a second payment).")  # fmt: skip
    reference: str = Field(default="", max_length=64, description="Bank serial or POS slip number.")
    at_door: bool = Field(default=False, description="Cash a guard collected at the owner's door "
                          "(joins the guard's handover batch of the day).")  # fmt: skip
    note: str = Field(default="", max_length=120)


class OfflineOut(ApiModel):
    payment_id: str
    unit_id: str
    method: str
    method_name: str
    amount_fen: int
    amount_yuan: str
    receipt_no: str
    day: str
    first: bool = Field(description="False: this request id was recorded before; its answer.")
    bills: list[str]

    @classmethod
    def of(cls, r: Recorded) -> OfflineOut:
        p = r.payment
        return cls(payment_id=p.payment_id, unit_id=p.unit.unit_id, method=p.provider,
                   method_name=translate(f"collection.methods.{p.provider}", "zh-CN"),
                   amount_fen=p.amount_fen, amount_yuan=yuan(p.amount_fen),
                   receipt_no=p.receipt_no, day=r.day, first=r.first,
                   bills=[ln.bill_id for ln in p.lines])  # fmt: skip


class DayQuery(ApiModel):
    estate: str = Field(pattern=SLUG)
    day: IsoDate | None = Field(default=None, description="Local day (default: today).",
                                json_schema_extra=no_default)  # fmt: skip


class OfflineLine(ApiModel):
    payment_id: str
    unit_id: str
    method: str
    amount_fen: int
    amount_yuan: str
    receipt_no: str
    at: str
    recorded_by: str
    at_door: bool
    reference: str

    @classmethod
    def of(cls, i: Item) -> OfflineLine:
        return cls(payment_id=text(i, "payment_id"), unit_id=text(i, "unit_id"),
                   method=text(i, "method"), amount_fen=whole(i, "amount_fen"),
                   amount_yuan=yuan(whole(i, "amount_fen")), receipt_no=text(i, "receipt_no"),
                   at=text(i, "at"), recorded_by=text(i, "recorded_by"),
                   at_door=bool(i.get("at_door")), reference=text(i, "reference"))  # fmt: skip


class OfflineDay(ApiModel):
    estate: str
    day: str
    count: int
    total_fen: int
    total_yuan: str
    payments: list[OfflineLine]


class EstateQuery(ApiModel):
    estate: str = Field(pattern=SLUG)


class HandoverQuery(ApiModel):
    estate: str = Field(pattern=SLUG)
    since: IsoDate | None = Field(default=None, description="From this local day.",
                                  json_schema_extra=no_default)  # fmt: skip


class BatchOut(ApiModel):
    estate: str
    day: str
    collector: str
    collector_name: str
    count: int
    total_fen: int
    total_yuan: str
    state: Literal["open", "confirmed", "discrepancy"]
    state_name: str
    overdue: bool = Field(description="Still open after the end of the next local day.")
    counted_count: int
    counted_fen: int
    confirmed_by: str
    confirmed_at: str
    note: str

    @classmethod
    def of(cls, b: Batch, overdue: bool) -> BatchOut:
        return cls(estate=b.estate, day=b.day, collector=b.collector,
                   collector_name=b.collector_name, count=b.count, total_fen=b.total_fen,
                   total_yuan=yuan(b.total_fen), state=b.state,
                   state_name=translate(f"collection.handover.states.{b.state}", "zh-CN"),
                   overdue=overdue, counted_count=b.counted_count, counted_fen=b.counted_fen,
                   confirmed_by=b.confirmed_by, confirmed_at=b.confirmed_at, note=b.note)  # fmt: skip


class BatchList(ApiModel):
    estate: str
    today: str
    batches: list[BatchOut]


class BatchPath(ApiModel):
    estate: str = Field(pattern=SLUG)
    day: IsoDate
    collector: str = Field(pattern=USERNAME)


class ConfirmIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    count: Annotated[int, Field(ge=0, le=MAX_COUNT), JSON_INTEGER] = Field(description="Payments counted.")
    amount_fen: Annotated[int, Field(ge=0, le=MAX_BILL_FEN * 100), JSON_INTEGER] = Field(
        description="Cash counted, in fen.")
    note: str = Field(default="", max_length=200)


class DebitRowError(ApiModel):
    code: str
    column: str
    message: str
    message_en: str


class DebitRowOut(ApiModel):
    row: int
    status: Literal["recorded", "duplicate", "error", "skipped"]
    unit_id: str
    amount_fen: int
    serial: str
    receipt_no: str
    errors: list[DebitRowError]


class DebitReportOut(ApiModel):
    estate: str
    file_name: str
    sha256: str
    format: str
    counts: dict[str, int]
    recorded_fen: int
    recorded_yuan: str
    message: str
    message_en: str
    rows: list[DebitRowOut]

    @classmethod
    def of(cls, r: DebitReport) -> DebitReportOut:
        return cls(
            estate=r.estate, file_name=r.file_name, sha256=r.sha256, format=r.format,
            counts=r.counts, recorded_fen=r.recorded_fen, recorded_yuan=yuan(r.recorded_fen),
            message=r.message("zh-CN"), message_en=r.message("en"),
            rows=[DebitRowOut(row=x.row, status=x.status, unit_id=x.unit_id, amount_fen=x.amount_fen,
                              serial=x.serial, receipt_no=x.receipt_no,
                              errors=[DebitRowError(code=e.code, column=e.column,
                                                    message=e.message("zh-CN"),
                                                    message_en=e.message("en")) for e in x.errors])
                  for x in r.rows],
        )  # fmt: skip


class NoticeOut(ApiModel):
    payment_id: str
    unit_id: str
    amount_fen: int
    amount_yuan: str
    receipt_no: str
    recorded_at: str
    due_by: str
    overdue: bool

    @classmethod
    def of(cls, n: Notice, overdue: bool) -> NoticeOut:
        return cls(payment_id=n.payment_id, unit_id=n.unit_id, amount_fen=n.amount_fen,
                   amount_yuan=yuan(n.amount_fen), receipt_no=n.receipt_no,
                   recorded_at=n.recorded_at, due_by=n.due_by, overdue=overdue)  # fmt: skip


class NoticeList(ApiModel):
    estate: str
    due: list[NoticeOut]
