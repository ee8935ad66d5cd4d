"""Callbacks (回访): every resolved repair and valid complaint is called back within 24 hours.

Three parts, each built once in :mod:`portal.wiring`:

- :class:`CallbackScheduler` is a :data:`~portal.workorders.service.Hook` of the work-order
  service: when a repair or complaint is resolved it adds, to the resolve's own
  transaction, the order's callback (due :data:`~portal.service_levels.CALLBACK_WITHIN_H`
  hours later, one per resolution: a reopened order resolved again gets a new one) and a
  task that tells the owner (outside the quiet hours). When an order leaves "resolved" or
  "signed off" by any other way than its callback (the owner reopens it first, say), its
  open callback is cancelled in the same transaction: one open callback per order.
- :class:`CallbackService` is what staff and owners call: the due and overdue lists,
  attempts, the result. The result of an order's callback moves the order through the
  transition table (:meth:`WorkOrderService.act <portal.workorders.service.WorkOrderService.act>`):
  satisfied → ``callback`` (callback_done), unsatisfied → ``reopen`` with the comment as
  its note; the callback's own write joins that transaction, so it is recorded once.
- :class:`CallbackNotices` sends the owner's SMS, off the request path (:mod:`portal.tasks`).

Periodic callbacks (first month, monthly, dissatisfied, not moved in) are planned by
:mod:`portal.workorders.callback_plan`.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from portal.accounts import policy
from portal.accounts.audit import actor
from portal.accounts.identity import Identity
from portal.accounts.owners import OwnerRepository
from portal.accounts.policy import Target
from portal.clock import Clock, iso, local_day, parse_iso, zone
from portal.errors import Conflict, Forbidden, InvalidInput, NotFound
from portal.i18n import DEFAULT_LANG, translate
from portal.messaging import MessageSender
from portal.service_levels import CALLBACK_WITHIN_H, after_quiet_hours
from portal.store.errors import ConditionFailed
from portal.store.table import Operation
from portal.tasks.queue import TaskQueue
from portal.workorders.callback_model import (
    DIMENSIONS,
    MAX_ATTEMPTS,
    MAX_COMMENT,
    ORDER_KINDS,
    OWNER_METHOD,
    SCALE,
    STAFF_METHODS,
    Attempt,
    Callback,
    Method,
    Rating,
    Result,
    order_callback_id,
)  # fmt: skip
from portal.workorders.callback_repository import CallbackRepository, cancel_op, create_op, save_op
from portal.workorders.model import PUBLIC_AREA, Event, WorkOrder
from portal.workorders.service import WorkOrderService

logger = logging.getLogger(__name__)

CALLBACK_NOTICE = "callback_notice"
"""The task kind that tells an owner their order will be called back (:class:`CallbackNotices`)."""
AWAITING = frozenset({"resolved", "signed_off"})
"""The order states in which its callback is open."""
CALLBACK_WITHIN = timedelta(hours=CALLBACK_WITHIN_H)


def target_of(callback: Callback) -> Target:
    if callback.building == PUBLIC_AREA:
        return Target(estate=callback.estate)
    return Target(estate=callback.estate, building=callback.building, room=callback.room)


def _clean(value: str, limit: int, code: str) -> str:
    """NFC, trimmed, control characters (but line breaks and tabs) dropped, as the work orders
    clean their text; ``code`` if longer than ``limit`` as typed (what the API document counts)."""
    if len(value) > limit:
        raise InvalidInput(code)
    return "".join(c for c in unicodedata.normalize("NFC", value)
                   if c in "\n\t" or unicodedata.category(c) != "Cc").strip()  # fmt: skip


def _order_callback(order: WorkOrder, at: str, by: str) -> Callback:
    loc = order.location
    return Callback(
        callback_id=order_callback_id(order.number, order.reopen_count), estate=order.estate,
        kind="order", building=loc.building, room=loc.room,
        due_at=iso(parse_iso(at) + CALLBACK_WITHIN), created_at=at, created_by=by,
        order_number=order.number, owner_id=order.owner_id,
    )  # fmt: skip


class CallbackScheduler:
    """The work-order hook: an order's callback is created and closed with the order's moves."""

    def __init__(self, tasks: TaskQueue, time_zone: str) -> None:
        self.tasks, self.tz = tasks, time_zone

    def __call__(self, before: WorkOrder, after: WorkOrder, event: Event) -> list[Operation]:
        if after.kind not in ORDER_KINDS:
            return []
        if after.state == "resolved" and before.state != "resolved":
            callback = _order_callback(after, event.at, event.actor)
            ops: list[Operation] = [create_op(callback)]
            if callback.owner_id:
                send_at = after_quiet_hours(parse_iso(event.at), zone(self.tz))
                task = self.tasks.new(CALLBACK_NOTICE, {"estate": callback.estate,
                                                        "callback_id": callback.callback_id},
                                      give_up_after=CALLBACK_WITHIN, due_at=send_at)  # fmt: skip
                ops.append(task.put)  # run by the sweep from send_at (no dispatch from a hook)
            return ops
        if before.state in AWAITING and after.state not in AWAITING:
            # Left without its callback (the callback service joins its own write instead).
            return [cancel_op(_order_callback(before, event.at, event.actor),
                              f"order_{event.action}", event.at)]  # fmt: skip
        return []


@dataclass(frozen=True)
class Answer:
    """What was heard: an answer per dimension asked (``overall`` at least) and a comment."""

    ratings: Mapping[str, str]
    comment: str = ""
    method: str = "phone"


@dataclass(frozen=True)
class DueList:
    overdue: tuple[Callback, ...]
    """Due before now and still open."""
    due: tuple[Callback, ...]
    """Due from now until the end of the day asked for."""


def validate_answer(answer: Answer, method: str) -> tuple[dict[str, Rating], str]:
    ratings: dict[str, Rating] = {}
    known = {d.name for d in DIMENSIONS}
    for name, value in answer.ratings.items():
        if name not in known or value not in SCALE:
            raise InvalidInput("callback_rating_invalid", dimension=name)
        ratings[name] = cast(Rating, value)
    for d in DIMENSIONS:
        if d.required and d.name not in ratings:
            raise InvalidInput("callback_rating_missing", dimension=d.name)
    comment = _clean(answer.comment, MAX_COMMENT, "callback_comment_invalid")
    probe = Result(ratings, comment, cast(Method, method), "", "")
    if probe.unsatisfied and not comment:
        raise InvalidInput("callback_comment_missing")
    return ratings, comment


class CallbackService:
    def __init__(self, repo: CallbackRepository, orders: WorkOrderService, clock: Clock,
                 time_zone: str) -> None:  # fmt: skip
        self.repo, self.orders, self.clock, self.tz = repo, orders, clock, time_zone

    # -- reads (staff) -------------------------------------------------------------------

    def get(self, identity: Identity, estate: str, callback_id: str) -> Callback:
        """One callback in the caller's scope (``NotFound`` otherwise, as if missing)."""
        callback = self.repo.get(estate, callback_id)
        if callback is None or not policy.can(identity, "callback.record", target_of(callback)):
            raise NotFound("callback_not_found")
        return callback

    def due(self, identity: Identity, estate: str, day: date | None = None) -> DueList:
        """The estate's open callbacks that are overdue, and those due by the end of ``day``
        (local; default today), in the caller's buildings: one query."""
        policy.require(identity, "callback.record", Target(estate=estate))
        now = self.clock()
        tz = zone(self.tz)
        day = min(day or local_day(now, tz), date.max - timedelta(days=1))  # any date asked
        until = datetime.combine(day + timedelta(days=1), time(0), tz)
        seen = [c for c in self.repo.due_by(estate, iso(until))
                if policy.can(identity, "callback.record", target_of(c))]  # fmt: skip
        overdue = tuple(c for c in seen if c.due_at < iso(now))
        return DueList(overdue, tuple(c for c in seen if c.due_at >= iso(now)))

    # -- staff record ----------------------------------------------------------------------

    def record_attempt(self, identity: Identity, estate: str, callback_id: str, method: str,
                       reached: bool, note: str = "") -> Callback:  # fmt: skip
        """A try at reaching the owner (unanswered, or "call me later"): the callback stays due."""
        callback = self._open(identity, estate, callback_id)
        if method not in STAFF_METHODS:
            raise InvalidInput("callback_method_invalid")
        if len(callback.attempts) >= MAX_ATTEMPTS:  # the callback's state, not the request
            raise Conflict("callback_too_many_attempts", max=MAX_ATTEMPTS)
        note = _clean(note, MAX_COMMENT, "callback_comment_invalid")
        attempt = Attempt(cast(Method, method), actor(identity.kind, identity.user_id),
                          iso(self.clock()), reached, note)  # fmt: skip
        after = replace(callback, version=callback.version + 1,
                        attempts=(*callback.attempts, attempt))  # fmt: skip
        try:
            self.repo.save(after, callback.version)
        except ConditionFailed as exc:
            raise self._refused(callback) from exc
        return after

    def record_result(self, identity: Identity, estate: str, callback_id: str,
                      answer: Answer) -> Callback:  # fmt: skip
        """Staff record what the owner said (by phone, visit or message)."""
        callback = self._open(identity, estate, callback_id)
        if answer.method not in STAFF_METHODS:
            raise InvalidInput("callback_method_invalid")
        return self._record(identity, callback, answer, answer.method)

    def _open(self, identity: Identity, estate: str, callback_id: str) -> Callback:
        callback = self.get(identity, estate, callback_id)
        if not callback.is_due:
            raise Conflict("callback_already_recorded", state=callback.state)
        return callback

    # -- the owner, on their order's page ---------------------------------------------------

    def of_order(self, identity: Identity, estate: str, number: str) -> Callback | None:
        """The callback of the order's latest resolution, if any (owners: their orders only)."""
        order, _ = self.orders.read(identity, estate, number)  # NotFound if not theirs
        if order.kind not in ORDER_KINDS:
            return None
        return self.repo.get(estate, order_callback_id(number, order.reopen_count))

    def answer_online(self, identity: Identity, estate: str, number: str,
                      answer: Answer) -> Callback:  # fmt: skip
        """The owner answers their order's callback online (method ``online``)."""
        if not identity.is_owner:
            raise Forbidden()
        callback = self.of_order(identity, estate, number)
        if callback is None:
            raise NotFound("callback_not_found")
        if not callback.is_due:
            raise Conflict("callback_already_recorded", state=callback.state)
        return self._record(identity, callback, answer, OWNER_METHOD)

    # -- recording a result: once --------------------------------------------------------------

    def _record(self, identity: Identity, callback: Callback, answer: Answer,
                method: str) -> Callback:  # fmt: skip
        ratings, comment = validate_answer(answer, method)
        at, by = iso(self.clock()), actor(identity.kind, identity.user_id)
        result = Result(ratings, comment, cast(Method, method), by, at)
        after = replace(callback, state="done", version=callback.version + 1, result=result,
                        attempts=(*callback.attempts, Attempt(result.method, by, at, True)),
                        closed_at=at)  # fmt: skip
        if callback.kind != "order":
            try:
                self.repo.save(after, callback.version)
            except ConditionFailed as exc:
                raise self._refused(callback) from exc
            return after
        action = "reopen" if result.unsatisfied else "callback"
        try:
            self.orders.act(identity, callback.estate, callback.order_number, action,
                            comment if action == "reopen" else "",
                            joined=[save_op(after, callback.version)],
                            recorded={"callback": callback.callback_id},
                            by_service=True)  # fmt: skip
        except Conflict as exc:
            raise self._refused(callback) from exc
        return after

    def _refused(self, callback: Callback) -> Conflict:
        """Why a write was refused: recorded meanwhile by someone else, or changed."""
        now = self.repo.get(callback.estate, callback.callback_id)
        if now is not None and not now.is_due:
            return Conflict("callback_already_recorded", state=now.state)
        return Conflict("callback_changed")


