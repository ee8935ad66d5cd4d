"""What the sandbox provider remembers of each payment (DynamoDB, local and test only).

One item per payment (:func:`portal.store.keys.sandbox_payment`), kept a week. It is
the stand-in's own state, as a real provider keeps its own: ``query()`` answers from
it, and it is not the ledger's record. Every change is a conditional write, so two
clicks on 确认支付 (or the page and a control call) settle a payment once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from portal.billing.providers.base import PaymentRequest, ProviderError
from portal.clock import Clock, iso
from portal.store import keys
from portal.store.conditions import ITEM_IS_NEW, condition
from portal.store.errors import ConditionFailed
from portal.store.items import Item, strings, text, whole
from portal.store.table import Operation, Table, Update
from portal.store.tables import TTL_ATTRIBUTE

NOTIFY_TASK = "sandbox.notify"
"""The kind of task that delivers one sandbox notification (registered in the wiring,
local and test stages only)."""
SandboxStatus = Literal["pending", "paid", "closed", "refunded"]
KEEP = timedelta(days=7)


@dataclass(frozen=True)
class SandboxPayment:
    out_trade_no: str
    amount_fen: int
    subject: str
    notify_url: str
    return_url: str
    status: SandboxStatus
    created_at: str
    transaction_id: str = ""
    paid_at: str = ""
    pay_by: str = ""
    """The request's ``expires_at`` (UTC ISO); empty: no limit."""
    refunded_fen: int = 0
    refund_nos: frozenset[str] = frozenset()

    def expired(self, now: datetime) -> bool:
        return bool(self.pay_by) and iso(now) > self.pay_by


def _of(item: Item) -> SandboxPayment:
    status = text(item, "status")
    assert status in ("pending", "paid", "closed", "refunded")
    return SandboxPayment(
        out_trade_no=text(item, "out_trade_no"),
        amount_fen=whole(item, "amount_fen"),
        subject=text(item, "subject"),
        notify_url=text(item, "notify_url"),
        return_url=text(item, "return_url"),
        status=cast(SandboxStatus, status),
        created_at=text(item, "created_at"),
        transaction_id=text(item, "transaction_id"),
        paid_at=text(item, "paid_at"),
        pay_by=text(item, "pay_by"),
        refunded_fen=whole(item, "refunded_fen"),
        refund_nos=strings(item, "refund_nos"),
    )


def refund_id_of(refund_no: str) -> str:
    return f"SBR{refund_no}"


class SandboxStore:
    def __init__(self, table: Table, clock: Clock) -> None:
        self.table, self.clock = table, clock

    def get(self, out_trade_no: str) -> SandboxPayment | None:
        item = self.table.get(keys.sandbox_payment(out_trade_no))
        return _of(item) if item else None

    def create(self, request: PaymentRequest) -> SandboxPayment:
        """Remember a new payment; the same request again is the same payment, another
        request with the same ``out_trade_no`` is refused (as WeChat refuses it)."""
        now = self.clock()
        item: dict[str, Any] = {
            **keys.sandbox_payment(request.out_trade_no),
            "out_trade_no": request.out_trade_no,
            "amount_fen": request.amount_fen,
            "subject": request.subject,
            "notify_url": request.notify_url,
            "return_url": request.return_url,
            "status": "pending",
            "created_at": iso(now),
            "pay_by": iso(request.expires_at) if request.expires_at else "",
            "refunded_fen": 0,
            TTL_ATTRIBUTE: int((now + KEEP).timestamp()),
        }
        try:
            self.table.put(item, ITEM_IS_NEW)
        except ConditionFailed:
            known = self.get(request.out_trade_no)
            if known is None or (known.amount_fen, known.notify_url) != (
                request.amount_fen, request.notify_url
            ):
                raise ProviderError("refused", "duplicate_out_trade_no") from None
            return known
        return _of(item)

    def settle(self, out_trade_no: str, outcome: Literal["paid", "closed"]) -> Update:
        """The write that moves a pending payment to ``outcome`` (into the caller's
        transaction, with the notification tasks)."""
        now = self.clock()
        values: dict[str, Any] = {"status": outcome}
        if outcome == "paid":
            values["transaction_id"] = (
                f"SBX{now.strftime('%Y%m%d%H%M%S')}{secrets.token_hex(6).upper()}"
            )
            values["paid_at"] = iso(now)
        return Update(keys.sandbox_payment(out_trade_no), set=values,
                      condition=condition("sandbox_payment_is_pending", "#s = :pending",
                                          names={"#s": "status"}, pending="pending"))  # fmt: skip

    def write(self, operations: list[Operation]) -> None:
        self.table.transact(operations)

    def refund(self, payment: SandboxPayment, refund_no: str, amount_fen: int) -> str:
        """Refund once per ``refund_no`` (a retry answers the same id), never more than paid."""
        if refund_no in payment.refund_nos:
            return refund_id_of(refund_no)
        if payment.status not in ("paid", "refunded"):
            raise ProviderError("refused", "not_paid")
        if payment.refunded_fen + amount_fen > payment.amount_fen:
            raise ProviderError("refused", "refund_exceeds_payment")
        try:
            self.table.update(
                keys.sandbox_payment(payment.out_trade_no),
                set={"status": "refunded", "refunded_fen": payment.refunded_fen + amount_fen},
                add={"refund_nos": {refund_no}},
                condition=condition("sandbox_refunded_unchanged", "refunded_fen = :before",
                                    before=payment.refunded_fen),
            )
        except ConditionFailed:
            raise ProviderError("unavailable", "concurrent_refund") from None
        return refund_id_of(refund_no)
