"""One timeline of every contact with a unit: its orders (repairs, complaints, suggestions,
praise, services) with each step the owner saw, and its callbacks with each attempt.

Read from where each lives, never copied: the unit's orders from the work-order index
(gsi2, :func:`portal.store.service_keys.work_orders_of_unit`) and each order's history (one
query per order, the newest :data:`ORDERS` orders), the unit's callbacks from theirs
(gsi2, :func:`portal.store.service_keys.callbacks_of_unit`). Internal notes never appear.
Payments join when billing exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.workorders.callback_repository import CallbackRepository
from portal.workorders.repository import WorkOrderRepository

ORDERS = 20
"""The newest orders of a unit whose steps are read (one query each)."""
CALLBACKS = 50


@dataclass(frozen=True)
class Contact:
    at: str  # UTC ISO-8601
    source: str  # "order" or "callback"
    kind: str  # the order's kind (repair, complaint …) or the callback's (order, monthly …)
    ref: str  # the order number or the callback id
    action: str  # the order's step (submit, acknowledge …) or attempt / result
    actor: str
    state: str = ""
    note: str = ""
    details: dict[str, str] = field(default_factory=dict)


def timeline(orders: WorkOrderRepository, callbacks: CallbackRepository, estate: str,
             building: str, room: str) -> list[Contact]:  # fmt: skip
    """Every contact with the unit, newest first."""
    out: list[Contact] = []
    for order in orders.of_unit(estate, building, room, limit=ORDERS):
        _, events = orders.with_history(estate, order.number)
        out += [Contact(e.at, "order", order.kind, order.number, e.action, e.actor, e.state,
                        e.note, dict(e.details))
                for e in events if not e.internal]  # fmt: skip
    for cb in callbacks.of_unit(estate, building, room, limit=CALLBACKS):
        for attempt in cb.attempts:
            is_result = cb.result is not None and attempt.at == cb.result.at and attempt.reached
            details = {"method": attempt.method, "reached": "yes" if attempt.reached else "no"}
            if is_result and cb.result is not None:
                details.update({f"rating.{k}": v for k, v in cb.result.ratings.items()})
                details["score"] = str(cb.result.score)
            out.append(Contact(attempt.at, "callback", cb.kind, cb.callback_id,
                               "result" if is_result else "attempt", attempt.by, cb.state,
                               cb.result.comment if is_result and cb.result else attempt.note,
                               details))  # fmt: skip
    ranked = sorted(enumerate(out), key=lambda p: (p[1].at, p[0]), reverse=True)
    return [c for _, c in ranked]  # same second: the later step first
