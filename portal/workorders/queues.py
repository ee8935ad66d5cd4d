"""A staff member's queue: what needs them now, in the order they should look at it.

=============  ======================================================================
part           what is in it
=============  ======================================================================
new            submitted and not yet acknowledged (the 15 minutes are running)
breached       open orders with a deadline passed and not met
due_soon       open orders with a deadline within :data:`DUE_SOON`
escalated      orders the ladder brought to one of my rungs (my buildings, for a butler)
mine           orders I am responsible for (首问负责), until handed on or finished
=============  ======================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from portal.accounts.identity import Identity
from portal.clock import parse_iso
from portal.service_levels import ESCALATION_LADDER
from portal.workorders.model import WorkOrder
from portal.workorders.repository import WorkOrderRepository
from portal.workorders.sla import deadlines
from portal.workorders.transitions import UNRESOLVED_STATES

DUE_SOON = timedelta(minutes=10)
_RUNGS = frozenset(rung for _, rung in ESCALATION_LADDER)


@dataclass
class Queue:
    new: list[WorkOrder] = field(default_factory=list)
    breached: list[WorkOrder] = field(default_factory=list)
    due_soon: list[WorkOrder] = field(default_factory=list)
    escalated: list[WorkOrder] = field(default_factory=list)
    mine: list[WorkOrder] = field(default_factory=list)


def build_queue(repo: WorkOrderRepository, identity: Identity, estates: Iterable[str],
                buildings_of: Callable[[str], Iterable[str]], may_see: Callable[[WorkOrder], bool],
                now: datetime, tz: str) -> Queue:  # fmt: skip
    """``estates``: the caller's; ``buildings_of``: an estate's buildings (a butler's rung)."""
    queue = Queue()
    for estate in sorted(estates):
        for state in sorted(UNRESOLVED_STATES):
            for order in repo.in_state(estate, state):
                if not may_see(order):
                    continue
                if state == "submitted":
                    queue.new.append(order)
                marks = deadlines(order, now, tz)
                if any(d.status == "breached" and not d.done_at for d in marks):
                    queue.breached.append(order)
                elif any(d.status == "pending" and parse_iso(d.due_at) - now <= DUE_SOON
                         for d in marks):  # fmt: skip
                    queue.due_soon.append(order)
        refs: list[tuple[str, str]] = []
        for rung in sorted(identity.roles & _RUNGS):
            scoped = identity.buildings.get(estate)
            places = [*sorted(scoped or buildings_of(estate)), ""] if rung == "butler" else [""]
            refs += [(estate, n) for b in places for n, _ in repo.escalated_to(estate, rung, b)]
        queue.escalated += [o for o in repo.many(sorted(set(refs))) if may_see(o)]
    queue.mine = [o for o in repo.many(repo.queue_of(identity.user_id)) if may_see(o)]
    for part in (queue.new, queue.breached, queue.due_soon, queue.escalated, queue.mine):
        part.sort(key=lambda o: o.created_at)
    return queue
