"""The work-order service: submit, move through the transition table, hand over, read.

Each change is at most two DynamoDB round trips: a read of the order, then one
transaction (the order under its version condition, its history line, the links
that change, any task). The rules come from their tables: moves from
:mod:`~portal.workorders.transitions`, permissions from :mod:`portal.accounts.policy`,
deadlines from :mod:`~portal.workorders.sla`, the ladder from :mod:`~portal.workorders.ladder`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from portal.accounts import policy
from portal.accounts.audit import actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.clock import Clock, iso
from portal.errors import Conflict, Forbidden, InvalidInput, NotFound
from portal.store import service_keys
from portal.store.conditions import condition
from portal.store.errors import TransactionCancelled
from portal.store.items import text
from portal.store.table import Operation, Put
from portal.store.tables import TTL_ATTRIBUTE
from portal.workorders import ladder
from portal.workorders.model import (
    CHANNELS,
    KINDS,
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    NUMBER_PREFIX,
    REPAIR_CATEGORIES,
    URGENCIES,
    Event,
    Handover,
    Location,
    Price,
    WorkOrder,
)  # fmt: skip
from portal.workorders.numbers import OrderNumbers
from portal.workorders.queues import Queue, build_queue
from portal.workorders.repository import WorkOrderRepository, queue_delete, queue_put
from portal.workorders.transitions import FINAL_STATES, MOVES, SERVICE_ONLY, Move, find

Hook = Callable[[WorkOrder, WorkOrder, Event], Sequence[Operation]]
"""Called with (before, after, event) of every change; its operations join the transaction
(the callback scheduler and the owner notices plug in here)."""
PlaceCheck = Callable[[Location], None]
"""Raises ``NotFound`` (``unknown_estate``, ``unknown_unit``) for a place the company lacks."""
ResidentOf = Callable[[str], "tuple[str, frozenset[tuple[str, str, str]]] | None"]
"""A mobile number → (owner id, the units they live in), or None for no owner."""
PhotoCheck = Callable[[str, str], str]
"""(uploaded key, who) → the verified photo's key (refuses what is not a real photo of theirs)."""
StaffCheck = Callable[[str, str], bool]
"""(username, estate) → may this staff member take orders there (hand-over target)?"""
MAX_NOTE = 1000
KEEP_REQUEST = timedelta(days=7)
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
REQUEST_IS_NEW = condition("request_is_new", "attribute_not_exists(pk)")
MAX_PRICE_FEN = 10_000_000  # ¥100,000: a typo guard on quotes


@dataclass(frozen=True)
class NewOrder:
    kind: str
    location: Location
    description: str
    urgency: str = "normal"
    category: str = ""
    preferred_time: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    photos: tuple[str, ...] = ()
    channel: str = "online"
    owner_id: str = ""  # set by the service: the owner submitting, or the one named by phone
    owner_phone: str = ""  # staff: the owner on whose behalf the order is made (optional)
    request_id: str = ""
    """The client's own id for this submit: sent again after a dropped connection, it
    returns the order already made instead of a second one."""


def _clean(value: str, limit: int, code: str) -> str:
    """NFC, trimmed, control characters (but line breaks and tabs) removed; too long: ``code``."""
    value = "".join(c for c in unicodedata.normalize("NFC", value)
                    if c in "\n\t" or unicodedata.category(c) != "Cc").strip()  # fmt: skip
    if len(value) > limit:
        raise InvalidInput(code)
    return value


def validate(new: NewOrder) -> NewOrder:
    if new.kind not in KINDS:
        raise InvalidInput("order_kind_invalid")
    if new.urgency not in URGENCIES:
        raise InvalidInput("order_urgency_invalid")
    if new.kind == "repair" and new.category not in ("", *REPAIR_CATEGORIES):
        raise InvalidInput("order_category_invalid")
    if new.channel not in CHANNELS:
        raise InvalidInput("order_channel_invalid")
    if new.request_id and not _REQUEST_ID.fullmatch(new.request_id):
        raise InvalidInput("order_request_id_invalid")
    if len(new.photos) > MAX_PHOTOS:
        raise InvalidInput("order_too_many_photos", max=MAX_PHOTOS)
    description = _clean(new.description, MAX_DESCRIPTION, "order_description_invalid")
    if not description:
        raise InvalidInput("order_description_missing")
    return replace(
        new, description=description,
        # Only a repair has a category (an owner not sure which: "other") and may be urgent.
        category=(new.category or "other") if new.kind == "repair" else "",
        urgency=new.urgency if new.kind == "repair" else "normal",
        preferred_time=_clean(new.preferred_time, 100, "order_text_invalid"),
        contact_name=_clean(new.contact_name, 50, "order_text_invalid"),
        location=replace(new.location, place=_clean(new.location.place, 100, "order_text_invalid")),
    )  # fmt: skip


