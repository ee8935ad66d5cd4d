"""Cash handover (现金交接): what a guard collects at owners' doors, confirmed by the foreman.

Each door-cash payment joins its collector's batch of the estate's local day in the
recording's own transaction (:func:`joins_batch`): count + 1, amount + the payment. The
foreman counts the cash the next day and confirms the batch with the count and amount
counted; equal figures make it ``confirmed``, others ``discrepancy`` (both audited, with who
and when). A batch still ``open`` after the end of the next local day is **overdue**.

=============  ===========================================================
state          meaning
=============  ===========================================================
open           collecting, or waiting for the foreman (overdue after day + 1)
confirmed      the foreman counted the same count and amount
discrepancy    the foreman counted something else (finance follows it up)
=============  ===========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from portal.accounts import policy
from portal.accounts.audit import AuditLog, Event, actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.billing.model import Payment
from portal.clock import Clock, iso, local_day, zone
from portal.errors import Conflict, InvalidInput, NotFound
from portal.store import collection_keys
from portal.store.conditions import condition
from portal.store.errors import TransactionCancelled
from portal.store.items import Item, text, whole
from portal.store.table import Table, Update

State = Literal["open", "confirmed", "discrepancy"]
OVERDUE_AFTER_DAYS = 1
"""A batch of day D must be confirmed by the end of day D + 1 (the estate's local days)."""
BATCH_OPEN = condition("handover_open", "attribute_not_exists(#s) OR #s = :open",
                       names={"#s": "state"}, open="open")  # fmt: skip
MAX_NOTE = 200


@dataclass(frozen=True)
class Batch:
    estate: str
    day: str
    collector: str
    collector_name: str
    count: int
    total_fen: int
    state: State
    payments: tuple[str, ...]
    counted_count: int = 0
    counted_fen: int = 0
    confirmed_by: str = ""
    confirmed_at: str = ""
    note: str = ""

    def overdue(self, today: date) -> bool:
        return self.state == "open" and today > date.fromisoformat(self.day) + timedelta(
            days=OVERDUE_AFTER_DAYS
        )


def joins_batch(p: Payment, day: str, collector: str, collector_name: str) -> Update:
    """The door-cash payment ``p`` added to its collector's batch of ``day`` (refused when the
    foreman has already confirmed it: the guard's later cash is a new day's)."""
    return Update(collection_keys.handover(p.unit.estate, day, collector),
                  add={"count": 1, "total_fen": p.amount_fen, "payments": {p.payment_id}},
                  set_if_missing={"state": "open", "estate": p.unit.estate, "day": day,
                                  "collector": collector, "collector_name": collector_name,
                                  "type": "handover"},
                  condition=BATCH_OPEN)  # fmt: skip


def batch_of(item: Item) -> Batch:
    payments: Any = item.get("payments") or set()
    return Batch(
        estate=text(item, "estate"), day=text(item, "day"), collector=text(item, "collector"),
        collector_name=text(item, "collector_name"), count=whole(item, "count"),
        total_fen=whole(item, "total_fen"), state=text(item, "state") or "open",  # type: ignore[arg-type]
        payments=tuple(sorted(str(x) for x in payments)),
        counted_count=whole(item, "counted_count"), counted_fen=whole(item, "counted_fen"),
        confirmed_by=text(item, "confirmed_by"), confirmed_at=text(item, "confirmed_at"),
        note=text(item, "note"),
    )  # fmt: skip


class Handovers:
    def __init__(self, table: Table, audit: AuditLog, clock: Clock, time_zone: str) -> None:
        self.table, self.audit, self.clock, self.tz = table, audit, clock, time_zone

    def today(self) -> date:
        return local_day(self.clock(), zone(self.tz))

    def of_estate(self, identity: Identity | None, estate: str, since: str = "") -> list[Batch]:
        """An estate's batches (from ``since``, a local day), oldest first (``identity``: the
        caller, checked; ``None``: the command line)."""
        if identity is not None:
            policy.require(identity, "handover.read", Target(estate=estate))
        items = self.table.query_all(collection_keys.handovers(estate),
                                     between=(since, "9999") if since else None)  # fmt: skip
        return [batch_of(i) for i in items]

    def confirm(self, identity: Identity | None, estate: str, day: str, collector: str, *,
                count: int, amount_fen: int, note: str = "", source_ip: str = "",
                who: str = "") -> Batch:  # fmt: skip
        """The foreman's count of a batch; confirming again with the same figures answers the
        first confirmation (a retry), other figures after a confirmation are refused (409)."""
        if identity is not None:
            policy.require(identity, "handover.confirm", Target(estate=estate))
            who = actor(identity.kind, identity.user_id)
        if count < 0 or amount_fen < 0 or len(note) > MAX_NOTE:
            raise InvalidInput("handover_count_invalid")
        key = collection_keys.handover(estate, day, collector)
        item = self.table.get(key)
        if item is None:
            raise NotFound("handover_not_found")
        batch = batch_of(item)
        if batch.state != "open":
            if (batch.counted_count, batch.counted_fen) == (count, amount_fen):
                return batch
            raise Conflict("handover_already_confirmed", by=batch.confirmed_by)
        state: State = (
            "confirmed" if (count, amount_fen) == (batch.count, batch.total_fen) else "discrepancy"
        )
        at = iso(self.clock())
        done = {"state": state, "counted_count": count, "counted_fen": amount_fen,
                "confirmed_by": who, "confirmed_at": at, "note": note}  # fmt: skip
        unchanged = condition("handover_unchanged", "#s = :open AND #c = :c AND total_fen = :t",
                              names={"#s": "state", "#c": "count"}, open="open", c=batch.count,
                              t=batch.total_fen)  # fmt: skip
        try:
            self.table.transact([
                Update(key, set=done, condition=unchanged),
                self.audit.entry(Event(who, f"handover.{state}", f"{estate}/{day}/{collector}",
                                       source_ip, {"count": batch.count, "total_fen": batch.total_fen,
                                                   "counted_count": count,
                                                   "counted_fen": amount_fen, "note": note})),
            ])  # fmt: skip
        except TransactionCancelled as exc:
            raise Conflict("handover_changed") from exc
        return batch_of({**item, **done})
