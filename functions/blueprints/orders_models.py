"""Request and response models of the work-order routes (the OpenAPI contract)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from functions.fields import JSON_INTEGER
from functions.model import ApiModel
from portal.accounts.identity import Identity
from portal.accounts.policy import sees_phone
from portal.accounts.staff.validation import USERNAME_PATTERN
from portal.phones import OPTIONAL_PHONE_PATTERN, mask
from portal.uploads.keys import incoming_pattern
from portal.workorders.model import (
    CHANNELS,
    KINDS,
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    ORDER_PHOTOS,
    REPAIR_CATEGORIES,
    URGENCIES,
    Event,
    WorkOrder,
)  # fmt: skip
from portal.workorders.sla import deadlines
from portal.workorders.transitions import (
    ACTIONS,
    MOVES,
    SERVICE_ONLY,
    STATES,
    allowed_actions,
    find,
)  # fmt: skip

SLUG = r"^[a-z0-9][a-z0-9-]{0,39}$"


NUMBER = r"^[A-Z]{2}-[0-9]{8}-[0-9]{4,6}$"
Kind = Literal["repair", "complaint", "suggestion", "praise", "service"]
assert set(KINDS) == set(Kind.__args__)  # type: ignore[attr-defined]
Category = Literal["", "plumbing", "electrical", "doors_locks", "walls_ceilings", "appliances",
                   "public_facilities", "other"]  # fmt: skip
assert set(REPAIR_CATEGORIES) | {""} == set(Category.__args__)  # type: ignore[attr-defined]
PHOTO_KEY = incoming_pattern(ORDER_PHOTOS)
NOT_BLANK = r"\S"
_NEEDS_NOTE = sorted({m.action for m in MOVES if m.needs_note} - set(SERVICE_ONLY))
_REQUIRES: dict[str, dict[str, Any]] = {
    "dispatch": {"assignee": {"pattern": NOT_BLANK}},
    "hand_over": {"to": {"pattern": USERNAME_PATTERN}},
    "sign_off": {"rating": {"type": "integer"}},
    "quote": {"fen": {"type": "integer"}},
    "answer_price": {"answer": {"enum": ["accepted", "declined"]}},
    **{a: {"note": {"pattern": NOT_BLANK}} for a in _NEEDS_NOTE},
}
"""What each action needs besides its name (written as ``anyOf``: the document's models keep
no ``if``/``then``); the other actions need nothing more."""


def _action_rules() -> dict[str, Any]:
    branches: list[dict[str, Any]] = [
        {"properties": {"action": {"enum": [action]}, **needs}, "required": ["action", *needs]}
        for action, needs in _REQUIRES.items()
    ]
    free = [a for a in ACTIONS if a not in _REQUIRES and a not in SERVICE_ONLY]
    branches.append({"properties": {"action": {"enum": free}}})
    return {"anyOf": branches}


class OrderIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    estate: str = Field(pattern=SLUG)
    building: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$",
                          description="Building code, or `public` for a public area.")  # fmt: skip
    room: str = Field(default="", max_length=20, pattern=r"^[0-9A-Za-z-]*$",
                      description="Room (`1-1503`); empty for a public area.")  # fmt: skip
    place: str = Field(default="", max_length=100, description="Where in the public area.")
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION, pattern=r"\S",
                             description="What is wrong (not only spaces).")  # fmt: skip
    urgency: Literal["emergency", "normal"] = Field(
        default="normal", description="`emergency` (急修) counts for repairs only."
    )
    category: Category = Field(default="", description="Repairs: what needs repairing "
                               "(empty: `other`); ignored for the other kinds.")  # fmt: skip
    preferred_time: str = Field(default="", max_length=100, description="e.g. 今天下午, 周末上午")
    contact_name: str = Field(default="", max_length=50)
    contact_phone: str = Field(default="", max_length=32,
                               json_schema_extra={"pattern": OPTIONAL_PHONE_PATTERN})  # fmt: skip
    photos: list[Annotated[str, Field(pattern=PHOTO_KEY)]] = Field(
        default_factory=list,
        max_length=MAX_PHOTOS,
        description="Keys from `POST /api/orders/photos`, once uploaded.",
    )
    channel: Literal["online", "phone", "walk_in", "patrol"] = Field(
        default="online",
        description="Staff: how it came in (phone, walk_in, patrol; "
        "`online` is recorded as `phone`). An owner's order is always `online`.",
    )
    owner_phone: str = Field(default="", max_length=32,
                             description="Staff: the owner this order is made for (their mobile "
                             "number); the order then shows in their list.",
                             json_schema_extra={"pattern": OPTIONAL_PHONE_PATTERN})  # fmt: skip
    request_id: str = Field(default="", max_length=64, pattern=r"^([A-Za-z0-9_-]{8,64})?$",
                            description="The client's own id: a retry returns the same order.")  # fmt: skip


assert set(CHANNELS) == {"online", "phone", "walk_in", "patrol"}
assert set(URGENCIES) == {"emergency", "normal"}


Action = Literal["acknowledge", "dispatch", "arrive", "resolve", "sign_off", "reopen", "close",
                 "invalid", "park", "hand_over", "feedback", "note", "quote", "answer_price"]  # fmt: skip
assert set(Action.__args__) == set(ACTIONS) - SERVICE_ONLY  # type: ignore[attr-defined]


Rating = Annotated[int, Field(ge=1, le=5), JSON_INTEGER]
Fen = Annotated[int, Field(gt=0, le=10_000_000), JSON_INTEGER]
"""JSON integers (``5`` and ``5.0``; not ``"5"`` nor ``true``), their bounds in the document."""


class ActionIn(ApiModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_action_rules())

    action: Action = Field(description="A row of the transition table (what each needs: the "
                           "schema's `anyOf`).")  # fmt: skip
    note: str = Field(default="", max_length=1000)
    assignee: str = Field(default="", max_length=50, description="dispatch: technician/department")
    to: str = Field(default="", max_length=64, description="hand_over: the colleague's username")
    rating: Rating | None = Field(default=None, description="sign_off: 1–5")
    fen: Fen | None = Field(default=None,
                                  description="quote: the price in fen (分)")  # fmt: skip
    answer: Literal["accepted", "declined", ""] = Field(default="", description="answer_price")

    def details(self) -> dict[str, str | int]:
        out: dict[str, str | int] = {
            "assignee": self.assignee,
            "to": self.to,
            "answer": self.answer,
        }
        if self.rating is not None:
            out["rating"] = self.rating
        if self.fen is not None:
            out["fen"] = self.fen
        return out


class OrderPath(ApiModel):
    estate: str = Field(pattern=SLUG)
    number: str = Field(pattern=NUMBER)


StateFilter = Literal["open", "submitted", "acknowledged", "dispatched", "on_site", "resolved",
                      "signed_off", "callback_done", "closed", "reopened", "invalid", "parked"]  # fmt: skip
assert set(StateFilter.__args__) == {"open", *STATES}  # type: ignore[attr-defined]


class ListQuery(ApiModel):
    estate: str = Field(pattern=SLUG)
    state: StateFilter = Field(default="open", description="`open`, or one state")


class DeadlineOut(ApiModel):
    stage: str
    due_at: str
    done_at: str
    status: Literal["met", "breached", "pending"]


class EventOut(ApiModel):
    at: str
    actor: str
    action: str
    state: str
    note: str
    internal: bool
    details: dict[str, str]


class HandoverOut(ApiModel):
    to: str
    to_name: str = Field(description="The colleague's display name (empty: unknown).")
    by: str
    by_name: str
    at: str
    note: str


class PriceOut(ApiModel):
    fen: int
    yuan: str = Field(description="For display: `80.00`.")
    note: str
    answer: str


class OrderOut(ApiModel):
    number: str
    estate: str
    kind: str
    category: str
    building: str
    room: str
    place: str
    description: str
    urgency: str
    channel: str
    state: str
    created_at: str
    contact_name: str
    contact_phone: str = Field(description="Masked unless the caller may call the owner.")
    preferred_time: str
    photos: int = Field(description="How many photos the order has.")
    responsible: str = Field(description="The username of the staff member who owns it.")
    responsible_name: str = Field(description="Their display name (empty: unknown).")
    chain: list[HandoverOut]
    assignee: str
    reached: dict[str, str]
    deadlines: list[DeadlineOut]
    escalation_level: int
    price: PriceOut | None
    rating: int
    reopen_count: int
    reason: str = Field(description="Why it is invalid, or the reply to a parked suggestion.")
    actions: list[str] = Field(description="What the caller may do now.")

    @classmethod
    def of(cls, order: WorkOrder, identity: Identity, now: object, tz: str,
           names: Mapping[str, str] | None = None) -> OrderOut:  # fmt: skip
        """``names``: staff display names by username (:func:`staff_of`)."""
        from datetime import datetime

        assert isinstance(now, datetime)
        known = names or {}

        def name(username: str) -> str:
            return known.get(username, "")

        phone = order.contact_phone
        shown = phone if sees_phone(identity, order.owner_id, order.estate) else mask(phone)
        mine = [a for a in allowed_actions(order.state, order.kind)
                if _may_try(identity, a, order)]  # fmt: skip
        return cls(
            number=order.number, estate=order.estate, kind=order.kind, category=order.category,
            building=order.location.building, room=order.location.room,
            place=order.location.place, description=order.description, urgency=order.urgency,
            channel=order.channel, state=order.state, created_at=order.created_at,
            contact_name=order.contact_name, contact_phone=shown if phone else "",
            preferred_time=order.preferred_time, photos=len(order.photos),
            responsible=order.responsible, responsible_name=name(order.responsible),
            chain=[HandoverOut(to=h.to, to_name=name(h.to), by=h.by, by_name=name(h.by), at=h.at,
                               note=h.note) for h in order.chain],
            assignee=order.assignee, reached=order.reached,
            deadlines=[DeadlineOut(**d.__dict__) for d in deadlines(order, now, tz)],
            escalation_level=order.escalation_level,
            price=PriceOut(fen=order.price.fen, yuan=f"{order.price.fen // 100}.{order.price.fen % 100:02d}",
                           note=order.price.note, answer=order.price.answer)
            if order.price else None,
            rating=order.rating, reopen_count=order.reopen_count, reason=order.reason,
            actions=mine,
        )  # fmt: skip


def staff_of(orders: Iterable[WorkOrder]) -> set[str]:
    """Every staff username the orders' answers show (responsible, the chain)."""
    return {u for o in orders for u in (o.responsible, *(x for h in o.chain for x in (h.to, h.by)))
            if u}  # fmt: skip