class CallbackNotices:
    """The owner's SMS about an order's callback (a task, run at least once)."""

    def __init__(self, repo: CallbackRepository, owners: OwnerRepository, sender: MessageSender,
                 site_url: str, clock: Clock, time_zone: str) -> None:  # fmt: skip
        self.repo, self.owners, self.sender = repo, owners, sender
        self.site_url, self.clock, self.tz = site_url, clock, time_zone

    def deliver(self, payload: Mapping[str, Any]) -> None:
        callback = self.repo.get(str(payload.get("estate", "")), str(payload.get("callback_id", "")))
        if callback is None or not callback.is_due or not callback.owner_id:
            return  # answered, recorded or cancelled meanwhile: nothing to say
        now = self.clock()
        if after_quiet_hours(now, zone(self.tz)) != now:
            logger.info("callback notice %s dropped: quiet hours", callback.callback_id)
            return  # a retry that ran late: never wake an owner for a survey
        owner = self.owners.get(callback.owner_id)
        if owner is None or not owner.phone:
            return
        text = translate("callbacks.sms_invite", str(payload.get("lang", DEFAULT_LANG)),
                         number=callback.order_number, hours=CALLBACK_WITHIN_H,
                         site=f"{self.site_url}/account/")  # fmt: skip
        self.sender.send_sms(owner.phone, text)
        logger.info("callback notice for %s sent to %s", callback.callback_id, owner.masked_phone)

