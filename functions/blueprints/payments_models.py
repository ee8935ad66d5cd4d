"""Request and response models of the payment routes (the OpenAPI contract)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from functions.fields import JSON_INTEGER, SLUG, SOMETHING
from functions.model import ApiModel
from portal.billing.model import Payment, Refund
from portal.billing.money import MAX_BILL_FEN, yuan
from portal.billing.payments import MAX_LINES
from portal.billing.providers.base import PaymentStart, StartKind
from portal.billing.receipts import Receipt
from portal.i18n import translate

PAYMENT_ID = r"^[0-9]{8}[0-9a-f]{8}[a-z0-9_]{1,16}$"


class PaymentIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    estate: str = Field(pattern=SLUG)
    building: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    room: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    bills: list[str] = Field(min_length=1, max_length=MAX_LINES,
                             description="Bill ids of the unit to pay (their whole outstanding amounts).")  # fmt: skip
    provider: Literal["alipay", "wechat", "sandbox"] = Field(
        description="How the owner pays; the estate's configuration picks the account "
        "(`sandbox`: local and test only). One the estate does not offer: 409.")
    in_wechat: bool = Field(default=False, description="The page runs in WeChat's in-app browser.")
    openid: str = Field(default="", max_length=128, description="WeChat JSAPI: the payer's openid.")


class PaymentPath(ApiModel):
    payment_id: str = Field(pattern=PAYMENT_ID)


class NotifyPath(ApiModel):
    account: str = Field(pattern=r"^[a-z0-9-]{1,32}$",
                         description="The payment account (`PORTAL_PAYMENTS`) the notification is for.")  # fmt: skip


class ReviewQuery(ApiModel):
    estate: str = Field(pattern=SLUG)


class LineOut(ApiModel):
    bill_id: str
    item: str
    period: str
    pay_fen: int
    pay_yuan: str


class PaymentOut(ApiModel):
    payment_id: str = Field(description="Also the provider's out_trade_no.")
    unit_id: str
    provider: str
    amount_fen: int
    amount_yuan: str
    status: Literal["pending", "paid", "closed", "review"] = Field(
        description="`paid` only once the provider's notification (or query) is recorded.")
    status_text: str
    status_text_en: str
    created_at: str
    expires_at: str
    paid_at: str
    receipt_no: str
    review_reason: str
    refunded_fen: int
    refunded_yuan: str
    refundable_fen: int = Field(
        description="What finance may still refund (captured − refunded − being refunded).")
    refundable_yuan: str
    lines: list[LineOut]

    @classmethod
    def of(cls, p: Payment) -> PaymentOut:
        return cls(
            payment_id=p.payment_id, unit_id=p.unit.unit_id, provider=p.provider,
            amount_fen=p.amount_fen, amount_yuan=yuan(p.amount_fen), status=p.status,
            status_text=translate(f"billing.payment_status.{p.status}", "zh-CN"),
            status_text_en=translate(f"billing.payment_status.{p.status}", "en"),
            created_at=p.created_at, expires_at=p.expires_at, paid_at=p.paid_at,
            receipt_no=p.receipt_no, review_reason=p.review_reason,
            refunded_fen=p.refunded_fen, refunded_yuan=yuan(p.refunded_fen),
            refundable_fen=max(0, p.refundable_fen),
            refundable_yuan=yuan(max(0, p.refundable_fen)),
            lines=[LineOut(bill_id=ln.bill_id, item=ln.item, period=ln.period, pay_fen=ln.pay_fen,
                           pay_yuan=yuan(ln.pay_fen)) for ln in p.lines],
        )  # fmt: skip


class StartOut(ApiModel):
    kind: StartKind = Field(description="redirect: go to `url`; jsapi: WeixinJSBridge with "
                            "`fields`; sandbox: the local stand-in's page; guide: Alipay "
                            "cannot open in WeChat, show `fields.message` (open in the system "
                            "browser).")  # fmt: skip
    url: str
    fields: dict[str, str]

    @classmethod
    def of(cls, s: PaymentStart) -> StartOut:
        return cls(kind=s.kind, url=s.url, fields=dict(s.fields))


class PaymentCreated(ApiModel):
    payment: PaymentOut
    start: StartOut = Field(description="What the page does next to pay at the provider.")


class PaymentList(ApiModel):
    items: list[PaymentOut]



class RefundIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    amount_fen: Annotated[int, Field(gt=0, le=MAX_BILL_FEN * MAX_LINES), JSON_INTEGER]
    reason: str = Field(min_length=1, max_length=200, pattern=SOMETHING)
    allocation: dict[str, Annotated[int, Field(ge=0, le=MAX_BILL_FEN), JSON_INTEGER]] | None = Field(
        default=None, description="Bill id → fen given back on it (default: the last bills first).")


class RefundOut(ApiModel):
    refund_no: str
    payment_id: str
    amount_fen: int
    amount_yuan: str
    reason: str
    state: Literal["requested", "succeeded", "failed"]
    allocation: dict[str, int]
    requested_at: str
    requested_by: str

    @classmethod
    def of(cls, r: Refund) -> RefundOut:
        return cls(refund_no=r.refund_no, payment_id=r.payment_id, amount_fen=r.amount_fen,
                   amount_yuan=yuan(r.amount_fen), reason=r.reason, state=r.state,
                   allocation=r.allocation, requested_at=r.requested_at,
                   requested_by=r.requested_by)  # fmt: skip


class UnitPaymentOut(PaymentOut):
    refunds: list[RefundOut] = Field(description="Its refunds, oldest first.")

    @classmethod
    def with_refunds(cls, p: Payment, refunds: Sequence[Refund]) -> UnitPaymentOut:
        return cls(**PaymentOut.of(p).model_dump(), refunds=[RefundOut.of(r) for r in refunds])


class UnitPayments(ApiModel):
    """A unit's payments, newest first (the last 50), each with its refunds."""

    unit_id: str
    items: list[UnitPaymentOut]


