"""The billing run: one bill per unit, per fee item, per period (``portal billing run``).

Which bills
    ``management`` (物业费): the unit's area (as imported, :mod:`portal.billing.areas`,
    else ``area_m2`` of the unit list in the store) × the estate's ``per_m2_month`` price; ``parking`` (车位费): the unit's
    standing parking spaces × the ``per_month`` price; ``water``/``electricity``
    (水费/电费): the period's meter readings (:mod:`portal.billing.readings`) ×
    the ``per_m3``/``per_kwh`` price. Amounts follow :mod:`portal.billing.money`'s
    one rounding rule. A zero amount makes no bill; an item without a fee standard
    makes none either (the report counts both).
Exactly once
    A bill's key is computed from its unit, period and item. A run holds the
    period's lease (:class:`portal.billing.lease.Lease`, on the run record: one run
    of an estate's period at a time; 409 ``billing_run_in_progress`` for another)
    and writes in blocks of :data:`BLOCK` bills, checkpointing on the run record
    the plan's fingerprint, the block it starts and the block it finished:

    =====================================  ========================================
    a block (a range of the plan's bills)  is
    =====================================  ========================================
    finished by a run of the same plan     skipped: its bills are issued
    started but not finished (a crash)     read (``BatchGetItem``), and only its
                                           missing bills put
    never started (same plan, or no run    put (``BatchWriteItem``): none of its
    of the period ever wrote a bill)       bills can exist, so none can be paid
    anything else (the plan changed:       read first, as a started one
    readings or units added since)
    =====================================  ========================================

    A bill is never overwritten once it may exist, so a paid bill is never
    touched; every unit ends with exactly one bill per item and period, whether
    the run is repeated or started again after being interrupted halfway.
Cost
    Reads: one query of the estate's units, one of the period's readings, one of
    the standing charges. Writes: one ``BatchWriteItem`` per :data:`CHUNK` bills,
    :data:`WORKERS` in flight, and two small updates of the run record per block.
    A second run of the same plan reads and writes no bill at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

from portal.accounts.audit import AuditLog, Event
from portal.billing.bills import BILL_IS_NEW, decimal_text, item_of, new_bill_put
from portal.billing.lease import Lease, plan_hash
from portal.billing.model import (
    ITEM_UNITS,
    Bill,
    UnitKey,
    bill_id,
    check_period,
    check_ref,
    due_date,
)
from portal.billing.money import MAX_BILL_FEN, charge_fen
from portal.clock import Clock, iso
from portal.errors import Conflict, InvalidInput, NotFound
from portal.estates.directory import EstateDirectory
from portal.estates.model import Estate, FeeStandard
from portal.store import billing_keys, keys
from portal.store.errors import TransactionCancelled
from portal.store.items import Item, text, whole
from portal.store.table import BATCH_GET_KEYS, Table

Progress = Callable[[int, int], None]
"""Called with the number of bills just dealt with (written or found issued) and the total."""
CHUNK = 25
"""Bills per ``BatchWriteItem`` (its maximum)."""
BLOCK = 2_000
"""Bills per checkpoint of the run record."""
WORKERS = 16


@dataclass
class RunReport:
    estate: str
    period: str
    units: int = 0
    planned: int = 0
    created: int = 0
    existing: int = 0
    by_item: dict[str, int] = field(default_factory=dict)
    """Item → bills planned."""
    total_fen: int = 0
    """The sum of the planned bills (应收合计)."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Why some unit had no bill for an item (``no_fee_standard``, ``no_area``, ``zero``)."""


def _fee(estate: Estate, item: str) -> FeeStandard | None:
    return next((f for f in estate.fees if f.item == item and f.unit == ITEM_UNITS[item]), None)


def _quantity(value: object) -> Decimal:
    """A stored quantity (the codec gives ``int`` for whole numbers) as a ``Decimal``."""
    if isinstance(value, Decimal):
        return value
    return Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else Decimal(0)


