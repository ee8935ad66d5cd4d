"""Offline payments (线下收费): cash, bank transfer and POS card at the front desk, cash a guard
collects at the door, and the bank's direct debits; numbered like online receipts.

A recording is **one read and one transaction**, as the ledger records an online payment
(:mod:`portal.billing.ledger`), so offline and online receipts share one gap-free numbering
per estate and year:

==============================  ===================================  =========================
item                            write                                condition
==============================  ===================================  =========================
``OFFREQ#<e>#<request id>``     put (idempotency)                    ``offline_request_is_new``
the payment                     put, ``paid``, its receipt number    ``payment_is_new``
each bill it covers             paid amount += outstanding, status   ``bill_payable`` (unchanged,
                                                                     no online payment holds it)
the receipt counter             n → n + 1                            ``receipt_counter_at``
the receipt                     put                                  ``receipt_is_new``
the day's list entry            put                                  —
the guard's handover batch      count + 1, amount + the payment      (door cash only)
the debit notice + its task     put (direct debits only)             —
the audit line                  put (append-only)                    ``item_is_new``
==============================  ===================================  =========================

The client sends a request id (one per form, kept across retries): the same id again
answers the payment first recorded, so a double-click or a retry never records twice. A
race on the receipt counter is tried again from the read; a bill that changed meanwhile
(paid online, or held by an online payment in progress) refuses with 409.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from portal.accounts import policy
from portal.accounts.audit import AuditLog, Event, actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.billing.bills import BillRepository, paid_change, payable
from portal.billing.model import Bill, Line, Payment, UnitKey
from portal.billing.payments import PAYMENT_IS_NEW, new_payment_id
from portal.billing.receipts import current_number, receipt_no, receipt_put, take_number
from portal.billing.records import payment_item, payment_of
from portal.clock import Clock, iso, local_day, zone
from portal.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from portal.finance.handover import joins_batch
from portal.store import billing_keys, collection_keys
from portal.store.conditions import condition
from portal.store.errors import TransactionCancelled
from portal.store.items import Item, text, whole
from portal.store.table import Operation, Put, Table, Update

Method = Literal["cash", "transfer", "pos", "debit"]
DESK_METHODS: tuple[Method, ...] = ("cash", "transfer", "pos")
"""What the front desk records by hand (``debit`` comes only from the bank's result file)."""
MAX_BILLS = 60
MAX_REFERENCE = 64
RECORD_WITHIN_S = 20.0
REQUEST_IS_NEW = condition("offline_request_is_new", "attribute_not_exists(pk)")
_REQUEST = frozenset({"offline_request_is_new", "payment_is_new"})
_BILLS = frozenset({"bill_payable", "bill_unchanged"})

Extra = Callable[[Payment, str], Sequence[Operation]]
"""More items for the recording's transaction (a handover batch, a debit notice): given the
payment and the local day."""


@dataclass(frozen=True)
class OfflineRequest:
    unit: UnitKey
    bill_ids: tuple[str, ...]
    method: Method
    amount_fen: int
    """What was handed over: must equal the outstanding amount of the bills (no change given)."""
    request_id: str
    reference: str = ""
    """The bank's serial number, the POS slip's reference (transfer, POS, debit)."""
    at_door: bool = False
    """Cash a guard collected at the owner's door (goes into the guard's handover batch)."""
    note: str = ""


@dataclass(frozen=True)
class Recorded:
    payment: Payment
    day: str
    """The estate's local day it was recorded on."""
    first: bool
    """``False``: the request id was seen before, this is the first recording's answer."""
    extra: dict[str, str] = field(default_factory=dict)


def check_request_id(value: str) -> str:
    if not (8 <= len(value) <= 64) or not all(c.isalnum() or c in "-_" for c in value):
        raise InvalidInput("offline_request_id_invalid")
    return value


def may_record(identity: Identity, estate: str, method: Method, at_door: bool) -> None:
    """Front desk, finance and admin record every desk method; a guard only door cash."""
    policy.require(identity, "payment.offline", Target(estate=estate))
    desk = identity.roles & (policy.allowed_roles("payment.offline") - {"security"})
    if not desk and not (method == "cash" and at_door):
        raise Forbidden()


class OfflinePayments:
    def __init__(self, table: Table, bills: BillRepository, audit: AuditLog, clock: Clock,
                 time_zone: str, sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.table, self.bills, self.audit = table, bills, audit
        self.clock, self.tz, self.sleep = clock, time_zone, sleep

    def record(self, identity: Identity, req: OfflineRequest, *, source_ip: str = "",
               extra: Extra | None = None) -> Recorded:  # fmt: skip
        """Record a desk payment (method cash, transfer or POS) by ``identity``."""
        if req.method not in DESK_METHODS:
            raise InvalidInput("offline_method_invalid")
        may_record(identity, req.unit.estate, req.method, req.at_door)
        if req.at_door and req.method == "cash" and extra is None:

            def extra(p: Payment, day: str) -> Sequence[Operation]:
                return [joins_batch(p, day, identity.user_id, identity.name)]

        elif req.at_door:
            raise Conflict("offline_door_cash_only")
        return self.apply(req, actor(identity.kind, identity.user_id), source_ip=source_ip,
                          extra=extra)  # fmt: skip

    def apply(self, req: OfflineRequest, who: str, *, source_ip: str = "",
              extra: Extra | None = None) -> Recorded:  # fmt: skip
        """Record ``req`` for actor ``who`` (the desk, or the debit import): see the module doc."""
        check_request_id(req.request_id)
        seen = self.seen(req)
        if seen is not None:
            return seen
        ids = tuple(dict.fromkeys(req.bill_ids))
        if not 1 <= len(ids) <= MAX_BILLS or len(ids) != len(req.bill_ids):
            raise InvalidInput("offline_bills_invalid", max=MAX_BILLS)
        if len(req.reference) > MAX_REFERENCE:
            raise InvalidInput("offline_reference_invalid")
        give_up = time.monotonic() + RECORD_WITHIN_S
        attempt = 0
        while True:
            try:
                done = self._attempt(req, ids, who, source_ip, extra)
            except Conflict:
                # A double-click's twin may have committed after this one's first look: its
                # bills are paid now, by the recording this request id already has.
                done = self.seen(req)
                if done is None:
                    raise
            if done is not None:
                return done
            attempt += 1
            if time.monotonic() >= give_up:
                raise Unavailable("payment_record_contended")
            self.sleep(random.uniform(0, min(0.5, 0.005 * 2**attempt)))

    def seen(self, req: OfflineRequest) -> Recorded | None:
        """The recording of ``req``'s request id, if it was recorded before."""
        item = self.table.get(collection_keys.offline_request(req.unit.estate, req.request_id))
        if item is None:
            return None
        if text(item, "unit_id") != req.unit.unit_id:
            raise Conflict("offline_request_reused")
        got = self.table.get(billing_keys.payment(text(item, "payment_id")))
        if got is None:  # pragma: no cover - written in one transaction with the request id
            raise NotFound("payment_not_found")
        return Recorded(payment_of(got), text(item, "day"), first=False)

    def _attempt(self, req: OfflineRequest, ids: tuple[str, ...], who: str, source_ip: str,
                 extra: Extra | None) -> Recorded | None:  # fmt: skip
        seen = self.seen(req)
        if seen is not None:
            return seen
        bills = self.bills.many(req.unit, ids)
        if len(bills) != len(ids):
            raise NotFound("bill_not_found")
        now = self.clock()
        if any(b.outstanding_fen <= 0 for b in bills):
            raise Conflict("bill_already_paid")
        if any(b.pending_payment and b.pending_until >= iso(now) for b in bills):
            raise Conflict("bill_payment_in_progress")
        owed = sum(b.outstanding_fen for b in bills)
        if req.amount_fen != owed:
            raise Conflict("offline_amount_differs", owed=owed)
        estate = req.unit.estate
        day = local_day(now, zone(self.tz))
        year = day.year
        counter = self.table.get(billing_keys.receipt_counter(estate, year))
        current = current_number(counter)
        payment = self._payment(req, bills, who, now, receipt_no(estate, year, current + 1))
        ops = self._operations(req, payment, bills, who, source_ip, day.isoformat(), year, current)
        more = list(extra(payment, day.isoformat())) if extra else []
        try:
            self.table.transact([*ops, *more])
        except TransactionCancelled as exc:
            if exc.failed & _REQUEST:
                return None  # recorded meanwhile by a retry: read it
            if exc.failed & _BILLS:
                raise Conflict("bill_payment_in_progress") from exc
            if "handover_open" in exc.failed:
                raise Conflict("handover_closed") from exc
            return None  # the receipt counter moved (another recording): read again
        return Recorded(payment, day.isoformat(), first=True)

    def _payment(self, req: OfflineRequest, bills: Sequence[Bill], who: str, now: datetime,
                 number: str) -> Payment:  # fmt: skip
        at = iso(now)
        lines = tuple(Line(b.bill_id, b.item, b.period, b.amount_fen, b.paid_fen,
                           b.outstanding_fen) for b in bills)  # fmt: skip
        return Payment(
            payment_id=new_payment_id(req.unit.estate, now, self.tz), unit=req.unit,
            provider=req.method, account="offline", amount_fen=req.amount_fen, lines=lines,
            status="paid", created_at=at, created_by=who, expires_at="",
            subject=req.note[:120], transaction_id=req.reference or req.request_id, paid_at=at,
            recorded_at=at, receipt_no=number, captured_fen=req.amount_fen,
        )  # fmt: skip

    def _operations(self, req: OfflineRequest, p: Payment, bills: Sequence[Bill], who: str,
                    source_ip: str, day: str, year: int, current: int) -> list[Operation]:  # fmt: skip
        at = p.recorded_at
        estate = req.unit.estate
        entry = {"payment_id": p.payment_id, "unit_id": p.unit.unit_id, "day": day, "at": at}
        item: Item = {**payment_item(p), "method": req.method, "at_door": req.at_door,
                      "request_id": req.request_id, "day": day}  # fmt: skip
        return [
            Put({**collection_keys.offline_request(estate, req.request_id), **entry}, REQUEST_IS_NEW),
            Put(item, PAYMENT_IS_NEW),
            *(_paid(b, p.payment_id, at) for b in bills),
            take_number(estate, year, current),
            receipt_put(p, year, current + 1, p.transaction_id, at, at),
            Put({**collection_keys.offline_payment_entry(estate, day, at, p.payment_id), **entry,
                 "type": "offline_payment", "method": req.method, "amount_fen": p.amount_fen,
                 "receipt_no": p.receipt_no, "building": p.unit.building, "room": p.unit.room,
                 "recorded_by": who, "at_door": req.at_door, "reference": req.reference}),
            self.audit.entry(Event(who, "payment.offline", p.unit.unit_id, source_ip, {
                "payment": p.payment_id, "method": req.method, "amount_fen": p.amount_fen,
                "receipt": p.receipt_no, "bills": [b.bill_id for b in bills],
                "request": req.request_id, "reference": req.reference, "at_door": req.at_door,
            })),
        ]  # fmt: skip

    def of_day(self, identity: Identity, estate: str, day: str) -> list[Item]:
        """An estate's offline payments of a local day, oldest first (the front desk's day
        list, finance, admin)."""
        policy.require(identity, "payment.desk_day", Target(estate=estate))
        return self.table.query_all(collection_keys.offline_payments(estate, day))


def _paid(bill: Bill, payment_id: str, now: str) -> Update:
    """The bill paid in full, under ``bill_payable`` (as read, and no online payment holds it)."""
    change = paid_change(bill, bill.paid_fen, bill.amount_fen, release=True)
    return Update(change.key, set=change.set, remove=change.remove,
                  condition=payable(bill.amount_fen, bill.paid_fen, payment_id, now))  # fmt: skip


def day_total(entries: Sequence[Item]) -> int:
    return sum(whole(e, "amount_fen") for e in entries)
