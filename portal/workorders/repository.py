"""Work orders in the store: one item per order, one per history line, and link items.

An order's item carries the keys of three indexes (its estate and state, its unit,
and, while unresolved, its next escalation time), so every change is one ``Put``
of the whole item under the condition that its version is still the one read
(optimistic concurrency: two staff acknowledging at once, one wins, the other is
refused cleanly). A change and its history line (and any link or task) are
written in one transaction: one round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from portal.store import keys, service_keys
from portal.store.conditions import ITEM_IS_NEW, Condition, condition
from portal.store.items import Item, text, whole
from portal.store.table import Delete, Operation, Put, Table
from portal.store.tables import GSI1, GSI2, GSI3
from portal.workorders.model import Event, Handover, Location, Price, WorkOrder
from portal.workorders.transitions import STATES, UNRESOLVED_STATES


def still_version(version: int) -> Condition:
    """Nobody changed the order since it was read."""
    return condition("order_unchanged", "version = :v", v=version)


class WorkOrderRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    # -- reads ---------------------------------------------------------------------------

    def get(self, estate: str, number: str) -> WorkOrder | None:
        item = self.table.get(service_keys.work_order(estate, number))
        return order_of(item) if item else None

    def with_history(self, estate: str, number: str) -> tuple[WorkOrder | None, list[Event]]:
        """The order and its history, oldest first: one query."""
        order, events = None, []
        for item in self.table.iter_query(service_keys.work_order_partition(estate, number),
                                          consistent=True):  # fmt: skip
            if item["sk"] == keys.META:
                order = order_of(item)
            elif str(item["sk"]).startswith(service_keys.WORK_ORDER_EVENTS):
                events.append(event_of(item))
        return order, events

    def in_state(self, estate: str, state: str, limit: int | None = None) -> list[WorkOrder]:
        """An estate's orders in ``state``, newest first."""
        items = self.table.query_all(service_keys.work_orders_in_state(estate, state), index=GSI1,
                                     forward=False, limit=limit)  # fmt: skip
        return [order_of(i) for i in items]

    def created_between(self, estate: str, start: str, end: str) -> list[WorkOrder]:
        """An estate's orders created in ``[start, end)`` (UTC ISO), whatever their state: one
        query per state partition of gsi1 (its sort key is ``<created_at>#<number>``, so the
        range ``start``..``end`` takes ``start`` in and leaves ``end`` out). Not a snapshot: an
        order that changes state during the read may be seen twice (the newer version is
        kept) or, rarely, missed."""
        got: dict[str, WorkOrder] = {}
        for state in STATES:
            for item in self.table.iter_query(service_keys.work_orders_in_state(estate, state),
                                              index=GSI1, between=(start, end)):  # fmt: skip
                order = order_of(item)
                if order.number not in got or got[order.number].version < order.version:
                    got[order.number] = order
        return sorted(got.values(), key=lambda o: (o.created_at, o.number))

    def of_unit(self, estate: str, building: str, room: str, limit: int | None = None
                ) -> list[WorkOrder]:  # fmt: skip
        items = self.table.query_all(service_keys.work_orders_of_unit(estate, building, room),
                                     index=GSI2, forward=False, limit=limit)  # fmt: skip
        return [order_of(i) for i in items]

    def of_owner(self, owner_id: str, limit: int = 50) -> list[WorkOrder]:
        """An owner's orders, newest first (links, then one batch read)."""
        links = self.table.query_all(f"OWNER{keys.SEP}{owner_id}", prefix=service_keys.OWNER_ORDERS_PREFIX,
                                     forward=False, limit=limit)  # fmt: skip
        wanted = [service_keys.work_order(text(i, "estate"), text(i, "number")) for i in links]
        got = {(text(i, "estate"), text(i, "number")): order_of(i)
               for i in self.table.batch_get(wanted)}  # fmt: skip
        return [got[k] for k in ((text(i, "estate"), text(i, "number")) for i in links) if k in got]

    def due_for_escalation(self, estate: str, until: str) -> list[WorkOrder]:
        """Unresolved orders whose next rung is due by ``until`` (no Scan: a sparse index)."""
        items = self.table.query_all(service_keys.work_order_ladder(estate), index=GSI3)
        return [order_of(i) for i in items if text(i, "escalate_at") <= until]

    def queue_of(self, username: str) -> list[tuple[str, str]]:
        """``(estate, number)`` of the orders a staff member is responsible for."""
        return [(text(i, "estate"), text(i, "number"))
                for i in self.table.query_all(service_keys.staff_queue(username))]  # fmt: skip

    def escalated_to(self, estate: str, rung: str, building: str = "") -> list[tuple[str, int]]:
        """``(number, level)`` of the orders escalated to a rung."""
        return [(str(i["sk"]), whole(i, "level"))
                for i in self.table.query_all(service_keys.escalation_queue(estate, rung, building))]  # fmt: skip

    def many(self, refs: Sequence[tuple[str, str]]) -> list[WorkOrder]:
        return [order_of(i) for i in self.table.batch_get([service_keys.work_order(e, n) for e, n in refs])]

    # -- writes --------------------------------------------------------------------------

    def create(self, order: WorkOrder, event: Event, extra: Iterable[Operation] = ()) -> None:
        """A new order, its first history line, the owner's link: one transaction."""
        ops: list[Operation] = [Put(item_of(order), ITEM_IS_NEW), Put(event_item(order, event))]
        if order.owner_id:
            ops.append(Put({**service_keys.owner_work_order(order.owner_id, order.created_at, order.estate,
                                                    order.number),
                            "estate": order.estate, "number": order.number}))  # fmt: skip
        self.table.transact([*ops, *extra])

    def save(self, order: WorkOrder, read_version: int, event: Event | None,
             extra: Iterable[Operation] = ()) -> None:  # fmt: skip
        """``order`` (its version already moved on) if nobody changed it since ``read_version``."""
        ops: list[Operation] = [Put(item_of(order), still_version(read_version))]
        if event is not None:
            ops.append(Put(event_item(order, event)))
        self.table.transact([*ops, *extra])