def _item_key(op: Operation) -> tuple[str, str]:
    """The key of the item an operation writes (one item, one operation per transaction)."""
    if isinstance(op, Put):
        return str(op.item["pk"]), str(op.item["sk"])
    return op.key["pk"], op.key["sk"]


def target_of(order: WorkOrder | Location) -> Target:
    loc = order.location if isinstance(order, WorkOrder) else order
    if loc.is_public:
        return Target(estate=loc.estate)
    return Target(estate=loc.estate, building=loc.building, room=loc.room)


def owner_may_see(identity: Identity, order: WorkOrder) -> bool:
    if order.owner_id == identity.user_id:
        return True
    loc = order.location
    return not loc.is_public and any(
        (u.estate, u.building, u.room) == (loc.estate, loc.building, loc.room)
        for u in identity.units
    )


class WorkOrderService:
    def __init__(self, repo: WorkOrderRepository, numbers: OrderNumbers, clock: Clock,
                 time_zone: str, staff_check: StaffCheck, hooks: Sequence[Hook] = (),
                 photo_check: PhotoCheck | None = None,
                 resident_of: ResidentOf | None = None,
                 place_check: PlaceCheck | None = None) -> None:  # fmt: skip
        self.repo, self.numbers, self.clock, self.tz = repo, numbers, clock, time_zone
        self.staff_check, self.hooks, self.photo_check = staff_check, tuple(hooks), photo_check
        self.resident_of, self.place_check = resident_of, place_check

    # -- submit --------------------------------------------------------------------------

    def submit(self, identity: Identity, new: NewOrder) -> WorkOrder:
        """A new order from an owner (their unit, or a public area of their estate) or staff."""
        new = validate(new)
        loc = new.location
        if identity.is_owner:
            in_estate = any(u.estate == loc.estate for u in identity.units)
            if not in_estate or (not loc.is_public and not policy.in_scope(identity, target_of(loc))):
                raise Forbidden()
            new = replace(new, channel="online", owner_id=identity.user_id)
        else:
            policy.require(identity, "workorder.create", target_of(loc))
            if self.place_check is not None:
                self.place_check(loc)
            if new.channel == "online":  # staff record how it came in; a call by default
                new = replace(new, channel="phone")
            new = replace(new, owner_id=self._on_behalf_of(new))
        who = actor(identity.kind, identity.user_id)
        if new.photos:
            new = replace(new, photos=self._verified(new.photos, who))
        now = self.clock()
        number = self.numbers.next(loc.estate, NUMBER_PREFIX[new.kind], now, self.tz)
        order = WorkOrder(
            number=number, kind=new.kind, location=loc, description=new.description,  # type: ignore[arg-type]
            urgency=new.urgency, channel=new.channel, created_at=iso(now), created_by=who,  # type: ignore[arg-type]
            category=new.category, owner_id=new.owner_id, contact_name=new.contact_name,
            contact_phone=new.contact_phone, preferred_time=new.preferred_time,
            photos=new.photos, ladder_from=iso(now),
        )  # fmt: skip
        order = ladder.schedule(order)
        event = Event(at=iso(now), actor=who, action="submit", state=order.state,
                      details={"channel": new.channel})  # fmt: skip
        extra = self._hooked(order, order, event)
        if new.request_id:
            record = {**service_keys.submitted_request(who, new.request_id), "estate": loc.estate,
                      "number": number, TTL_ATTRIBUTE: int((now + KEEP_REQUEST).timestamp())}  # fmt: skip
            extra.append(Put(record, REQUEST_IS_NEW))
        try:
            self.repo.create(order, event, extra)
        except TransactionCancelled as exc:
            if REQUEST_IS_NEW.name not in exc.failed:
                raise
            return self._already_submitted(who, new.request_id)
        return order

    def _on_behalf_of(self, new: NewOrder) -> str:
        """The owner named by phone, who must live in the order's unit (any, for a public area)."""
        if not new.owner_phone:
            return ""
        found = self.resident_of(new.owner_phone) if self.resident_of else None
        loc = new.location
        if found is None or not any(
            u[0] == loc.estate and (loc.is_public or u[1:] == (loc.building, loc.room))
            for u in found[1]
        ):
            raise NotFound("order_owner_not_resident")
        return found[0]

    def _verified(self, keys_: Sequence[str], who: str) -> tuple[str, ...]:
        """Each uploaded photo checked (type, bytes, uploader) and moved to its verified key."""
        if self.photo_check is None:
            raise InvalidInput("order_photos_unavailable")
        return tuple(self.photo_check(k, who) for k in dict.fromkeys(keys_))

    def _already_submitted(self, who: str, request_id: str) -> WorkOrder:
        """The order a retried submit made the first time (its number was used once only)."""
        record = self.repo.table.get(service_keys.submitted_request(who, request_id)) or {}
        order = self.repo.get(text(record, "estate"), text(record, "number"))
        if order is None:
            raise Conflict("order_changed")
        return order

    # -- moves ---------------------------------------------------------------------------

    def act(self, identity: Identity, estate: str, number: str, action: str, note: str = "",
            details: Mapping[str, str | int] | None = None, *, joined: Sequence[Operation] = (),
            recorded: Mapping[str, str] | None = None, by_service: bool = False) -> WorkOrder:  # fmt: skip
        """Apply ``action`` (a row of the transition table) to an order.

        A sibling service (the callbacks) may join its own ``joined`` operations to the
        order's transaction, and add ``recorded`` details to the history line (never
        from a request: what the line shows, e.g. which callback moved the order). Its
        operations take precedence over a hook's on the same item.
        """
        details = dict(details or {})
        if action in SERVICE_ONLY and not by_service:
            raise Conflict("order_action_not_allowed", action=action, state="")
        self._may_ever(identity, action)
        order = self._visible(identity, estate, number)
        move = find(action, order.state, order.kind)
        if move is None:
            raise Conflict("order_action_not_allowed", action=action, state=order.state)
        self._authorise(identity, move, order)
        note = _clean(note, MAX_NOTE, "order_note_invalid")
        if move.needs_note and not note:
            raise InvalidInput("order_note_missing")
        now = iso(self.clock())
        who = actor(identity.kind, identity.user_id)
        after, extra, shown = self._apply(order, move, identity, note, details, now)
        after = replace(after, version=order.version + 1)
        after = ladder.schedule(after) if after.state != order.state else after
        event = Event(at=now, actor=who, action=action, state=after.state, note=note,
                      internal=action == "note",
                      details={**{k: str(v) for k, v in shown.items()}, **(recorded or {})})  # fmt: skip
        taken = {_item_key(op) for op in joined}
        hooked = [op for op in self._hooked(order, after, event) if _item_key(op) not in taken]
        ops = [*extra, *joined, *ladder.cleared(order, after), *hooked]
        try:
            self.repo.save(after, order.version, event, ops)
        except TransactionCancelled as exc:
            # Someone else changed it first (two staff acknowledging at once): a clean refusal.
            raise Conflict("order_changed") from exc
        return after

    @staticmethod
    def _may_ever(identity: Identity, action: str) -> None:
        """Refuse at once (before looking the order up) who may never do ``action``."""
        rows = [m for m in MOVES if m.action == action]
        if identity.is_owner:
            allowed = any(m.who != "staff" for m in rows)
        else:
            allowed = any(m.who != "owner" and policy.can(identity, m.permission) for m in rows)
        if rows and not allowed:
            raise Forbidden()

    def _authorise(self, identity: Identity, move: Move, order: WorkOrder) -> None:
        if identity.is_owner:
            if move.who == "staff" or not owner_may_see(identity, order):
                raise Forbidden()
            return
        if move.who == "owner":
            raise Forbidden()
        policy.require(identity, move.permission, target_of(order))

    def _apply(self, order: WorkOrder, move: Move, identity: Identity, note: str,
               details: dict[str, str | int], now: str
               ) -> tuple[WorkOrder, list[Operation], dict[str, str | int]]:  # fmt: skip
        """The order after ``move``, the links that change, and what the history line shows."""
        reached = dict(order.reached)
        if move.target is not None:
            reached.setdefault(move.target, now)
        after = replace(order, state=move.target or order.state, reached=reached)
        extra: list[Operation] = []
        shown: dict[str, str | int] = {}
        user = identity.user_id
        match move.action:
            case "acknowledge":
                if not order.responsible:  # first ask: whoever takes it first owns it
                    after = replace(after, responsible=user,
                                    chain=(*order.chain, Handover(user, user, now)))  # fmt: skip
                    extra.append(queue_put(user, after))
            case "hand_over":
                to = str(details.get("to", "")).strip()
                if not to:
                    raise InvalidInput("order_handover_target_invalid")
                if to == order.responsible:
                    raise Conflict("order_handover_same_person")
                if not self.staff_check(to, order.estate):
                    raise NotFound("order_handover_target_invalid")
                after = replace(after, responsible=to,
                                chain=(*order.chain, Handover(to, user, now, note)))  # fmt: skip
                if order.responsible:
                    extra.append(queue_delete(order.responsible, order))
                extra.append(queue_put(to, after))
                shown = {"to": to}
            case "dispatch":
                assignee = _clean(str(details.get("assignee", "")), 50, "order_assignee_invalid")
                if not assignee:
                    raise InvalidInput("order_assignee_invalid")
                after = replace(after, assignee=assignee)
                shown = {"assignee": assignee}
            case "feedback":
                reached.setdefault("feedback", now)
            case "sign_off":
                rating = details.get("rating")
                if not isinstance(rating, int) or not 1 <= rating <= 5:
                    raise InvalidInput("order_rating_invalid")
                after = replace(after, rating=rating)
                shown = {"rating": rating}
            case "reopen":
                after = replace(after, reopen_count=order.reopen_count + 1, ladder_from=now,
                                escalation_level=0, escalate_at="")  # fmt: skip
            case "invalid" | "park":
                after = replace(after, reason=note)
            case "quote":
                fen = details.get("fen")
                if not isinstance(fen, int) or not 0 < fen <= MAX_PRICE_FEN:
                    raise InvalidInput("order_price_invalid")
                after = replace(after, price=Price(fen, note))
                shown = {"fen": fen}
            case "answer_price":
                answer = details.get("answer")
                if answer not in ("accepted", "declined"):
                    raise InvalidInput("order_price_answer_invalid")
                if order.price is None or order.price.answer:
                    raise Conflict("order_no_price_to_answer")
                after = replace(after, price=replace(order.price, answer=answer))  # type: ignore[arg-type]
                shown = {"answer": str(answer)}
        if after.state in FINAL_STATES and order.responsible:
            extra.append(queue_delete(order.responsible, order))
        return replace(after, reached=reached), extra, shown

    def _hooked(self, before: WorkOrder, after: WorkOrder, event: Event) -> list[Operation]:
        return [op for hook in self.hooks for op in hook(before, after, event)]

    # -- reads ---------------------------------------------------------------------------

    def _visible(self, identity: Identity, estate: str, number: str) -> WorkOrder:
        order = self.repo.get(estate, number)
        if order is None or not self._may_see(identity, order):
            raise NotFound()  # another's order looks like a missing one
        return order

    def _may_see(self, identity: Identity, order: WorkOrder) -> bool:
        if identity.is_owner:
            return owner_may_see(identity, order)
        return policy.can(identity, "workorder.read", target_of(order))

    def read(self, identity: Identity, estate: str, number: str) -> tuple[WorkOrder, list[Event]]:
        """The order and its history (an owner never sees internal notes)."""
        order, events = self.repo.with_history(estate, number)
        if order is None or not self._may_see(identity, order):
            raise NotFound()
        if identity.is_owner:
            events = [e for e in events if not e.internal]
        return order, events

    def of_owner(self, identity: Identity) -> list[WorkOrder]:
        if not identity.is_owner:
            raise Forbidden()
        return self.repo.of_owner(identity.user_id)

    def in_estate(self, identity: Identity, estate: str, states: Sequence[str]) -> list[WorkOrder]:
        policy.require(identity, "workorder.read", Target(estate=estate))
        out = [o for s in states for o in self.repo.in_state(estate, s)]
        return sorted((o for o in out if self._may_see(identity, o)),
                      key=lambda o: o.created_at, reverse=True)  # fmt: skip



    def queue(self, identity: Identity, estates: Sequence[str],
              buildings_of: Callable[[str], Sequence[str]]) -> Queue:  # fmt: skip
        """The caller's queue over ``estates`` (see :mod:`portal.workorders.queues`)."""
        if identity.is_owner:
            raise Forbidden()
        for estate in estates:
            policy.require(identity, "workorder.read", Target(estate=estate))
        return build_queue(self.repo, identity, estates, buildings_of,
                           lambda o: self._may_see(identity, o), self.clock(), self.tz)  # fmt: skip
