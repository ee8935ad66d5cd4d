"""A payment provider for tests: signs its notifications with HMAC, remembers what it was asked.

It implements :class:`portal.billing.providers.base.PaymentProvider` the way the
real adapters do (verify the signature and the freshness, answer in the
provider's own format), without any network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from portal.billing.providers.base import (
    Notification,
    NotificationRejected,
    PaymentRequest,
    PaymentStart,
)

SIGNATURE = "X-Fake-Signature"
FRESH_FOR = timedelta(minutes=5)


class FakeProvider:
    name = "fake"

    def __init__(self, secret: bytes = b"fake-provider-secret") -> None:
        self.secret = secret
        self.started: list[PaymentRequest] = []
        self.states: dict[str, Notification] = {}
        """What :meth:`query` answers, by out_trade_no."""
        self.refunds: list[tuple[str, str, int, int, str]] = []
        self.fail_start = False
        self.fail_refund = False

    # -- the interface -----------------------------------------------------------------------

    def start(self, request: PaymentRequest, *, in_wechat: bool) -> PaymentStart:
        if self.fail_start:
            raise ConnectionError("provider down")
        self.started.append(request)
        return PaymentStart("sandbox", url=f"https://pay.invalid/{request.out_trade_no}",
                            fields={"amount": str(request.amount_fen)})  # fmt: skip

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> Notification:
        expected = hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get(SIGNATURE, ""), expected):
            raise NotificationRejected("bad_signature")
        data = json.loads(body)
        sent = datetime.fromisoformat(data["sent_at"])
        if abs(now - sent) > FRESH_FOR:
            raise NotificationRejected("stale")
        return Notification(self.name, data["id"], data["tx"], data["out_trade_no"],
                            int(data["amount_fen"]), data["status"], data["paid_at"])  # fmt: skip

    def acknowledge(self, accepted: bool) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps({"code": "SUCCESS" if accepted else "FAIL"}).encode()
        return (200 if accepted else 400), {"Content-Type": "application/json"}, body

    def query(self, out_trade_no: str) -> Notification | None:
        return self.states.get(out_trade_no)

    def refund(self, out_trade_no: str, refund_no: str, amount_fen: int, total_fen: int,
               reason: str) -> str:  # fmt: skip
        if self.fail_refund:
            raise ConnectionError("refund refused")
        self.refunds.append((out_trade_no, refund_no, amount_fen, total_fen, reason))
        return f"RF{refund_no}"

    # -- what a test sends ---------------------------------------------------------------------

    def notification(self, out_trade_no: str, amount_fen: int, now: datetime, *,
                     tx: str | None = None, nid: str | None = None,
                     status: str = "paid") -> tuple[dict[str, str], bytes]:  # fmt: skip
        """Headers and body of a signed notification."""
        body = json.dumps({
            "id": nid or uuid.uuid4().hex, "tx": tx or f"T{out_trade_no}",
            "out_trade_no": out_trade_no, "amount_fen": amount_fen, "status": status,
            "paid_at": now.isoformat(timespec="seconds"), "sent_at": now.isoformat(),
        }).encode()  # fmt: skip
        signature = hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        return {SIGNATURE: signature, "Content-Type": "application/json"}, body

    def paid(self, out_trade_no: str, amount_fen: int, *, tx: str | None = None,
             nid: str | None = None, at: str = "2026-11-22T02:05:00Z") -> Notification:  # fmt: skip
        return Notification(self.name, nid or uuid.uuid4().hex, tx or f"T{out_trade_no}",
                            out_trade_no, amount_fen, "paid", at)  # fmt: skip