# -- links written with a change ------------------------------------------------------------


def queue_put(username: str, order: WorkOrder) -> Put:
    return Put({**service_keys.staff_queue_entry(username, order.estate, order.number),
                "estate": order.estate, "number": order.number})  # fmt: skip


def queue_delete(username: str, order: WorkOrder) -> Delete:
    return Delete(service_keys.staff_queue_entry(username, order.estate, order.number))


def escalation_put(order: WorkOrder, rung: str, building: str, level: int, at: str) -> Put:
    return Put({**service_keys.escalation_entry(order.estate, rung, building, order.number),
                "level": level, "at": at, "estate": order.estate})  # fmt: skip


def escalation_delete(order: WorkOrder, rung: str, building: str) -> Delete:
    return Delete(service_keys.escalation_entry(order.estate, rung, building, order.number))


# -- items ----------------------------------------------------------------------------------


def item_of(order: WorkOrder) -> Item:
    loc = order.location
    item: Item = {
        **service_keys.work_order(order.estate, order.number),
        **service_keys.work_order_index(service_keys.work_orders_in_state(order.estate, order.state),
                                order.created_at, order.number, GSI1),
        **service_keys.work_order_index(service_keys.work_orders_of_unit(loc.estate, loc.building, loc.room),
                                order.created_at, order.number, GSI2),
        "type": "work_order",
        "number": order.number, "kind": order.kind, "estate": loc.estate,
        "building": loc.building, "room": loc.room, "place": loc.place,
        "description": order.description, "urgency": order.urgency, "channel": order.channel,
        "created_at": order.created_at, "created_by": order.created_by, "state": order.state,
        "version": order.version, "category": order.category, "owner_id": order.owner_id,
        "contact_name": order.contact_name, "contact_phone": order.contact_phone,
        "preferred_time": order.preferred_time, "photos": list(order.photos),
        "responsible": order.responsible,
        "chain": [{"to": h.to, "by": h.by, "at": h.at, "note": h.note} for h in order.chain],
        "assignee": order.assignee, "reached": dict(order.reached),
        "escalation_level": order.escalation_level, "escalate_at": order.escalate_at,
        "ladder_from": order.ladder_from,
        "rating": order.rating, "reopen_count": order.reopen_count, "reason": order.reason,
    }  # fmt: skip
    if order.price is not None:
        item["price"] = {"fen": order.price.fen, "note": order.price.note,
                         "answer": order.price.answer}  # fmt: skip
    if order.state in UNRESOLVED_STATES and order.escalate_at:
        item.update(service_keys.work_order_index(service_keys.work_order_ladder(order.estate),
                                          order.escalate_at, order.number, GSI3))  # fmt: skip
    return item


def order_of(item: Item) -> WorkOrder:
    price = item.get("price")
    return WorkOrder(
        number=text(item, "number"),
        kind=text(item, "kind"),  # type: ignore[arg-type]
        location=Location(
            text(item, "estate"), text(item, "building"), text(item, "room"), text(item, "place")
        ),
        description=text(item, "description"),
        urgency=text(item, "urgency"),  # type: ignore[arg-type]
        channel=text(item, "channel"),  # type: ignore[arg-type]
        created_at=text(item, "created_at"),
        created_by=text(item, "created_by"),
        state=text(item, "state"),
        version=whole(item, "version", 1),
        category=text(item, "category"),
        owner_id=text(item, "owner_id"),
        contact_name=text(item, "contact_name"),
        contact_phone=text(item, "contact_phone"),
        preferred_time=text(item, "preferred_time"),
        photos=tuple(str(p) for p in item.get("photos") or ()),
        responsible=text(item, "responsible"),
        chain=tuple(
            Handover(text(h, "to"), text(h, "by"), text(h, "at"), text(h, "note"))
            for h in item.get("chain") or ()
        ),
        assignee=text(item, "assignee"),
        reached={str(k): str(v) for k, v in (item.get("reached") or {}).items()},
        escalation_level=whole(item, "escalation_level"),
        escalate_at=text(item, "escalate_at"),
        ladder_from=text(item, "ladder_from"),
        price=Price(whole(price, "fen"), text(price, "note"), text(price, "answer"))  # type: ignore[arg-type]
        if isinstance(price, dict)
        else None,
        rating=whole(item, "rating"),
        reopen_count=whole(item, "reopen_count"),
        reason=text(item, "reason"),
    )


def event_item(order: WorkOrder, event: Event, seq: int | None = None) -> Item:
    """A history line; ``seq`` orders lines written at the same second (default: the version)."""
    return {
        **service_keys.work_order_event(order.estate, order.number, event.at,
                                order.version if seq is None else seq),
        "type": "work_order_event", "at": event.at, "actor": event.actor,
        "action": event.action, "state": event.state, "note": event.note,
        "internal": event.internal, "details": dict(event.details),
    }  # fmt: skip


def event_of(item: Item) -> Event:
    details: Any = item.get("details") or {}
    return Event(at=text(item, "at"), actor=text(item, "actor"), action=text(item, "action"),
                 state=text(item, "state"), note=text(item, "note"),
                 internal=bool(item.get("internal")),
                 details={str(k): str(v) for k, v in details.items()})  # fmt: skip
