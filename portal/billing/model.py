"""What the ledger is made of: periods, bills (应收), payments (实收), refunds (退款).

A bill is one fee item of one unit for one period (``2026-11``): its amount is
fixed when it is issued; ``paid_fen`` is what payments captured minus what
refunds gave back, so a bill is

=============  ==========================================
``unpaid``     ``paid_fen == 0``
``partly_paid`` ``0 < paid_fen < amount_fen`` (after a partial refund)
``paid``       ``paid_fen == amount_fen``
=============  ==========================================

A payment covers the outstanding amounts of one or more bills of one unit; the
server computes its amount. Its states:

===========  =============================================================  ================
state        meaning                                                        next
===========  =============================================================  ================
pending      created, handed to the provider; no money seen yet             paid, closed,
                                                                            review
paid         a verified notification (or query) recorded it: bills paid,    (refunds change
             receipt numbered                                               ``refunded_fen``)
closed       the provider closed it unpaid (or it expired); a late paid     paid, review
             notification still records it if its bills are unchanged
review       money was captured but cannot be applied (amount differs from  (finance: refund)
             the server's, or the bills changed meanwhile): for finance
===========  =============================================================  ================
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from portal.errors import InvalidInput

FeeItem = Literal["management", "parking", "water", "electricity", "other"]
ITEMS: tuple[FeeItem, ...] = ("management", "parking", "water", "electricity", "other")
ITEM_UNITS: dict[str, str] = {
    "management": "per_m2_month",
    "parking": "per_month",
    "water": "per_m3",
    "electricity": "per_kwh",
}
"""The fee standard's ``unit`` each recurring item is priced in (``FeeStandard.unit``)."""
METERED: tuple[FeeItem, ...] = ("water", "electricity")

BillStatus = Literal["unpaid", "partly_paid", "paid"]
PaymentStatus = Literal["pending", "paid", "closed", "review"]
PAYMENT_STATUSES: tuple[PaymentStatus, ...] = ("pending", "paid", "closed", "review")

DUE_DAYS_AFTER_PERIOD = 15
"""A period's bills are due on the 15th of the following month (estate's local day)."""

_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_REF = re.compile(r"[a-z0-9]{1,16}")


def check_period(period: str) -> str:
    """``period`` if it is ``YYYY-MM`` (2000–2099), else ``InvalidInput("bill_period_invalid")``."""
    m = _PERIOD.fullmatch(period)
    if m is None or not 2000 <= int(m[1]) <= 2099:
        raise InvalidInput("bill_period_invalid", period=period[:20])
    return period


def due_date(period: str) -> date:
    """When a period's bills fall due (:data:`DUE_DAYS_AFTER_PERIOD`)."""
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, min(DUE_DAYS_AFTER_PERIOD, monthrange(year, month)[1]))


def bill_id(period: str, item: str, ref: str = "") -> str:
    """``2026-11-management``; a one-off item carries its reference: ``2026-11-other-key2``."""
    return f"{period}-{item}" + (f"-{ref}" if ref else "")


def check_ref(ref: str) -> str:
    if not _REF.fullmatch(ref):
        raise InvalidInput("bill_ref_invalid")
    return ref


def period_of(bill: str) -> str:
    return bill[:7]


def item_of(bill: str) -> str:
    return bill[8:].split("-", 1)[0]


@dataclass(frozen=True)
class UnitKey:
    estate: str
    building: str
    room: str

    @property
    def unit_id(self) -> str:
        return f"{self.estate}/{self.building}/{self.room}"


@dataclass(frozen=True)
class Bill:
    unit: UnitKey
    bill_id: str
    item: str
    period: str
    amount_fen: int
    paid_fen: int = 0
    due_date: str = ""
    basis: dict[str, str] = field(default_factory=dict)
    """How the amount was computed (area, price, readings), for the owner and the receipt."""
    note: str = ""
    created_at: str = ""
    pending_payment: str = ""
    pending_until: str = ""

    @property
    def outstanding_fen(self) -> int:
        return self.amount_fen - self.paid_fen

    @property
    def status(self) -> BillStatus:
        return status_of(self.amount_fen, self.paid_fen)


def status_of(amount_fen: int, paid_fen: int) -> BillStatus:
    if paid_fen <= 0:
        return "unpaid"
    return "paid" if paid_fen >= amount_fen else "partly_paid"


@dataclass(frozen=True)
class Line:
    """One bill a payment covers: what it was when the payment was made, and what is paid."""

    bill_id: str
    item: str
    period: str
    amount_fen: int
    paid_before: int
    pay_fen: int


@dataclass(frozen=True)
class Payment:
    payment_id: str
    unit: UnitKey
    provider: str
    """The provider's kind: ``alipay``, ``wechat`` or ``sandbox`` (what its notifications say)."""
    amount_fen: int
    lines: tuple[Line, ...]
    status: PaymentStatus
    created_at: str
    created_by: str
    expires_at: str
    subject: str = ""
    account: str = ""
    """The payment account it was made with (``PORTAL_PAYMENTS``): its notify URL, and the
    account that is asked about it (query) and refunds it."""
    transaction_id: str = ""
    paid_at: str = ""
    recorded_at: str = ""
    receipt_no: str = ""
    review_reason: str = ""
    captured_fen: int = 0
    """What the provider says it captured (differs from ``amount_fen`` only in review)."""
    refunded_fen: int = 0
    refunding_fen: int = 0
    refunds: int = 0

    @property
    def refundable_fen(self) -> int:
        return self.captured_fen - self.refunded_fen - self.refunding_fen


@dataclass(frozen=True)
class Refund:
    payment_id: str
    seq: int
    refund_no: str
    amount_fen: int
    reason: str
    state: Literal["requested", "succeeded", "failed"]
    requested_at: str
    requested_by: str
    allocation: dict[str, int] = field(default_factory=dict)
    """bill id → fen given back on that bill."""
    provider_refund_id: str = ""
    finished_at: str = ""
