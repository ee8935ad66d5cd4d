"""The SLA clock: an order's deadlines, and whether each was met.

Every deadline comes from :mod:`portal.service_levels` (15-30-60, the technician
on site 10 minutes after dispatch, minor repairs within a day, emergency repairs
the same local day). Times are computed, never stored: a change to a commitment
applies to every order's page at once. The table :data:`STAGES` says which stage
applies to which kinds, from when it runs and which milestone ends it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from portal import service_levels as sl
from portal.clock import iso, local_day, parse_iso, zone
from portal.workorders.model import WorkOrder

Status = Literal["met", "breached", "pending"]


def _after(minutes: int) -> Callable[[datetime, str], datetime]:
    return lambda start, _tz: start + timedelta(minutes=minutes)


def _end_of_local_day(start: datetime, tz: str) -> datetime:
    day = local_day(start, zone(tz))
    return datetime.combine(day + timedelta(days=1), time(0), zone(tz))


@dataclass(frozen=True)
class Stage:
    name: str
    kinds: frozenset[str]
    start: str  # "created" or a milestone in WorkOrder.reached
    ends: tuple[str, ...]  # the milestones that meet it (the first reached counts)
    due: Callable[[datetime, str], datetime]
    urgency: str = ""  # only for this urgency ("" = any)


_ALL = frozenset({"repair", "complaint", "suggestion", "praise", "service"})
_DOING = frozenset({"repair", "complaint", "service", "suggestion"})

# fmt: off
STAGES: tuple[Stage, ...] = (
    Stage("acknowledge", _ALL, "created", ("acknowledged",), _after(sl.ACKNOWLEDGE_MIN)),
    Stage("dispatch", _DOING - {"suggestion"}, "created", ("dispatched", "invalid"),
          _after(sl.DISPATCH_MIN)),
    Stage("feedback", _DOING, "created", ("feedback", "resolved", "invalid", "parked"),
          _after(sl.FEEDBACK_MIN)),
    Stage("on_site", frozenset({"repair"}), "dispatched", ("on_site", "resolved"),
          _after(sl.TECHNICIAN_ON_SITE_MIN)),
    Stage("resolve", frozenset({"repair"}), "created", ("resolved",),
          _after(sl.MINOR_REPAIR_RESOLVE_H * 60), urgency="normal"),
    Stage("resolve", frozenset({"repair"}), "created", ("resolved",), _end_of_local_day,
          urgency="emergency"),
)
# fmt: on


@dataclass(frozen=True)
class Deadline:
    stage: str
    due_at: str
    done_at: str
    status: Status


_FINAL = ("closed", "invalid", "parked")
"""The milestones of :data:`portal.workorders.transitions.FINAL_STATES`."""


def deadlines(order: WorkOrder, now: datetime, tz: str) -> list[Deadline]:
    """The order's deadlines that have started, in order, each met, breached or pending."""
    out: list[Deadline] = []
    for stage in STAGES:
        if order.kind not in stage.kinds or stage.urgency not in ("", order.urgency):
            continue
        start = order.created_at if stage.start == "created" else order.reached.get(stage.start)
        if not start:
            continue  # e.g. not dispatched yet: the on-site clock has not started
        due = stage.due(parse_iso(start), tz)
        done = min((order.reached[m] for m in stage.ends if m in order.reached), default="")
        if not done:  # an order that ended (closed, invalid, parked) stops every clock then
            done = min((order.reached[m] for m in _FINAL if m in order.reached), default="")
        if done:
            status: Status = "met" if parse_iso(done) <= due else "breached"
        else:
            status = "breached" if now > due else "pending"
        out.append(Deadline(stage.name, iso(due), done, status))
    return out


def resolved_in_time(order: WorkOrder, tz: str) -> bool | None:
    """For a repair: resolved within its limit (True/False); None if not resolved yet."""
    if "resolved" not in order.reached:
        return None
    for d in deadlines(order, parse_iso(order.reached["resolved"]), tz):
        if d.stage == "resolve":
            return d.status == "met"
    return None
