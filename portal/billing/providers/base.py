"""The interface every payment provider adapter implements (Alipay, WeChat Pay, the sandbox).

The ledger (:mod:`portal.billing`) speaks only these types: it starts a payment
with a :class:`PaymentRequest`, learns that money moved from a verified
:class:`Notification` (or from :meth:`PaymentProvider.query`), and answers the
provider with :meth:`PaymentProvider.acknowledge`. Amounts are integer fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol


@dataclass(frozen=True)
class PaymentRequest:
    out_trade_no: str
    amount_fen: int
    subject: str
    notify_url: str
    return_url: str
    client_ip: str = ""
    openid: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class PaymentStart:
    kind: Literal["redirect", "form", "jsapi", "sandbox"]
    url: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    provider: str
    notification_id: str
    transaction_id: str
    out_trade_no: str
    amount_fen: int
    status: Literal["paid", "closed", "refunded", "pending"]
    paid_at: str
    app_id: str = ""


class NotificationRejected(Exception):
    """A notification that failed verification (signature, freshness, app id ...)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class PaymentProvider(Protocol):
    name: str

    def start(self, request: PaymentRequest, *, in_wechat: bool) -> PaymentStart: ...

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> Notification: ...

    def acknowledge(self, accepted: bool) -> tuple[int, dict[str, str], bytes]: ...

    def query(self, out_trade_no: str) -> Notification | None: ...

    def refund(self, out_trade_no: str, refund_no: str, amount_fen: int, total_fen: int,
               reason: str) -> str: ...  # fmt: skip