class ReceiptLineOut(ApiModel):
    item: str
    name: str
    name_en: str
    period: str
    fen: int
    yuan: str


class ReceiptOut(ApiModel):
    """A printable receipt (收据), zh-CN with English."""

    receipt_no: str = Field(description="`<estate>-<year>-<nnnnnn>`: gap-free per estate and year.")
    title: str
    title_en: str
    labels: dict[str, str] = Field(description="The receipt's captions in Simplified Chinese.")
    labels_en: dict[str, str]
    company: str
    company_en: str
    estate_name: str
    estate_name_en: str
    unit_id: str
    lines: list[ReceiptLineOut]
    total_fen: int
    total_yuan: str
    total_capital: str = Field(description="人民币大写.")
    provider_name: str
    provider_name_en: str
    transaction_id: str
    payment_id: str
    paid_at: str
    paid_at_local: str

    @classmethod
    def of(cls, r: Receipt) -> ReceiptOut:
        names = ("number", "unit", "item", "period", "amount", "total", "capital", "paid_at",
                 "channel", "transaction")  # fmt: skip
        return cls(
            receipt_no=r.receipt_no, title=r.title, title_en=r.title_en,
            labels={n: translate(f"billing.receipt.{n}", "zh-CN") for n in names},
            labels_en={n: translate(f"billing.receipt.{n}", "en") for n in names},
            company=r.company, company_en=r.company_en, estate_name=r.estate_name,
            estate_name_en=r.estate_name_en, unit_id=r.unit_id,
            lines=[ReceiptLineOut(**vars(ln)) for ln in r.lines], total_fen=r.total_fen,
            total_yuan=r.total_yuan, total_capital=r.total_capital,
            provider_name=r.provider_name, provider_name_en=r.provider_name_en,
            transaction_id=r.transaction_id, payment_id=r.payment_id, paid_at=r.paid_at,
            paid_at_local=r.paid_at_local,
        )  # fmt: skip
