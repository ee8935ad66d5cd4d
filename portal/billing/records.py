"""Payments and refunds as store items, and back (keys: :mod:`portal.store.keys`).

A payment's item carries the keys of the indexes it is in: its unit's payments
(``gsi2``, always), the pending sweep (``gsi3``, while pending) and the estate's
review list (``gsi1``, while in review). Each state change sets or removes them
in the same update, so the indexes stay sparse.
"""

from __future__ import annotations

from typing import Any

from portal.billing.model import Line, Payment, Refund, UnitKey
from portal.store import billing_keys
from portal.store.conditions import Condition, condition
from portal.store.items import Item, text, whole
from portal.store.tables import GSI1, GSI2, GSI3

PAYMENT_OPEN = condition("payment_open", "#s IN (:pending, :closed)", names={"#s": "status"},
                         pending="pending", closed="closed")  # fmt: skip
"""Money may still be applied to the payment: nothing was recorded for it yet."""


def payment_in(status: str) -> Condition:
    return condition("payment_in_state", "#s = :s", names={"#s": "status"}, s=status)


def pending_index(p: Payment) -> dict[str, str]:
    return billing_keys.payment_index(billing_keys.PENDING_PAYMENTS, p.created_at, p.payment_id, GSI3)


def review_index(p: Payment, at: str) -> dict[str, str]:
    return billing_keys.payment_index(billing_keys.payments_in_review(p.unit.estate), at, p.payment_id, GSI1)


def index_names(index: Any) -> tuple[str, str]:
    return index.hash_key, index.range_key or ""


def payment_item(p: Payment) -> Item:
    u = p.unit
    item: Item = {
        **billing_keys.payment(p.payment_id),
        **billing_keys.payment_index(billing_keys.unit_payments(u.estate, u.building, u.room), p.created_at,
                             p.payment_id, GSI2),
        "type": "payment", "payment_id": p.payment_id, "estate": u.estate,
        "building": u.building, "room": u.room, "unit_id": u.unit_id, "provider": p.provider,
        "account": p.account,
        "amount_fen": p.amount_fen, "status": p.status, "subject": p.subject,
        "created_at": p.created_at, "created_by": p.created_by, "expires_at": p.expires_at,
        "lines": [{"bill_id": ln.bill_id, "item": ln.item, "period": ln.period,
                   "amount_fen": ln.amount_fen, "paid_before": ln.paid_before,
                   "pay_fen": ln.pay_fen} for ln in p.lines],
        "transaction_id": p.transaction_id, "paid_at": p.paid_at, "recorded_at": p.recorded_at,
        "receipt_no": p.receipt_no, "review_reason": p.review_reason,
        "captured_fen": p.captured_fen, "refunded_fen": p.refunded_fen,
        "refunding_fen": p.refunding_fen, "refunds": p.refunds, "version": 1,
    }  # fmt: skip
    if p.status == "pending":
        item.update(pending_index(p))
    return item


def payment_of(item: Item) -> Payment:
    lines: Any = item.get("lines") or []
    return Payment(
        payment_id=text(item, "payment_id"),
        unit=UnitKey(text(item, "estate"), text(item, "building"), text(item, "room")),
        provider=text(item, "provider"), amount_fen=whole(item, "amount_fen"),
        lines=tuple(Line(text(ln, "bill_id"), text(ln, "item"), text(ln, "period"),
                         whole(ln, "amount_fen"), whole(ln, "paid_before"), whole(ln, "pay_fen"))
                    for ln in lines if isinstance(ln, dict)),
        status=text(item, "status"),  # type: ignore[arg-type]
        created_at=text(item, "created_at"), created_by=text(item, "created_by"),
        expires_at=text(item, "expires_at"), subject=text(item, "subject"),
        account=text(item, "account"),
        transaction_id=text(item, "transaction_id"), paid_at=text(item, "paid_at"),
        recorded_at=text(item, "recorded_at"), receipt_no=text(item, "receipt_no"),
        review_reason=text(item, "review_reason"), captured_fen=whole(item, "captured_fen"),
        refunded_fen=whole(item, "refunded_fen"), refunding_fen=whole(item, "refunding_fen"),
        refunds=whole(item, "refunds"),
    )  # fmt: skip


def refund_item(r: Refund, estate: str) -> Item:
    """A refund; while ``requested`` (the provider's answer not known yet) it is also in the
    sweep's index of refunds to settle."""
    pending = (billing_keys.payment_index(billing_keys.PENDING_REFUNDS, r.requested_at,
                                          r.refund_no, GSI3) if r.state == "requested" else {})  # fmt: skip
    return {
        **pending,
        **billing_keys.refund(r.payment_id, r.seq), "type": "refund", "estate": estate,
        "payment_id": r.payment_id, "seq": r.seq, "refund_no": r.refund_no,
        "amount_fen": r.amount_fen, "reason": r.reason, "state": r.state,
        "requested_at": r.requested_at, "requested_by": r.requested_by,
        "allocation": dict(r.allocation), "provider_refund_id": r.provider_refund_id,
        "finished_at": r.finished_at,
    }  # fmt: skip


def refund_of(item: Item) -> Refund:
    allocation: Any = item.get("allocation") or {}
    return Refund(
        payment_id=text(item, "payment_id"), seq=whole(item, "seq"),
        refund_no=text(item, "refund_no"), amount_fen=whole(item, "amount_fen"),
        reason=text(item, "reason"), state=text(item, "state"),  # type: ignore[arg-type]
        requested_at=text(item, "requested_at"), requested_by=text(item, "requested_by"),
        allocation={str(k): int(v) for k, v in allocation.items()},
        provider_refund_id=text(item, "provider_refund_id"),
        finished_at=text(item, "finished_at"),
    )  # fmt: skip
