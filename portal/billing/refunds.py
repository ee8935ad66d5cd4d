"""Refunds (退款) by finance: full or partial, always with a reason, every step audited.

1. **Requested**: one transaction puts the refund (``requested``), reserves its
   amount on the payment (``refunding_fen``, under ``payment_refundable``: paid or
   in review, and its refunds as read, against which the amount was checked) and
   writes the audit line ``refund.requested``.
2. The provider is asked (``PaymentProvider.refund``, with the refund's own
   number ``<payment id>R<nn>``, which makes asking again safe).
3. **Succeeded**: one transaction marks the refund, moves the amount from
   ``refunding_fen`` to ``refunded_fen``, gives each bill back its share
   (``bill_unchanged``: the bill's paid amount is what was read; its status goes
   back to unpaid or partly paid) and writes ``refund.succeeded``. **Failed** (the
   provider said no): the reservation is released and ``refund.failed`` written.
   **Unknown** (no answer, a time-out): the refund stays ``requested``, its amount
   reserved, in a sparse index; :meth:`RefundService.sweep` (the ``refund-sweep``
   job, every 5 minutes) asks again with the same number until the provider says.

A payment in review never marked its bills paid, so its refund gives back money
only. A refund's split over the bills is the caller's (``allocation``) or, by
default, the payment's lines from the last one back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

from portal.accounts import policy
from portal.accounts.audit import AuditLog, Event, actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.billing.accounts import ProviderAccounts, of_account
from portal.billing.bills import BillRepository, paid_change
from portal.billing.model import Payment, Refund
from portal.billing.payments import PaymentService
from portal.billing.providers.base import ProviderError
from portal.billing.records import refund_item, refund_of
from portal.clock import Clock, iso, local_day, parse_iso, zone
from portal.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from portal.store import billing_keys, reconcile_keys
from portal.store.conditions import Condition, condition
from portal.store.errors import TransactionCancelled
from portal.store.table import Operation, Put, Table, Update
from portal.store.tables import GSI3

logger = logging.getLogger(__name__)

MAX_REASON = 200
REFUND_IS_NEW = condition("refund_is_new", "attribute_not_exists(pk)")
ATTEMPTS = 5
SYSTEM = "system:refunds"
SWEEP_AFTER = timedelta(minutes=5)
"""A refund still ``requested`` this long after it was asked for is asked about again."""


def _reserve(p: Payment) -> Condition:
    """The payment is still as read: the refundable amount checked against it still holds
    (DynamoDB's conditions compare, they do no arithmetic)."""
    return condition(
        "payment_refundable",
        "#s IN (:paid, :review) AND refunded_fen = :done AND refunding_fen = :doing "
        "AND refunds = :before",
        names={"#s": "status"}, paid="paid", review="review", done=p.refunded_fen,
        doing=p.refunding_fen, before=p.refunds,
    )  # fmt: skip


class RefundService:
    def __init__(self, table: Table, payments: PaymentService, bills: BillRepository,
                 providers: ProviderAccounts, audit: AuditLog, clock: Clock,
                 time_zone: str = "Asia/Shanghai") -> None:  # fmt: skip
        self.table, self.payments, self.bills, self.tz = table, payments, bills, time_zone
        self.providers, self.audit, self.clock = providers, audit, clock

    def of_payment(self, payment_id: str) -> list[Refund]:
        return [refund_of(i) for i in self.table.query_all(
            billing_keys.payment_partition(payment_id), prefix=billing_keys.REFUNDS_PREFIX, consistent=True)]  # fmt: skip

    def refund(self, identity: Identity, payment_id: str, amount_fen: int, reason: str, *,
               allocation: Mapping[str, int] | None = None, source_ip: str = "") -> Refund:  # fmt: skip
        if not policy.can(identity, "payment.refund"):  # refused before any look-up
            raise Forbidden()
        payment = self.payments.get(payment_id)
        if payment is None or not policy.can(identity, "payment.refund",
                                             Target(estate=payment.unit.estate)):  # fmt: skip
            raise NotFound("payment_not_found")  # another estate's looks like a missing one
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON:
            raise InvalidInput("refund_reason_missing", max=MAX_REASON)
        if amount_fen <= 0:
            raise InvalidInput("refund_amount_invalid")
        if payment.status not in ("paid", "review"):
            raise Conflict("payment_not_refundable", status=payment.status)
        if amount_fen > payment.refundable_fen:
            raise Conflict("refund_exceeds_payment", refundable=payment.refundable_fen)
        split = self._split(payment, amount_fen, allocation)
        who = actor(identity.kind, identity.user_id)
        refund = Refund(payment_id, payment.refunds + 1, f"{payment_id}R{payment.refunds + 1:02d}",
                        amount_fen, reason, "requested", iso(self.clock()), who, split)  # fmt: skip
        details = {"payment": payment_id, "refund": refund.refund_no, "amount_fen": amount_fen,
                   "reason": reason, "allocation": split}  # fmt: skip
        try:
            self.table.transact([
                Put(refund_item(refund, payment.unit.estate), REFUND_IS_NEW),
                Update(billing_keys.payment(payment_id), add={"refunding_fen": amount_fen, "refunds": 1},
                       condition=_reserve(payment)),
                self.audit.entry(Event(who, "refund.requested", payment.unit.unit_id, source_ip,
                                       details)),
            ])  # fmt: skip
        except TransactionCancelled as exc:
            raise Conflict("payment_changed") from exc
        return self._ask(payment, refund, who, source_ip)

    def _ask(self, payment: Payment, refund: Refund, who: str, ip: str) -> Refund:
        """Ask the provider (again: the refund number makes that safe) and record its answer.

        Only a clear "no" fails the refund; an unclear outcome (no answer, a time-out, an
        answer we cannot read) leaves it ``requested``, its amount still reserved, for
        :meth:`sweep` to ask again: the money may have gone back already, and recording
        it as failed would let the same amount be refunded twice."""
        adapter = of_account(self.providers, payment.account)
        try:
            if adapter is None:
                raise ProviderError("refused", "no_account")
            provider_id = adapter.refund(payment.payment_id, refund.refund_no, refund.amount_fen,
                                         payment.captured_fen, refund.reason)  # fmt: skip
        except ProviderError as exc:
            if exc.code != "refused":
                logger.warning("refund %s: outcome unknown (%s); the sweep asks again",
                               refund.refund_no, exc.code)  # fmt: skip
                return refund
            logger.warning("refund %s refused by %s: %s", refund.refund_no, payment.account,
                           exc.provider_code or exc.code)  # fmt: skip
            self._fail(payment, refund, who, ip, exc.provider_code or exc.code)
            raise Conflict("refund_refused", reason=exc.provider_code[:40]) from exc
        except Exception as exc:  # a bug or a network error below the adapter: unknown too
            logger.warning("refund %s: outcome unknown (%s)", refund.refund_no,
                           type(exc).__name__)  # fmt: skip
            return refund
        return self._succeed(payment, refund, provider_id, who, ip)

    def sweep(self, older_than: timedelta = SWEEP_AFTER, limit: int = 100) -> dict[str, int]:
        """Ask again about refunds still ``requested`` after ``older_than`` (the scheduled
        job): each ends succeeded or failed as the provider says, or waits for the next run."""
        cutoff = iso(self.clock() - older_than)
        counts = {"checked": 0, "succeeded": 0, "failed": 0}
        for item in self.table.iter_query(billing_keys.PENDING_REFUNDS, index=GSI3, limit=limit):
            refund = refund_of(item)
            if refund.requested_at > cutoff:
                break  # oldest first
            payment = self.payments.get(refund.payment_id)
            if payment is None:
                continue
            counts["checked"] += 1
            try:
                done = self._ask(payment, refund, SYSTEM, "")
            except Conflict:
                counts["failed"] += 1
                continue
            counts["succeeded"] += done.state == "succeeded"
        return counts

    def _split(self, p: Payment, amount: int, asked: Mapping[str, int] | None) -> dict[str, int]:
        """How much of ``amount`` goes back on each bill (nothing for a payment in review)."""
        if p.status == "review":
            if asked:
                raise InvalidInput("refund_allocation_invalid")
            return {}
        given: dict[str, int] = {}
        for r in self.of_payment(p.payment_id):
            if r.state != "failed":
                for bill, fen in r.allocation.items():
                    given[bill] = given.get(bill, 0) + fen
        room = {ln.bill_id: ln.pay_fen - given.get(ln.bill_id, 0) for ln in p.lines}
        if asked:
            if (any(b not in room or not 0 < f <= room[b] for b, f in asked.items())
                    or sum(asked.values()) != amount):  # fmt: skip
                raise InvalidInput("refund_allocation_invalid")
            return dict(asked)
        split: dict[str, int] = {}
        left = amount
        for ln in reversed(p.lines):
            take = min(left, room[ln.bill_id])
            if take > 0:
                split[ln.bill_id], left = take, left - take
        if left:
            raise Conflict("refund_exceeds_payment", refundable=amount - left)
        return split

    def _succeed(self, p: Payment, r: Refund, provider_id: str, who: str, ip: str) -> Refund:
        done = replace(r, state="succeeded", provider_refund_id=provider_id,
                       finished_at=iso(self.clock()))  # fmt: skip
        for _ in range(ATTEMPTS):
            bills = {b.bill_id: b for b in self.bills.many(p.unit, list(r.allocation))}
            day = local_day(parse_iso(done.finished_at), zone(self.tz)).isoformat()
            indexed = {**refund_item(done, p.unit.estate), **reconcile_keys.day_index(
                reconcile_keys.refunded_on_day(p.unit.estate, day), done.finished_at, r.refund_no)}
            ops: list[Operation] = [
                Put(indexed,
                    condition("refund_requested", "#st = :r", names={"#st": "state"}, r="requested")),
                Update(billing_keys.payment(p.payment_id),
                       add={"refunding_fen": -r.amount_fen, "refunded_fen": r.amount_fen}),
                *(paid_change(bills[b], bills[b].paid_fen, bills[b].paid_fen - fen)
                  for b, fen in r.allocation.items() if b in bills),
                self.audit.entry(Event(who, "refund.succeeded", p.unit.unit_id, ip, {
                    "payment": p.payment_id, "refund": r.refund_no, "amount_fen": r.amount_fen,
                    "provider_refund_id": provider_id, "allocation": r.allocation})),
            ]  # fmt: skip
            try:
                self.table.transact(ops)
                return done
            except TransactionCancelled as exc:
                if "refund_requested" in exc.failed:
                    raise Conflict("payment_changed") from exc
        raise Unavailable("refund_record_contended")

    def _fail(self, p: Payment, r: Refund, who: str, ip: str, error: str) -> None:
        failed = replace(r, state="failed", finished_at=iso(self.clock()))
        self.table.transact([
            Put(refund_item(failed, p.unit.estate)),
            Update(billing_keys.payment(p.payment_id), add={"refunding_fen": -r.amount_fen}),
            self.audit.entry(Event(who, "refund.failed", p.unit.unit_id, ip, {
                "payment": p.payment_id, "refund": r.refund_no, "amount_fen": r.amount_fen,
                "error": error})),
        ])  # fmt: skip

