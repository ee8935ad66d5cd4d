"""Bills in the store: one item per unit, period and fee item (keys: :mod:`portal.store.keys`).

A bill's key is computed from what it is (estate, building, room, period, item),
so issuing it twice finds the first (``bill_is_new``). Every later change of a
bill is an ``Update`` under :func:`unchanged`: the paid amount it had when the
change was decided, so two payments (or a payment and a refund) can never both
apply to what one of them saw. An unpaid or partly paid bill carries the keys of
the estate's arrears index (``gsi1``, sparse); a fully paid one does not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from portal.billing.model import Bill, UnitKey, status_of
from portal.store import billing_keys, keys
from portal.store.conditions import Condition, condition
from portal.store.errors import ConditionFailed, StoreError
from portal.store.items import Item, text, whole
from portal.store.table import Put, Table, Update
from portal.store.tables import GSI1, GSI2

logger = logging.getLogger(__name__)

BILL_IS_NEW = condition("bill_is_new", "attribute_not_exists(pk)")
"""A bill is issued once: the same unit, period and item again is the same bill."""


def unchanged(amount_fen: int, paid_fen: int) -> Condition:
    """The bill still has the amount and the paid amount the caller saw."""
    return condition("bill_unchanged", "amount_fen = :amount AND paid_fen = :paid",
                     amount=amount_fen, paid=paid_fen)  # fmt: skip


def payable(amount_fen: int, paid_fen: int, payment_id: str, now: str) -> Condition:
    """Unchanged, and not held by another payment still in progress."""
    return condition(
        "bill_payable",
        "amount_fen = :amount AND paid_fen = :paid AND (attribute_not_exists(pending_until) "
        "OR pending_until < :now OR pending_payment = :pid)",
        amount=amount_fen, paid=paid_fen, now=now, pid=payment_id,
    )  # fmt: skip


def item_of(bill: Bill) -> Item:
    u = bill.unit
    item: Item = {
        **billing_keys.bill(u.estate, u.building, u.room, bill.bill_id),
        "type": "bill", "estate": u.estate, "building": u.building, "room": u.room,
        "unit_id": u.unit_id, "bill_id": bill.bill_id, "item": bill.item, "period": bill.period,
        "amount_fen": bill.amount_fen, "paid_fen": bill.paid_fen, "status": bill.status,
        "due_date": bill.due_date, "basis": dict(bill.basis), "note": bill.note,
        "created_at": bill.created_at,
        **billing_keys.estate_bill_index(u.estate, bill.period, u.building, u.room, bill.bill_id),
    }  # fmt: skip
    if bill.status != "paid":
        item.update(billing_keys.unpaid_bill_index(u.estate, bill.period, u.building, u.room, bill.bill_id))
    return item


def bill_of(item: Item) -> Bill:
    basis: Any = item.get("basis") or {}
    return Bill(
        unit=UnitKey(text(item, "estate"), text(item, "building"), text(item, "room")),
        bill_id=text(item, "bill_id"), item=text(item, "item"), period=text(item, "period"),
        amount_fen=whole(item, "amount_fen"), paid_fen=whole(item, "paid_fen"),
        due_date=text(item, "due_date"), basis={str(k): str(v) for k, v in basis.items()},
        note=text(item, "note"), created_at=text(item, "created_at"),
        pending_payment=text(item, "pending_payment"), pending_until=text(item, "pending_until"),
    )  # fmt: skip


def new_bill_put(bill: Bill) -> Put:
    return Put(item_of(bill), BILL_IS_NEW)


def paid_change(bill: Bill, paid_before: int, paid_after: int, *, release: bool = False) -> Update:
    """Set a bill's paid amount from ``paid_before`` (as seen) to ``paid_after``; its status
    and its place in the arrears index follow; ``release`` drops a payment's hold."""
    u = bill.unit
    status = status_of(bill.amount_fen, paid_after)
    values: dict[str, Any] = {"paid_fen": paid_after, "status": status}
    remove: list[str] = []
    if status == "paid":
        remove += [GSI1.hash_key, GSI1.range_key or ""]
    else:
        values.update(billing_keys.unpaid_bill_index(u.estate, bill.period, u.building, u.room,
                                             bill.bill_id))  # fmt: skip
    if release:
        remove += ["pending_payment", "pending_until"]
    return Update(billing_keys.bill(u.estate, u.building, u.room, bill.bill_id), set=values,
                  remove=tuple(remove), condition=unchanged(bill.amount_fen, paid_before))  # fmt: skip


