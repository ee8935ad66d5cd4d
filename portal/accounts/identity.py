"""An authenticated identity: who is asking, with which roles, over which scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["owner", "staff"]
Relationship = Literal["owner", "family", "tenant"]
RELATIONSHIPS: tuple[Relationship, ...] = ("owner", "family", "tenant")


@dataclass(frozen=True)
class UnitRef:
    estate: str
    building: str
    room: str
    relationship: Relationship = "owner"

    @property
    def unit_id(self) -> str:
        return f"{self.estate}/{self.building}/{self.room}"


@dataclass(frozen=True)
class Identity:
    kind: Kind
    user_id: str  # owner id (from the phone's keyed hash) or staff username
    roles: frozenset[str]
    name: str = ""
    estates: frozenset[str] = frozenset()
    buildings: dict[str, frozenset[str]] = field(default_factory=dict)  # estate → buildings
    units: tuple[UnitRef, ...] = ()

    @property
    def is_owner(self) -> bool:
        return self.kind == "owner"

    def __hash__(self) -> int:
        return hash((self.kind, self.user_id))
