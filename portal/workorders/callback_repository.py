"""Callbacks in the store: one item each, found three ways (keys in :mod:`portal.store.keys`).

- by id (``CB#<estate>#<id>``): ids are deterministic (an order's resolution round, a
  periodic round and unit), so creating one is a put that must be new: idempotent;
- while due, in the estate's due index (gsi1, sorted by due time; sparse: a callback
  that is done or cancelled leaves it), so the due and overdue lists are one query;
- by unit (gsi2, newest first), for the owner profile's timeline.

Every change is conditional on the version read (or, when an order moves it, joins the
order's own transaction), so a callback recorded twice at once is recorded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portal.store import keys, service_keys
from portal.store.conditions import Condition, condition
from portal.store.items import Item, flag, text, whole
from portal.store.table import Put, Table, Update
from portal.store.tables import GSI1, GSI2, GSI3
from portal.workorders.callback_model import (
    DIMENSION_NAMES,
    METHODS,
    SCALE,
    Attempt,
    Callback,
    Result,
)  # fmt: skip

CALLBACK_IS_NEW = condition("callback_is_new", "attribute_not_exists(pk)")
DUE_INDEX = (GSI1.hash_key, GSI1.range_key or "")


def still_due(version: int) -> Condition:
    """Nobody recorded or changed the callback since it was read."""
    return condition("callback_unchanged", "#state = :due AND version = :v",
                     names={"#state": "state"}, due="due", v=version)  # fmt: skip


OPEN_OR_ABSENT = condition(
    "callback_open_or_absent", "attribute_not_exists(pk) OR #state = :due",
    names={"#state": "state"}, due="due",
)  # fmt: skip
"""An order leaving its callback's reach closes the callback if it is open (an order
resolved before callbacks existed has none: then the cancelled record is made whole)."""


class CallbackRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, estate: str, callback_id: str) -> Callback | None:
        item = self.table.get(service_keys.callback(estate, callback_id))
        return callback_of(item) if item else None

    def many(self, estate: str, callback_ids: Sequence[str]) -> dict[str, Callback]:
        """The stored callbacks among ``callback_ids`` (batch reads), by id."""
        got = self.table.batch_get([service_keys.callback(estate, i) for i in dict.fromkeys(callback_ids)])
        return {c.callback_id: c for c in map(callback_of, got)}

    def due_by(self, estate: str, until: str) -> list[Callback]:
        """The estate's open callbacks due at or before ``until``, soonest first (one query)."""
        items = self.table.query_all(service_keys.callbacks_due(estate), index=GSI1,
                                     until=f"{until}{keys.SEP}~")  # fmt: skip
        return [callback_of(i) for i in items]

    def of_unit(self, estate: str, building: str, room: str, limit: int | None = None
                ) -> list[Callback]:  # fmt: skip
        items = self.table.query_all(service_keys.callbacks_of_unit(estate, building, room), index=GSI2,
                                     forward=False, limit=limit)  # fmt: skip
        return [callback_of(i) for i in items]

    def answered_between(self, estate: str, start: str, end: str) -> list[Callback]:
        """Callbacks answered in ``[start, end)`` (UTC ISO-8601): one query per UTC month."""
        out: list[Callback] = []
        for month in _months(start, end):
            items = self.table.query_all(service_keys.callbacks_answered(estate, month), index=GSI3,
                                         between=(start, end))  # fmt: skip
            out += [callback_of(i) for i in items if str(i.get("gsi3sk", "")) < end]
        return out

    def create(self, callback: Callback) -> None:
        """``ConditionFailed("callback_is_new")`` if it exists already."""
        self.table.put(item_of(callback), CALLBACK_IS_NEW)

    def save(self, callback: Callback, read_version: int) -> None:
        """``callback`` (its version moved on) if it is still due at ``read_version``."""
        self.table.put(item_of(callback), still_due(read_version))


# -- operations joined to an order's transaction -------------------------------------------


def create_op(callback: Callback) -> Put:
    return Put(item_of(callback), CALLBACK_IS_NEW)