def hold(bill: Bill, payment_id: str, until: str, now: str) -> Update:
    """Mark the bill as being paid by ``payment_id`` until ``until`` (a second payment of
    the same bill is refused meanwhile)."""
    u = bill.unit
    return Update(billing_keys.bill(u.estate, u.building, u.room, bill.bill_id),
                  set={"pending_payment": payment_id, "pending_until": until},
                  condition=payable(bill.amount_fen, bill.paid_fen, payment_id, now))  # fmt: skip


def release_holds(table: Table, unit: UnitKey, bill_ids: Sequence[str], payment_id: str) -> int:
    """Free the bills ``payment_id`` still holds (it was closed unpaid): the owner may pay them
    again at once instead of waiting for the hold to lapse. Each bill is released only if
    that payment still holds it; how many were. Best effort: a hold lapses by itself."""
    released = 0
    held = condition("bill_held_by", "pending_payment = :pid", pid=payment_id)
    for bill_id in bill_ids:
        try:
            table.update(billing_keys.bill(unit.estate, unit.building, unit.room, bill_id),
                         remove=("pending_payment", "pending_until"), condition=held)  # fmt: skip
            released += 1
        except ConditionFailed:
            continue
        except StoreError:
            logger.warning("hold of %s on %s not released; it lapses by itself", payment_id, bill_id)
    return released


class BillRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def of_unit(self, unit: UnitKey, year: str | None = None) -> list[Bill]:
        """A unit's bills (of one year), oldest first: one query."""
        items = self.table.query_all(billing_keys.bill_partition(unit.estate, unit.building, unit.room),
                                     prefix=f"{year}-" if year else None, consistent=True)  # fmt: skip
        return [bill_of(i) for i in items]

    def many(self, unit: UnitKey, bill_ids: Sequence[str]) -> list[Bill]:
        """The stored bills among ``bill_ids`` (missing ones are left out), in the given order."""
        wanted = [billing_keys.bill(unit.estate, unit.building, unit.room, b) for b in bill_ids]
        got = {text(i, "bill_id"): bill_of(i) for i in self.table.batch_get(wanted)}
        return [got[b] for b in bill_ids if b in got]

    def unpaid_in_estate(self, estate: str, period: str | None = None) -> list[Bill]:
        """An estate's bills not fully paid (arrears), by period then unit: no Scan."""
        items = self.table.query_all(billing_keys.unpaid_bills(estate), index=GSI1,
                                     prefix=f"{period}{keys.SEP}" if period else None)  # fmt: skip
        return [bill_of(i) for i in items]

    def of_estate(self, estate: str, first_period: str, last_period: str) -> list[Bill]:
        """An estate's bills of the periods ``first_period`` to ``last_period``, by period then
        unit: one query on gsi2 (a page per MB), not one per unit."""
        items = self.table.query_all(billing_keys.estate_bills(estate), index=GSI2,
                                     between=billing_keys.estate_bill_range(first_period, last_period))  # fmt: skip
        return [bill_of(i) for i in items]

    def backfill_estate_index(self, estate: str, units: Iterable[UnitKey]) -> int:
        """Write the gsi2 key of :meth:`of_estate` on the bills of ``units`` issued before it
        existed (one query per unit, then one update per bill without it): how many."""
        done = 0
        for unit in units:
            for item in self.table.query_all(billing_keys.bill_partition(unit.estate, unit.building, unit.room)):
                if GSI2.hash_key in item:
                    continue
                bill = bill_of(item)
                self.table.update(billing_keys.bill(unit.estate, unit.building, unit.room, bill.bill_id),
                                  set=billing_keys.estate_bill_index(estate, bill.period, unit.building,
                                                                     unit.room, bill.bill_id))  # fmt: skip
                done += 1
        return done

    def put_all(self, bills: Iterable[Bill]) -> None:
        """Unconditional puts (tests and fixtures only: issuing goes through the run)."""
        self.table.batch_put([item_of(b) for b in bills])


def decimal_text(value: Decimal | int) -> str:
    """A quantity as people write it (``89.6``, ``12``), for a bill's basis."""
    d = Decimal(value)
    return format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")
