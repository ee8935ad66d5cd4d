"""The sandbox: a stand-in payment provider for the local run and the tests.

It behaves like a real one, through the same interface:

- ``start()`` creates the payment at the "provider" (as WeChat's prepay call does) and
  sends the browser to its hosted page, ``/sandbox-pay/<out_trade_no>``
  (:mod:`functions.sandbox_pay`, routed only in the local and test stages), where the
  owner confirms (确认支付) or cancels (取消);
- it then POSTs a **signed** notification to the payment's ``notify_url``: JSON, signed
  with SHA256withRSA over ``timestamp\\nnonce\\nbody\\n`` in ``Sandbox-*`` headers, by a
  key generated per process (never written anywhere). ``verify()`` checks it through
  the same code as WeChat Pay's (:mod:`.signed`): key serial, signature, ±5 minutes;
- ``query()`` answers from its own state (:mod:`.sandbox_store`), ``refund()`` refunds
  once per refund number.

How the notification goes out is chosen on the page or by the control API
(:data:`BEHAVIOURS`), to exercise the ledger's hard cases:

==============  ==========================================================================
``now``         one notification, at once (the default)
``twice``       the same notification (same id) delivered twice: a retry after a lost answer
``late``        delivered ``delay_s`` seconds later (default 120); ``query()`` says paid meanwhile
``out_of_order`` the final notification, then an older ``pending`` one for the same payment
``never``       none: only ``query()`` tells
``stale``       signed with a time 10 minutes ago: ``verify()`` must refuse it (``stale``)
==============  ==========================================================================

Notifications are delivered by a task (:mod:`portal.tasks`, kind :data:`NOTIFY_TASK`):
the dev server's task thread locally, inline in the test stage. Like a provider, the
sandbox retries (the task's back-off) until the notify URL answers 2xx.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from portal.billing.providers import crypto, signed
from portal.billing.providers.base import (
    Notification,
    NotificationRejected,
    PaymentRequest,
    PaymentStart,
    ProviderError,
    ProviderName,
    Status,
    check_out_trade_no,
    require,
)
from portal.billing.providers.http import Transport
from portal.billing.providers.sandbox_store import NOTIFY_TASK, SandboxPayment, SandboxStore
from portal.clock import Clock, iso
from portal.store.errors import TransactionCancelled
from portal.store.table import Operation
from portal.tasks.queue import NewTask, TaskQueue

PAGE_PREFIX = "/sandbox-pay"
Behaviour = Literal["now", "twice", "late", "out_of_order", "never", "stale"]
BEHAVIOURS: tuple[Behaviour, ...] = ("now", "twice", "late", "out_of_order", "never", "stale")
LATE_S = 120
STALE_S = 600
_STATUSES = ("paid", "closed", "refunded", "pending")
GIVE_UP_AFTER = timedelta(hours=1)


class SandboxProvider:
    name: ProviderName = "sandbox"

    def __init__(self, account: str, site_url: str, store: SandboxStore, tasks: TaskQueue,
                 transport: Transport, clock: Clock, key: crypto.PrivateKey) -> None:  # fmt: skip
        self.account = account
        self.site_url = site_url.rstrip("/")
        self.store, self.tasks, self.transport, self.clock = store, tasks, transport, clock
        self._key = key
        self.key_id = crypto.key_id(key.public_key())
        self._public = {self.key_id: key.public_key()}

    # -- the merchant's side (the PaymentProvider interface) ------------------------------

    def start(self, request: PaymentRequest, *, in_wechat: bool) -> PaymentStart:
        """The sandbox page works in any browser, WeChat's included."""
        payment = self.store.create(request)
        return PaymentStart("sandbox", self.page_url(payment.out_trade_no))

    def page_url(self, out_trade_no: str) -> str:
        return f"{self.site_url}{PAGE_PREFIX}/{out_trade_no}"

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> Notification:
        signed.verify_headers(signed.SANDBOX, headers, body, now, self._public)
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise NotificationRejected("bad_body") from exc
        if not isinstance(doc, dict):
            raise NotificationRejected("bad_body")
        if doc.get("merchant") != self.account:
            raise NotificationRejected("wrong_merchant")
        status = doc.get("status")
        if status not in _STATUSES:
            raise NotificationRejected("unknown_status", str(status)[:40])
        amount = doc.get("amount_fen")
        if type(amount) is not int or amount <= 0:
            raise NotificationRejected("bad_amount")
        return Notification(
            provider="sandbox",
            notification_id=require(doc.get("id"), "id"),
            transaction_id=str(doc.get("transaction_id") or ""),
            out_trade_no=check_out_trade_no(doc.get("out_trade_no")),
            amount_fen=amount,
            status=status,
            paid_at=str(doc.get("paid_at") or ""),
            app_id=self.account,
            refund_no=str(doc.get("refund_no") or ""),
        )

    def acknowledge(self, accepted: bool, reason: str = "") -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if accepted:
            return 200, headers, b'{"ok":true}'
        body = json.dumps({"ok": False, "reason": reason or "internal"}).encode()
        return (400 if reason else 500), headers, body

    def query(self, out_trade_no: str) -> Notification | None:
        payment = self.store.get(out_trade_no)
        if payment is None:
            return None
        status: Status = payment.status
        if status == "pending" and payment.expired(self.clock()):
            status = "closed"
        key = payment.transaction_id or payment.out_trade_no
        return Notification(
            provider="sandbox",
            notification_id=f"query:{key}:{status}",
            transaction_id=payment.transaction_id,
            out_trade_no=payment.out_trade_no,
            amount_fen=payment.amount_fen,
            status=status,
            paid_at=payment.paid_at,
            app_id=self.account,
        )

    def refund(self, out_trade_no: str, refund_no: str, amount_fen: int, total_fen: int,
               reason: str) -> str:  # fmt: skip
        if not 0 < amount_fen <= total_fen:
            raise ValueError("refund amount must be positive and at most the total")
        payment = self.store.get(out_trade_no)
        if payment is None:
            raise ProviderError("not_found")
        return self.store.refund(payment, refund_no, amount_fen)

    # -- the provider's side (the hosted page and the control API) ------------------------

    def payment(self, out_trade_no: str) -> SandboxPayment | None:
        return self.store.get(out_trade_no)

    def settle(self, out_trade_no: str, outcome: Literal["paid", "closed"],
               behaviour: Behaviour = "now", delay_s: int = LATE_S) -> SandboxPayment:  # fmt: skip
        """The owner confirmed (``paid``) or cancelled (``closed``) on the page. A payment
        past its ``expires_at`` closes instead. Settling twice changes nothing the
        second time (no second set of notifications)."""
        payment = self.store.get(out_trade_no)
        if payment is None:
            raise ProviderError("not_found")
        if payment.status != "pending":
            return payment
        if payment.expired(self.clock()):
            outcome = "closed"
        plan = _plan(outcome, behaviour, delay_s)
        tasks = [self._task(out_trade_no, status, nid, skew, delay)
                 for status, nid, skew, delay in plan]  # fmt: skip
        operations: list[Operation] = [self.store.settle(out_trade_no, outcome)]
        try:
            self.store.write(operations + [t.put for t in tasks])
        except TransactionCancelled:
            again = self.store.get(out_trade_no)
            if again is not None and again.status != "pending":
                return again  # another click settled it first
            raise
        for task in tasks:
            self.tasks.dispatch(task)
        settled = self.store.get(out_trade_no)
        assert settled is not None
        return settled

    def send(self, out_trade_no: str, status: Status | None = None, *, skew_s: int = 0,
             times: int = 1, delay_s: int = 0, notification_id: str = "") -> str:  # fmt: skip
        """Queue ``times`` deliveries of one notification (the control API): the payment's
        current state unless ``status`` says otherwise, signed ``skew_s`` seconds off,
        ``delay_s`` from now. Returns the notification id."""
        payment = self.store.get(out_trade_no)
        if payment is None:
            raise ProviderError("not_found")
        if not 1 <= times <= 5 or not 0 <= delay_s <= 86_400 or abs(skew_s) > 86_400:
            raise ValueError("times 1-5, delay_s 0-86400, |skew_s| <= 86400")
        nid = notification_id or _notification_id()
        tasks = [self._task(out_trade_no, status or payment.status, nid, skew_s, delay_s)
                 for _ in range(times)]  # fmt: skip
        self.store.write([t.put for t in tasks])
        for task in tasks:
            self.tasks.dispatch(task)
        return nid

    def _task(self, out_trade_no: str, status: str, notification_id: str, skew_s: int,
              delay_s: int) -> NewTask:  # fmt: skip
        payload = {"account": self.account, "out_trade_no": out_trade_no, "status": status,
                   "notification_id": notification_id, "skew_s": skew_s}  # fmt: skip
        return self.tasks.new(NOTIFY_TASK, payload, give_up_after=GIVE_UP_AFTER,
                              due_at=self.clock() + timedelta(seconds=delay_s))  # fmt: skip

    def notification(self, payment: SandboxPayment, status: str, notification_id: str,
                     sent_at: datetime) -> tuple[dict[str, str], bytes]:  # fmt: skip
        """The headers and body of one notification, signed as sent at ``sent_at``."""
        doc: dict[str, Any] = {
            "id": notification_id,
            "merchant": self.account,
            "out_trade_no": payment.out_trade_no,
            "transaction_id": payment.transaction_id,
            "amount_fen": payment.amount_fen,
            "status": status,
            "paid_at": payment.paid_at if status in ("paid", "refunded") else "",
            "sent_at": iso(sent_at),
        }
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        headers = signed.sign_headers(signed.SANDBOX, self._key, self.key_id,
                                      str(int(sent_at.timestamp())), secrets.token_hex(16),
                                      body)  # fmt: skip
        return {"Content-Type": "application/json; charset=utf-8", **headers}, body

    def deliver(self, payload: Mapping[str, Any]) -> None:
        """The task: sign now (plus the skew asked for) and POST; raise unless 2xx, so the
        task runner retries as a provider would."""
        payment = self.store.get(str(payload.get("out_trade_no", "")))
        if payment is None:
            return  # expired from the sandbox: nothing to tell
        sent_at = self.clock() + timedelta(seconds=int(payload.get("skew_s", 0)))
        headers, body = self.notification(payment, str(payload.get("status")),
                                          str(payload.get("notification_id")), sent_at)  # fmt: skip
        res = self.transport("POST", payment.notify_url, headers, body)
        if not 200 <= res.status < 300:
            raise ProviderError("refused", f"notify_url answered {res.status}")


def _notification_id() -> str:
    return f"SBN{secrets.token_hex(12).upper()}"


def _plan(outcome: str, behaviour: Behaviour, delay_s: int) -> list[tuple[str, str, int, int]]:
    """(status, notification id, skew s, delay s) of each delivery."""
    nid = _notification_id()
    if behaviour == "never":
        return []
    if behaviour == "twice":
        return [(outcome, nid, 0, 0), (outcome, nid, 0, 0)]
    if behaviour == "late":
        return [(outcome, nid, 0, max(1, min(delay_s, 86_400)))]
    if behaviour == "out_of_order":
        return [(outcome, nid, 0, 0), ("pending", _notification_id(), 0, 0)]
    if behaviour == "stale":
        return [(outcome, nid, -STALE_S, 0)]
    return [(outcome, nid, 0, 0)]
