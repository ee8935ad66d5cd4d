"""The owner profile of a unit (客户动态表): its tables, its record, and what "complete" means.

What the roster already holds is read from it, never copied: the residents (owner,
family, tenants bound to the unit, with name and phone), the handover date (入伙日期)
and the occupancy the roster gave. The profile keeps what staff add: the segment,
the move-in date (入住), other family members, the construction defects left over
from handover (工程遗留问题), and their own occupancy or handover date where the
roster's is missing or out of date (the profile's value wins; blank means the
roster's).

:data:`REQUIRED` is the one definition of a complete profile; it feeds the archive
completeness KPI (档案完好率 = complete profiles / units).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.accounts.owners import OCCUPANCIES, Binding

NOT_MOVED_IN: frozenset[str] = frozenset({"decorated_not_moved_in", "not_decorated"})
"""Occupancies that get the monthly not-moved-in callback (未入住业主回访)."""
assert set(OCCUPANCIES) >= NOT_MOVED_IN


@dataclass(frozen=True)
class Segment:
    name: str
    callback_every_days: int = 0  # a standing callback of its own every N days (0: none)


# fmt: off
SEGMENTS: tuple[Segment, ...] = (
    Segment("internal"),      # 内部客户: staff of the company who own a unit
    Segment("key"),           # 重点客户: e.g. owners' committee, media, frequent complainants
    Segment("quality"),       # 优质客户: supportive owners, pay on time
    Segment("general"),       # 一般客户
    Segment("dissatisfied", callback_every_days=14),  # 不满意客户: contacted every fortnight
)
# fmt: on
SEGMENT_NAMES: tuple[str, ...] = tuple(s.name for s in SEGMENTS)
DEFAULT_SEGMENT = "general"

MEMBER_RELATIONSHIPS: tuple[str, ...] = ("spouse", "child", "parent", "relative", "tenant",
                                         "other")  # fmt: skip
MAX_MEMBERS = 20
MAX_DEFECTS = 50
MAX_DEFECT = 200
MAX_NAME = 50


@dataclass(frozen=True)
class Member:
    """A family member or occupant staff recorded (residents with an account are on the roster)."""

    name: str
    relationship: str
    phone: str = ""
    birthday: str = ""  # ISO date (生日), "" = not recorded; greeted on it (portal.greetings)


@dataclass(frozen=True)
class Profile:
    """What staff keep about a unit (``version`` 0: nothing kept yet)."""

    estate: str
    building: str
    room: str
    occupancy: str = ""  # "" = the roster's
    segment: str = ""  # "" = not classified yet (treated as general)
    handover_date: str = ""  # 入伙, ISO date; "" = the roster's
    move_in_date: str = ""  # 入住, ISO date
    members: tuple[Member, ...] = ()
    defects: tuple[str, ...] = ()  # 工程遗留问题, free text
    version: int = 0
    updated_at: str = ""
    updated_by: str = ""


@dataclass(frozen=True)
class Resident:
    """A person bound to the unit on the roster (:mod:`portal.accounts.owners`)."""

    owner_id: str
    name: str
    phone: str
    relationship: str  # owner, family, tenant


@dataclass(frozen=True)
class Facts:
    """A unit's profile merged with its roster bindings: what the page and the KPI read."""

    profile: Profile
    residents: tuple[Resident, ...]
    occupancy: str
    segment: str
    handover_date: str
    move_in_date: str

    @property
    def missing(self) -> tuple[str, ...]:
        """The fields a complete profile needs that are not filled (see :data:`REQUIRED`)."""
        return tuple(r.field for r in REQUIRED if not r.filled(self))

    @property
    def complete(self) -> bool:
        return not self.missing


def facts(profile: Profile, bindings: list[Binding], residents: tuple[Resident, ...] = ()
          ) -> Facts:  # fmt: skip
    """The profile's own values, else the roster's (the owner's binding first)."""
    ordered = sorted(bindings, key=lambda b: b.unit.relationship != "owner")
    roster_occupancy = next((b.occupancy for b in ordered if b.occupancy), "")
    roster_handover = next((b.move_in_date for b in ordered if b.move_in_date), "")
    if not residents:
        residents = tuple(Resident("", "", "", b.unit.relationship) for b in bindings)
    return Facts(
        profile=profile, residents=residents,
        occupancy=profile.occupancy or roster_occupancy,
        segment=profile.segment or DEFAULT_SEGMENT,
        handover_date=profile.handover_date or roster_handover,
        move_in_date=profile.move_in_date,
    )  # fmt: skip


@dataclass(frozen=True)
class Requirement:
    field: str
    filled: Callable[[Facts], bool]


# fmt: off
REQUIRED: tuple[Requirement, ...] = (
    Requirement("owner", lambda f: any(r.relationship == "owner" for r in f.residents)),
    Requirement("occupancy", lambda f: f.occupancy in OCCUPANCIES),
    Requirement("segment", lambda f: bool(f.profile.segment)),  # classified by staff
    Requirement("handover_date", lambda f: bool(f.handover_date)),
    Requirement("move_in_date", lambda f: f.occupancy != "moved_in" or bool(f.move_in_date)),
)
# fmt: on
"""A complete profile (完整档案): an owner on the roster, the occupancy, a segment staff chose,
the handover date, and the move-in date once moved in. Defects and members may be empty."""
