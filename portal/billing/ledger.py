"""Recording what the provider says: exactly once, in one transaction, or for review.

A verified :class:`~portal.billing.providers.base.Notification` that a payment
was paid is applied with **one read** (a batch get of the payment and the
estate's receipt counter) and **one** ``TransactWriteItems``:

==============================  ==================================  ========================
item                            write                               condition
==============================  ==================================  ========================
``PAYTX#<provider>#<tx>``       put (de-duplication)                ``transaction_is_new``
``PAYNOTE#<provider>#<id>``     put (de-duplication)                ``notification_is_new``
the payment                     pending/closed → paid, receipt no.  ``payment_open``
each bill it covers             paid amount += its line, status     ``bill_unchanged``
the receipt counter             n → n + 1                           ``receipt_counter_at``
the receipt                     put                                 ``receipt_is_new``
the audit line                  put (append-only)                   ``item_is_new``
==============================  ==================================  ========================

Outcomes: a replay or duplicate (either id seen, or the payment no longer
open) is ``duplicate`` and writes nothing; a notification whose amount (or
provider) differs from the server's, or whose bills changed meanwhile, puts the
payment in ``review`` for finance (de-duplication items, payment, audit: one
transaction) and never marks a bill paid; a race on the receipt counter or a
transaction conflict is tried again from the read. Every outcome is answered
"received" to the provider; only an unverifiable notification is refused, and
only a store failure is a 5xx (the provider sends it again).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from portal.accounts.audit import AuditLog, Event
from portal.billing.accounts import ProviderAccounts, of_account
from portal.billing.bills import paid_change, release_holds
from portal.billing.model import Bill, Payment
from portal.billing.payments import HOLD_GRACE, estate_of
from portal.billing.providers.base import Notification, NotificationRejected
from portal.billing.receipts import current_number, receipt_no, receipt_put, take_number
from portal.billing.records import (
    PAYMENT_OPEN,
    index_names,
    payment_in,
    payment_of,
    review_index,
)  # fmt: skip
from portal.clock import Clock, iso, local_day, parse_iso, zone
from portal.errors import NotFound, Unavailable
from portal.store import billing_keys, keys, reconcile_keys
from portal.store.conditions import condition
from portal.store.errors import TransactionCancelled
from portal.store.items import text
from portal.store.table import Operation, Put, Table, Update
from portal.store.tables import GSI3

logger = logging.getLogger(__name__)

Outcome = Literal["recorded", "duplicate", "review", "closed", "ignored", "unknown"]
TRANSACTION_IS_NEW = condition("transaction_is_new", "attribute_not_exists(pk)")
NOTIFICATION_IS_NEW = condition("notification_is_new", "attribute_not_exists(pk)")
ALREADY = frozenset({TRANSACTION_IS_NEW.name, NOTIFICATION_IS_NEW.name, PAYMENT_OPEN.name,
                     "payment_in_state"})  # fmt: skip
"""A failed condition among these means the notification was recorded before."""
RECORD_WITHIN_S = 20.0
"""How long one recording keeps trying (receipt-counter races and transaction conflicts,
each try after a fresh read) before answering 503 so that the provider sends it again:
inside Lambda's 28 s. A provider that stops waiting sooner sends it again anyway, and
finds it recorded."""
MAX_BACKOFF_S = 0.5
SWEEP_AFTER = timedelta(minutes=5)
SYSTEM = "system:payments"


@dataclass(frozen=True)
class SweepReport:
    checked: int
    recorded: int
    closed: int


class Ledger:
    def __init__(self, table: Table, providers: ProviderAccounts, audit: AuditLog,
                 clock: Clock, time_zone: str, sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.table, self.providers, self.audit = table, providers, audit
        self.clock, self.tz, self.sleep = clock, time_zone, sleep
        self._locks: dict[tuple[str, int], threading.Lock] = {}
        self._locks_lock = threading.Lock()

    # -- the provider's notification ---------------------------------------------------------

    def notify(self, account: str, headers: Mapping[str, str], body: bytes,
               source_ip: str = "") -> tuple[int, dict[str, str], bytes]:  # fmt: skip
        """Verify a notification to payment account ``account`` (the notify URL names it),
        record it, and the provider's answer (status, headers, body)."""
        adapter = of_account(self.providers, account)
        if adapter is None:
            raise NotFound("payment_provider_unknown", provider=account[:20])
        provider = adapter.name
        try:
            notification = adapter.verify(headers, body, self.clock())
        except NotificationRejected as exc:
            logger.warning("%s notification refused: %s (from %s)", provider, exc.reason,
                           source_ip or "-")  # fmt: skip
            return adapter.acknowledge(False)
        if notification.provider != provider:
            logger.warning("notification of %s arrived at %s", notification.provider, provider)
            return adapter.acknowledge(False)
        outcome = self.record(notification)
        logger.info("%s notification %s for %s: %s", provider, notification.notification_id[:64],
                    notification.out_trade_no[:40], outcome)  # fmt: skip
        return adapter.acknowledge(True)

    # -- recording ---------------------------------------------------------------------------

    def record(self, n: Notification) -> Outcome:
        """Apply what the provider says about a payment (see the module doc)."""
        estate = estate_of(n.out_trade_no)
        if estate is None:
            return "unknown"
        give_up = time.monotonic() + RECORD_WITHIN_S
        attempt = 0
        while True:
            now = self.clock()
            year = local_day(now, zone(self.tz)).year
            with self._turn(estate, year):
                outcome = self._attempt(n, estate, year, now)
            if outcome is not None:
                return outcome
            # Another recording of the estate (another instance) took the receipt number
            # first, or overlapped: read again after a jittered pause.
            attempt += 1
            if time.monotonic() >= give_up:
                raise Unavailable("payment_record_contended")
            self.sleep(random.uniform(0, min(MAX_BACKOFF_S, 0.005 * 2**attempt)))

    def _turn(self, estate: str, year: int) -> threading.Lock:
        """One recording of an estate's year at a time in this process (the threads of one
        server would otherwise only race each other for the receipt number); instances
        race through the counter's condition."""
        with self._locks_lock:
            return self._locks.setdefault((estate, year), threading.Lock())

    def _attempt(self, n: Notification, estate: str, year: int, now: datetime) -> Outcome | None:
        """One read and at most one transaction; ``None``: try again."""
        got = {(text(i, "pk"), text(i, "sk")): i for i in self.table.batch_get(
            [billing_keys.payment(n.out_trade_no), billing_keys.receipt_counter(estate, year)])}  # fmt: skip
        item = got.get(_pair(billing_keys.payment(n.out_trade_no)))
        if item is None:
            return "unknown"
        payment = payment_of(item)
        if n.status == "closed":
            return self.close(payment, "provider_closed") if payment.status == "pending" else "ignored"
        if n.status != "paid":
            return "ignored"
        if payment.status not in ("pending", "closed"):
            return "duplicate"
        if n.amount_fen != payment.amount_fen or n.provider != payment.provider:
            outcome = self._review(payment, n, "amount_mismatch", now)
        else:
            counter = got.get(_pair(billing_keys.receipt_counter(estate, year)))
            outcome = self._apply(payment, n, year, current_number(counter), now)
        return outcome

    def _dedupe(self, n: Notification, payment: Payment, at: str) -> list[Operation]:
        seen = {"payment_id": payment.payment_id, "at": at, "amount_fen": n.amount_fen,
                "status": n.status}  # fmt: skip
        return [
            Put({**billing_keys.provider_transaction(n.provider, n.transaction_id), **seen,
                 "notification_id": n.notification_id}, TRANSACTION_IS_NEW),
            Put({**billing_keys.provider_notification(n.provider, n.notification_id), **seen,
                 "transaction_id": n.transaction_id}, NOTIFICATION_IS_NEW),
        ]  # fmt: skip

    def _apply(self, p: Payment, n: Notification, year: int, current: int, now: datetime
               ) -> Outcome | None:  # fmt: skip
        at = iso(now)
        number = current + 1
        no = receipt_no(p.unit.estate, year, number)
        paid_at = n.paid_at or at
        bills = [_bill_update(p, i) for i in range(len(p.lines))]
        ops: list[Operation] = [
            *self._dedupe(n, p, at),
            Update(billing_keys.payment(p.payment_id), set={
                "status": "paid", "transaction_id": n.transaction_id, "paid_at": paid_at,
                "recorded_at": at, "receipt_no": no, "captured_fen": n.amount_fen,
                **self._paid_index(p, paid_at),
            }, condition=PAYMENT_OPEN),
            *bills,
            take_number(p.unit.estate, year, current),
            receipt_put(p, year, number, n.transaction_id, paid_at, at),
            self.audit.entry(Event(SYSTEM, "payment.paid", p.unit.unit_id, "", {
                "payment": p.payment_id, "provider": n.provider, "transaction": n.transaction_id,
                "notification": n.notification_id, "amount_fen": n.amount_fen, "receipt": no,
            })),
        ]
        try:
            self.table.transact(ops)
        except TransactionCancelled as exc:
            if exc.failed & ALREADY:
                return "duplicate"
            if "bill_unchanged" in exc.failed:
                return self._review(p, n, "bills_changed", now)
            logger.debug("record of %s cancelled: %s", p.payment_id, exc.reasons)
            return None  # the receipt counter moved, or a conflict: read again
        return "recorded"

    def _review(self, p: Payment, n: Notification, reason: str, now: datetime) -> Outcome | None:
        at = iso(now)
        ops: list[Operation] = [
            *self._dedupe(n, p, at),
            Update(billing_keys.payment(p.payment_id), set={
                "status": "review", "review_reason": reason, "transaction_id": n.transaction_id,
                "paid_at": n.paid_at or at, "recorded_at": at, "captured_fen": n.amount_fen,
                **review_index(p, at), **self._paid_index(p, n.paid_at or at),
            }, condition=PAYMENT_OPEN),
            self.audit.entry(Event(SYSTEM, "payment.review", p.unit.unit_id, "", {
                "payment": p.payment_id, "reason": reason, "provider": n.provider,
                "transaction": n.transaction_id, "amount_fen": n.amount_fen,
                "expected_fen": p.amount_fen,
            })),
        ]
        try:
            self.table.transact(ops)
        except TransactionCancelled as exc:
            return "duplicate" if exc.failed & ALREADY else None
        logger.warning("payment %s put in review: %s", p.payment_id, reason)
        return "review"

    def _paid_index(self, p: Payment, paid_at: str) -> dict[str, str]:
        """Money captured: the payment leaves the pending sweep (gsi3) for the estate's
        payments of its local day, which reconciliation reads (replacing gsi3's keys)."""
        day = local_day(parse_iso(paid_at), zone(self.tz)).isoformat()
        return reconcile_keys.day_index(reconcile_keys.paid_on_day(p.unit.estate, day), paid_at,
                                        p.payment_id)  # fmt: skip

    def close(self, p: Payment, reason: str) -> Outcome:
        """A pending payment the provider closed (or that expired unpaid): ``closed``."""
        try:
            self.table.transact([
                Update(billing_keys.payment(p.payment_id), set={"status": "closed",
                       "review_reason": reason, "closed_at": iso(self.clock())},
                       remove=index_names(GSI3), condition=payment_in("pending")),
                self.audit.entry(Event(SYSTEM, "payment.closed", p.unit.unit_id, "",
                                       {"payment": p.payment_id, "reason": reason})),
            ])  # fmt: skip
        except TransactionCancelled:
            return "ignored"
        release_holds(self.table, p.unit, [ln.bill_id for ln in p.lines], p.payment_id)
        return "closed"

    # -- the scheduled sweep -------------------------------------------------------------------

    def sweep(self, older_than: timedelta = SWEEP_AFTER, limit: int = 100) -> SweepReport:
        """Ask the provider about payments still pending after ``older_than`` (no notification
        came): record the paid ones, close those the provider closed or that expired."""
        now = self.clock()
        cutoff = iso(now - older_than)
        checked = recorded = closed = 0
        for item in self.table.iter_query(billing_keys.PENDING_PAYMENTS, index=GSI3, limit=limit):
            p = payment_of(item)
            if p.created_at > cutoff:
                break  # oldest first: the rest are younger
            checked += 1
            adapter = of_account(self.providers, p.account)
            try:
                n = adapter.query(p.payment_id) if adapter else None
            except Exception as exc:
                logger.warning("query of %s failed: %s", p.payment_id, type(exc).__name__)
                continue
            if n is not None and n.status == "paid":
                found = Notification(n.provider, f"query:{n.transaction_id}", n.transaction_id,
                                     n.out_trade_no, n.amount_fen, "paid", n.paid_at, n.app_id)  # fmt: skip
                recorded += self.record(found) in ("recorded", "review")
            elif (n is not None and n.status == "closed") or (
                p.expires_at and now > parse_iso(p.expires_at) + HOLD_GRACE
            ):
                closed += self.close(p, "expired" if n is None else "provider_closed") == "closed"
        return SweepReport(checked, recorded, closed)


def _pair(key: keys.Key) -> tuple[str, str]:
    return key["pk"], key["sk"]


def _bill_update(p: Payment, i: int) -> Update:
    """Line ``i``'s bill: paid from what it was when the payment was made, hold released."""
    ln = p.lines[i]
    bill = Bill(p.unit, ln.bill_id, ln.item, ln.period, ln.amount_fen, ln.paid_before)
    return paid_change(bill, ln.paid_before, ln.paid_before + ln.pay_fen, release=True)
