"""The escalation ladder (升级): who follows an unresolved order up, and when.

The rungs are :data:`portal.service_levels.ESCALATION_LADDER`: unresolved after
day 1 → the unit's butler, day 2 → the foreman, day 3 → the supervisor, beyond
day 3 → the project manager. An unresolved order carries the time of its next
rung in a sparse index (gsi3, per estate), so the job reads only what is due: no
Scan. Each rung passed is one history line and one entry in that rung's queue.
The job may run late or twice: it climbs every rung that is due, once each,
because the order's version condition lets only one run write a climb.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

from portal.clock import Clock, iso, parse_iso
from portal.service_levels import ESCALATION_LADDER
from portal.store.errors import TransactionCancelled
from portal.store.table import Operation, Put
from portal.workorders.model import Event, WorkOrder
from portal.workorders.repository import (
    WorkOrderRepository,
    escalation_delete,
    escalation_put,
    event_item,
)  # fmt: skip
from portal.workorders.transitions import UNRESOLVED_STATES

logger = logging.getLogger(__name__)
SYSTEM = "system:ladder"


def rung_building(order: WorkOrder, rung: str) -> str:
    """The butler's rung is per building (the unit's butler); the others per estate."""
    return order.location.building if rung == "butler" and not order.location.is_public else ""


def schedule(order: WorkOrder) -> WorkOrder:
    """The order with the time of its next rung (none once resolved or at the top)."""
    if order.state not in UNRESOLVED_STATES or order.escalation_level >= len(ESCALATION_LADDER):
        return replace(order, escalate_at="")
    days, _ = ESCALATION_LADDER[order.escalation_level]
    start = parse_iso(order.ladder_from or order.created_at)
    return replace(order, escalate_at=iso(start + timedelta(days=days)))


def cleared(before: WorkOrder, after: WorkOrder) -> list[Operation]:
    """Queue entries to remove when an order leaves the ladder (resolved, closed, reopened)."""
    if before.escalation_level == 0:
        return []
    if after.state in UNRESOLVED_STATES and after.escalation_level >= before.escalation_level:
        return []
    return [escalation_delete(before, rung, rung_building(before, rung))
            for _, rung in ESCALATION_LADDER[: before.escalation_level]]  # fmt: skip


class EscalationJob:
    """Climbs the ladder for every due order of the given estates."""

    def __init__(self, repo: WorkOrderRepository, clock: Clock) -> None:
        self.repo, self.clock = repo, clock

    def run(self, estates: Iterable[str]) -> int:
        """How many rungs were climbed."""
        now = self.clock()
        climbed = 0
        for estate in estates:
            for order in self.repo.due_for_escalation(estate, iso(now)):
                climbed += self._climb(order)
        if climbed:
            logger.info("escalation ladder: %d rung(s) climbed", climbed)
        return climbed

    def _climb(self, order: WorkOrder) -> int:
        at = iso(self.clock())
        start = parse_iso(order.ladder_from or order.created_at)
        level = order.escalation_level
        ops: list[Operation] = []
        after = replace(order, version=order.version + 1)
        while level < len(ESCALATION_LADDER):
            days, rung = ESCALATION_LADDER[level]
            if start + timedelta(days=days) > self.clock():
                break
            level += 1
            building = rung_building(order, rung)
            event = Event(at=at, actor=SYSTEM, action="escalate", state=order.state,
                          details={"rung": rung, "level": str(level)})  # fmt: skip
            ops.append(Put(event_item(after, event, seq=after.version * 10 + level)))
            ops.append(escalation_put(order, rung, building, level, at))
        if level == order.escalation_level:
            return 0
        after = schedule(replace(after, escalation_level=level))
        try:
            self.repo.save(after, order.version, None, ops)
        except TransactionCancelled:
            return 0  # another run (or a staff action) changed it first: that one counts
        return level - order.escalation_level