def _may_try(identity: Identity, action: str, order: WorkOrder) -> bool:
    move = find(action, order.state, order.kind)
    if move is None or action in SERVICE_ONLY:
        return False
    if action == "answer_price" and (order.price is None or order.price.answer):
        return False  # nothing quoted, or answered already
    return move.who == "any" or (move.who == "owner") == identity.is_owner


class OrderDetail(ApiModel):
    order: OrderOut
    history: list[EventOut]
    photo_urls: list[str] = Field(description="Short-lived (5 minutes) links to the photos.")

    @staticmethod
    def events(events: list[Event]) -> list[EventOut]:
        return [EventOut(at=e.at, actor=e.actor, action=e.action, state=e.state, note=e.note,
                         internal=e.internal, details=e.details) for e in events]  # fmt: skip


class OrderList(ApiModel):
    items: list[OrderOut]


class QueueOut(ApiModel):
    new: list[OrderOut]
    breached: list[OrderOut]
    due_soon: list[OrderOut]
    escalated: list[OrderOut]
    mine: list[OrderOut]


class PhotoOfferIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic"]
    size: Annotated[int, Field(ge=1, le=10 * 1024 * 1024), JSON_INTEGER] = Field(
        description="Bytes of the photo.")


class PhotoOfferOut(ApiModel):
    url: str = Field(description="POST the form here: `fields`, then the file as `file`, last.")
    fields: dict[str, str]
    key: str = Field(description="Send this key in the order's `photos` once uploaded.")
    max_bytes: int
    expires_in: int
