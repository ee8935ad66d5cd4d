"""What a work order is: its kinds, categories, urgencies and channels, and its record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["repair", "complaint", "suggestion", "praise", "service"]
KINDS: tuple[Kind, ...] = ("repair", "complaint", "suggestion", "praise", "service")
NUMBER_PREFIX: dict[str, str] = {
    "repair": "BX",  # 报修
    "complaint": "TS",  # 投诉
    "suggestion": "JY",  # 建议
    "praise": "BY",  # 表扬
    "service": "FW",  # 服务
}
"""The first part of an order's number, by kind (``BX-20261122-0007``)."""

REPAIR_CATEGORIES: tuple[str, ...] = (
    "plumbing",  # 水路
    "electrical",  # 电路
    "doors_locks",  # 门窗锁具
    "walls_ceilings",  # 墙面天花
    "appliances",  # 设施设备
    "public_facilities",  # 公共设施
    "other",
)
Urgency = Literal["emergency", "normal"]  # 急修 / 零修
URGENCIES: tuple[Urgency, ...] = ("emergency", "normal")
Channel = Literal["online", "phone", "walk_in", "patrol"]
CHANNELS: tuple[Channel, ...] = ("online", "phone", "walk_in", "patrol")
"""How the order reached us: the owner's phone (online), a call, at the desk, found on patrol."""
MAX_PHOTOS = 6
ORDER_PHOTOS = "workorders"
"""The upload purpose of order photos (:data:`portal.uploads.keys.PURPOSES`)."""
MAX_DESCRIPTION = 1000
PUBLIC_AREA = "public"
"""The building of an order for a public area (公共区域) of the estate."""


@dataclass(frozen=True)
class Location:
    estate: str
    building: str  # a building code, or PUBLIC_AREA
    room: str = ""  # empty for a public area
    place: str = ""  # where in the public area (e.g. "3栋电梯厅")

    @property
    def is_public(self) -> bool:
        return self.building == PUBLIC_AREA


@dataclass(frozen=True)
class Price:
    """A paid service (有偿服务): the price is stated before work; the owner answers."""

    fen: int
    note: str = ""
    answer: Literal["", "accepted", "declined"] = ""


@dataclass(frozen=True)
class Handover:
    """One link of the first-ask chain: who took the order from whom, and when."""

    to: str
    by: str
    at: str
    note: str = ""


@dataclass(frozen=True)
class WorkOrder:
    number: str
    kind: Kind
    location: Location
    description: str
    urgency: Urgency
    channel: Channel
    created_at: str  # UTC ISO-8601
    created_by: str  # actor: owner:<id> or staff:<username>
    state: str = "submitted"
    version: int = 1
    category: str = ""
    owner_id: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    preferred_time: str = ""
    photos: tuple[str, ...] = ()
    responsible: str = ""  # the staff member who owns it (首问负责), a username
    chain: tuple[Handover, ...] = ()
    assignee: str = ""  # who it was dispatched to (a technician or a department)
    reached: dict[str, str] = field(default_factory=dict)
    """Stage → when it was first reached (acknowledged, dispatched, on_site, feedback, resolved,
    signed_off, callback_done, closed)."""
    escalation_level: int = 0
    escalate_at: str = ""
    ladder_from: str = ""  # when the ladder's days count from: submitted, or the last reopen
    price: Price | None = None
    rating: int = 0
    reopen_count: int = 0
    reason: str = ""  # why invalid, or the reply to a parked suggestion

    @property
    def estate(self) -> str:
        return self.location.estate

    @property
    def is_open(self) -> bool:
        from portal.workorders.transitions import FINAL_STATES

        return self.state not in FINAL_STATES


@dataclass(frozen=True)
class Event:
    """One line of an order's history: a transition or a note, who, when (UTC)."""

    at: str
    actor: str
    action: str
    state: str  # the state after it
    note: str = ""
    internal: bool = False  # staff-only: never shown to the owner
    details: dict[str, str] = field(default_factory=dict)