def save_op(callback: Callback, read_version: int) -> Put:
    return Put(item_of(callback), still_due(read_version))


def cancel_op(callback: Callback, reason: str, at: str) -> Update:
    """Close ``callback`` (open, or never written) as cancelled, out of the due index."""
    whole_item = item_of(callback)
    kept = {k: v for k, v in whole_item.items()
            if k not in ("pk", "sk", "state", "version", "closed_at", "closed_reason",
                         *DUE_INDEX)}  # fmt: skip
    return Update(
        service_keys.callback(callback.estate, callback.callback_id),
        set={"state": "cancelled", "closed_at": at, "closed_reason": reason},
        add={"version": 1},
        remove=DUE_INDEX,
        set_if_missing=kept,
        condition=OPEN_OR_ABSENT,
    )


# -- items ----------------------------------------------------------------------------------


def item_of(c: Callback) -> Item:
    item: Item = {
        **service_keys.callback(c.estate, c.callback_id),
        **service_keys.callback_index(service_keys.callbacks_of_unit(c.estate, c.building, c.room),
                              c.created_at, c.callback_id, GSI2),
        "type": "callback", "callback_id": c.callback_id, "estate": c.estate, "kind": c.kind,
        "building": c.building, "room": c.room, "order_number": c.order_number,
        "owner_id": c.owner_id, "period": c.period, "due_at": c.due_at,
        "created_at": c.created_at, "created_by": c.created_by, "state": c.state,
        "version": c.version, "closed_at": c.closed_at, "closed_reason": c.closed_reason,
        "attempts": [{"method": a.method, "by": a.by, "at": a.at, "reached": a.reached,
                      "note": a.note} for a in c.attempts],
    }  # fmt: skip
    if c.result is not None:
        r = c.result
        item["result"] = {"ratings": dict(r.ratings), "comment": r.comment, "method": r.method,
                          "by": r.by, "at": r.at, "score": r.score}  # fmt: skip
    if c.is_due:
        item.update(service_keys.callback_index(service_keys.callbacks_due(c.estate), c.due_at, c.callback_id,
                                        GSI1))  # fmt: skip
    if c.result is not None:
        month = c.result.at[:7]
        item.update(service_keys.callback_index(service_keys.callbacks_answered(c.estate, month), c.result.at,
                                        c.callback_id, GSI3))  # fmt: skip
    return item


def _months(start: str, end: str) -> list[str]:
    """The UTC months (``YYYY-MM``) that ``[start, end)`` touches."""
    year, month = int(start[:4]), int(start[5:7])
    out: list[str] = []
    while f"{year:04d}-{month:02d}" <= end[:7]:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _method(value: str) -> Any:
    return value if value in METHODS else "phone"


def callback_of(item: Item) -> Callback:
    raw: Any = item.get("result")
    result = None
    if isinstance(raw, dict):
        ratings = raw.get("ratings") or {}
        kept = {str(k): v for k, v in ratings.items() if k in DIMENSION_NAMES and v in SCALE}
        result = Result(kept, text(raw, "comment"), _method(text(raw, "method")),
                        text(raw, "by"), text(raw, "at"))  # fmt: skip
    return Callback(
        callback_id=text(item, "callback_id"), estate=text(item, "estate"),
        kind=text(item, "kind"),  # type: ignore[arg-type]
        building=text(item, "building"), room=text(item, "room"), due_at=text(item, "due_at"),
        created_at=text(item, "created_at"), created_by=text(item, "created_by"),
        order_number=text(item, "order_number"), owner_id=text(item, "owner_id"),
        period=text(item, "period"),
        state=text(item, "state") or "due",  # type: ignore[arg-type]
        version=whole(item, "version", 1),
        attempts=tuple(
            Attempt(_method(text(a, "method")), text(a, "by"), text(a, "at"), flag(a, "reached"),
                    text(a, "note"))
            for a in item.get("attempts") or () if isinstance(a, dict)
        ),
        result=result, closed_at=text(item, "closed_at"),
        closed_reason=text(item, "closed_reason"),
    )  # fmt: skip