class BillingRun:
    def __init__(self, table: Table, estates: EstateDirectory, audit: AuditLog, clock: Clock,
                 workers: int = WORKERS, chunk: int = CHUNK, block: int = BLOCK) -> None:  # fmt: skip
        self.table, self.estates, self.audit, self.clock = table, estates, audit, clock
        self.workers, self.chunk, self.block = workers, min(chunk, CHUNK), block

    # -- what to issue -------------------------------------------------------------------

    def units(self, estate: str) -> Iterator[Item]:
        """The estate's unit list: only what a bill needs of each unit."""
        return self.table.iter_query(keys.estate_partition(estate), prefix=keys.units_prefix(),
                                     attributes=("building", "room", "area_m2"))  # fmt: skip

    def plan(self, estate: Estate, period: str, report: RunReport) -> list[Bill]:
        """Every bill of ``period`` for the estate's units (nothing is read but the inputs)."""
        now = iso(self.clock())
        due = due_date(period).isoformat()
        readings: dict[tuple[str, str], list[Item]] = {}
        for r in self.table.iter_query(billing_keys.readings(estate.slug, period)):
            readings.setdefault((text(r, "building"), text(r, "room")), []).append(r)
        imported = {(text(a, "building"), text(a, "room")): _quantity(a.get("area_m2"))
                    for a in self.table.iter_query(billing_keys.unit_areas(estate.slug))}  # fmt: skip
        standing: dict[tuple[str, str], list[Item]] = {}
        for s in self.table.iter_query(billing_keys.standing_charges(estate.slug)):
            standing.setdefault((text(s, "building"), text(s, "room")), []).append(s)
        fees = {item: _fee(estate, item) for item in ITEM_UNITS}
        bills: list[Bill] = []

        def skip(why: str) -> None:
            report.skipped[why] = report.skipped.get(why, 0) + 1

        def add(unit: UnitKey, item: str, quantity: Decimal, basis: dict[str, str]) -> None:
            fee = fees[item]
            if fee is None:
                skip("no_fee_standard")
                return
            amount = charge_fen(quantity, fee.price_fen)
            if amount <= 0 or amount > MAX_BILL_FEN:
                skip("zero" if amount <= 0 else "too_large")
                return
            basis = {**basis, "price_fen": str(fee.price_fen), "unit": fee.unit}
            bills.append(Bill(unit, bill_id(period, item), item, period, amount, 0, due,
                              basis, "", now))  # fmt: skip

        for u in self.units(estate.slug):
            report.units += 1
            unit = UnitKey(estate.slug, text(u, "building"), text(u, "room"))
            area = imported.get((unit.building, unit.room)) or _quantity(u.get("area_m2"))
            if area > 0:
                add(unit, "management", area, {"area_m2": decimal_text(area)})
            else:
                skip("no_area")
            where = (unit.building, unit.room)
            for s in standing.get(where, []):
                qty = whole(s, "quantity")
                if qty > 0 and text(s, "item") == "parking":
                    add(unit, "parking", Decimal(qty), {"spaces": str(qty)})
            for r in readings.get(where, []):
                previous, current = _quantity(r.get("previous")), _quantity(r.get("current"))
                add(unit, text(r, "item"), current - previous,
                    {"previous": decimal_text(previous), "current": decimal_text(current),
                     "usage": decimal_text(current - previous)})  # fmt: skip
        report.planned = len(bills)
        report.total_fen = sum(b.amount_fen for b in bills)
        for b in bills:
            report.by_item[b.item] = report.by_item.get(b.item, 0) + 1
        return bills

    # -- issuing -------------------------------------------------------------------------

    def run(self, estate_slug: str, period: str, *, actor: str, source_ip: str = "",
            progress: Progress | None = None) -> RunReport:  # fmt: skip
        """Issue the period's bills of an estate (idempotent; see the module doc)."""
        check_period(period)
        estate = self.estates.estate(estate_slug)
        report = RunReport(estate.slug, period)
        bills = self.plan(estate, period, report)
        report.created, report.existing = self.issue(estate.slug, period, bills, actor=actor,
                                                     progress=progress)  # fmt: skip
        at = iso(self.clock())
        self.table.update(billing_keys.billing_run(estate.slug, period),
                          set={"estate": estate.slug, "period": period, "last_run_at": at,
                               "last_run_by": actor, "planned": report.planned,
                               "total_fen": report.total_fen},
                          set_if_missing={"first_run_at": at},
                          add={"runs": 1, "created": report.created})  # fmt: skip
        self.audit.record(Event(actor, "billing.run", f"{estate.slug}/{period}", source_ip, {
            "units": report.units, "planned": report.planned, "created": report.created,
            "existing": report.existing, "total_fen": report.total_fen,
        }))  # fmt: skip
        return report

    def issue(self, estate: str, period: str, bills: Sequence[Bill], *, actor: str,
              progress: Progress | None = None) -> tuple[int, int]:  # fmt: skip
        """Write the bills of a run that are not issued yet; ``(created, already there)``.

        Under the period's lease, block by block (see the module doc): a block the last
        run of the same plan finished is skipped, the one it was writing when it stopped
        is read first and only its missing bills are written, and the others are put.
        """
        key = billing_keys.billing_run(estate, period)
        lease = Lease(self.table, key, self.clock, actor)
        record = lease.take()
        plan = plan_hash(bills)
        same = text(record, "plan_hash") == plan
        done = min(whole(record, "done_upto"), len(bills)) if same else 0
        started = whole(record, "started_upto") if same else 0
        # Putting without reading is safe only while every bill of the period that may exist
        # was written by runs of this same plan: not once another plan has written any.
        blind_ok = bool(record.get("blind_ok", True)) if same else not record.get("plan_hash")
        created, existing = 0, done  # the bills before ``done`` are issued
        if done and progress is not None:
            progress(done, len(bills))
        try:
            with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
                at = done
                while at < len(bills):
                    end = min(at + self.block, len(bills))
                    lease.checkpoint({"plan_hash": plan, "blind_ok": blind_ok,
                                      "started_upto": end, "done_upto": at})  # fmt: skip
                    made = self._write_block(pool, bills[at:end], blind_ok and at >= started,
                                             len(bills), progress)  # fmt: skip
                    created, existing = created + made, existing + (end - at) - made
                    lease.checkpoint({"done_upto": end})
                    at = end
        finally:
            lease.release()
        return created, existing

    def _write_block(self, pool: ThreadPoolExecutor, block: Sequence[Bill], blind: bool,
                     total: int, progress: Progress | None) -> int:  # fmt: skip
        """Put the block's bills (all, or the missing ones); how many were written."""
        todo = list(block)
        if not blind:
            wanted = [billing_keys.bill(b.unit.estate, b.unit.building, b.unit.room, b.bill_id)
                      for b in todo]  # fmt: skip
            reads = [wanted[i : i + BATCH_GET_KEYS] for i in range(0, len(wanted), BATCH_GET_KEYS)]
            found = {(text(i, "pk"), text(i, "sk"))
                     for got in pool.map(self.table.batch_get, reads) for i in got}  # fmt: skip
            if progress is not None and len(todo) > len(found):
                progress(len(found), total)
            todo = [b for b, k in zip(block, wanted, strict=True) if (k["pk"], k["sk"]) not in found]
        chunks = [[item_of(b) for b in todo[i : i + self.chunk]]
                  for i in range(0, len(todo), self.chunk)]  # fmt: skip
        for written in pool.map(self.table.batch_put, chunks):
            if progress is not None:
                progress(written, total)
        if progress is not None and not todo and block:
            progress(len(block), total)
        return len(todo)

    # -- one-off items and standing charges -----------------------------------------------

    def add_charge(self, unit: UnitKey, period: str, ref: str, amount_fen: int, note: str, *,
                   actor: str, source_ip: str = "") -> Bill:  # fmt: skip
        """A one-off item (其他), keyed by the caller's reference: adding it again is refused."""
        check_period(period)
        check_ref(ref)
        if not 0 < amount_fen <= MAX_BILL_FEN:
            raise InvalidInput("bill_amount_invalid")
        note = note.strip()
        if not note or len(note) > 200:
            raise InvalidInput("bill_note_invalid")
        self.known_unit(unit)
        bill = Bill(unit, bill_id(period, "other", ref), "other", period, amount_fen, 0,
                    due_date(period).isoformat(), {"ref": ref}, note, iso(self.clock()))  # fmt: skip
        try:
            self.table.transact([new_bill_put(bill), self.audit.entry(Event(
                actor, "billing.charge", unit.unit_id, source_ip,
                {"bill": bill.bill_id, "amount_fen": amount_fen}))])  # fmt: skip
        except TransactionCancelled as exc:
            if BILL_IS_NEW.name in exc.failed:
                raise Conflict("bill_exists", bill=bill.bill_id) from exc
            raise
        return bill

    def set_standing(self, unit: UnitKey, item: str, quantity: int, *, actor: str) -> None:
        """How many of a standing item (parking spaces) a unit rents from now on (0: none)."""
        if item != "parking" or not 0 <= quantity <= 20:
            raise InvalidInput("standing_charge_invalid")
        self.known_unit(unit)
        key = billing_keys.standing_charge(unit.estate, unit.building, unit.room, item)
        if quantity == 0:
            self.table.delete(key)
        else:
            self.table.put({**key, "estate": unit.estate, "building": unit.building,
                            "room": unit.room, "item": item, "quantity": quantity,
                            "set_by": actor, "set_at": iso(self.clock())})  # fmt: skip
        self.audit.record(Event(actor, "billing.standing", unit.unit_id, "",
                                {"item": item, "quantity": quantity}))  # fmt: skip

    def known_unit(self, unit: UnitKey) -> None:
        if self.table.get(keys.unit(unit.estate, unit.building, unit.room)) is None:
            raise NotFound("unit_not_found", unit=unit.unit_id)

