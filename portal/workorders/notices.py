"""What the owner is told about their order, by text message, and when.

An order that is acknowledged (who will look after it) or resolved (please sign
off) gets a notice task written in the same transaction as the change (a hook of
:class:`~portal.workorders.service.WorkOrderService`), run off the request path by
:mod:`portal.tasks`. Never between 22:00 and 08:00 local time
(:data:`portal.service_levels.QUIET_HOURS`) unless the order is an emergency
repair: the task is then due at 08:00. Only orders with an owner are told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from portal.clock import Clock, local_day, zone
from portal.i18n import DEFAULT_LANG, translate
from portal.messaging import MessageSender
from portal.service_levels import QUIET_HOURS
from portal.store.table import Operation
from portal.tasks.queue import TaskQueue
from portal.workorders.model import Event, WorkOrder
from portal.workorders.repository import WorkOrderRepository

logger = logging.getLogger(__name__)

NOTIFY_OWNER = "order_notice"
"""The task kind (see the wiring's list of task kinds)."""
NOTICES: Mapping[str, str] = {
    "acknowledged": "orders.sms_acknowledged",
    "resolved": "orders.sms_resolved",
}
"""The state an order reaches → the message the owner gets."""
GIVE_UP_AFTER = timedelta(hours=12)


def not_in_quiet_hours(now: datetime, tz: str, urgent: bool) -> datetime:
    """``now``, or the end of the quiet hours it falls in (urgent messages go at once)."""
    start, end = QUIET_HOURS
    local = now.astimezone(zone(tz))
    if urgent or end <= local.hour < start:
        return now
    day = local_day(now, zone(tz)) + timedelta(days=1 if local.hour >= start else 0)
    return datetime.combine(day, time(end), zone(tz))


class OrderNotices:
    """The hook that writes notice tasks, and the task handler that sends them."""

    def __init__(self, tasks: TaskQueue, repo: WorkOrderRepository, sender: MessageSender,
                 staff_name: Callable[[str], str], clock: Clock, tz: str) -> None:  # fmt: skip
        self.tasks, self.repo, self.sender = tasks, repo, sender
        self.staff_name, self.clock, self.tz = staff_name, clock, tz

    def hook(self, before: WorkOrder, after: WorkOrder, event: Event) -> Sequence[Operation]:
        if after.state == before.state or after.state not in NOTICES or not after.owner_id:
            return []
        urgent = after.urgency == "emergency"
        due = not_in_quiet_hours(self.clock(), self.tz, urgent)
        task = self.tasks.new(NOTIFY_OWNER, {"estate": after.estate, "number": after.number,
                                             "state": after.state, "lang": DEFAULT_LANG},
                              give_up_after=GIVE_UP_AFTER, due_at=due)  # fmt: skip
        return [task.put]

    def deliver(self, payload: Mapping[str, Any]) -> None:
        order = self.repo.get(str(payload.get("estate", "")), str(payload.get("number", "")))
        state = str(payload.get("state", ""))
        if order is None or state not in NOTICES or not order.contact_phone:
            return
        name = self.staff_name(order.responsible) or order.responsible
        text = translate(NOTICES[state], str(payload.get("lang", DEFAULT_LANG)),
                         number=order.number, name=name)  # fmt: skip
        self.sender.send_sms(order.contact_phone, text)
        logger.info("order %s: owner told it is %s", order.number, state)
