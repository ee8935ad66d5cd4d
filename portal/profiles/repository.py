"""Profiles in the store: one item per unit in the estate's partition (so an estate's
profiles are one paged query, for the archive KPI), and one history line per change in
the unit's own log partition, written in the same transaction (keys in
:mod:`portal.store.keys`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.profiles.model import Member, Profile
from portal.store import keys, service_keys
from portal.store.conditions import ITEM_IS_NEW, Condition, condition
from portal.store.items import Item, text, whole
from portal.store.table import Put, Table


def still_version(version: int) -> Condition:
    """Nobody changed the profile since it was read (a first save: nobody made one)."""
    if version == 0:
        return ITEM_IS_NEW
    return condition("profile_unchanged", "version = :v", v=version)


class ProfileRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, estate: str, building: str, room: str) -> Profile:
        """The unit's profile (an empty one, version 0, if none was kept yet)."""
        item = self.table.get(service_keys.unit_profile(estate, building, room))
        return profile_of(item) if item else Profile(estate, building, room)

    def of_estate(self, estate: str) -> dict[tuple[str, str], Profile]:
        """Every kept profile of an estate by ``(building, room)``: one paged query."""
        items = self.table.query_all(keys.estate_partition(estate), prefix=service_keys.PROFILES_PREFIX)
        return {(p.building, p.room): p for p in map(profile_of, items)}

    def save(self, profile: Profile, read_version: int, changes: Mapping[str, Any]) -> None:
        """``profile`` (version moved on) and its history line, if unchanged since read."""
        line = {
            **service_keys.profile_log(profile.estate, profile.building, profile.room,
                               profile.updated_at, profile.version),
            "type": "profile_change", "at": profile.updated_at, "actor": profile.updated_by,
            "version": profile.version, "changes": dict(changes),
        }  # fmt: skip
        self.table.transact([Put(item_of(profile), still_version(read_version)), Put(line)])

    def history(self, estate: str, building: str, room: str, limit: int = 100
                ) -> list[Item]:  # fmt: skip
        """The unit's change lines, newest first (at, actor, changes: field → [old, new])."""
        return self.table.query_all(service_keys.profile_log_partition(estate, building, room),
                                    forward=False, limit=limit)  # fmt: skip


def item_of(p: Profile) -> Item:
    return {
        **service_keys.unit_profile(p.estate, p.building, p.room), "type": "profile",
        "estate": p.estate, "building": p.building, "room": p.room,
        "occupancy": p.occupancy, "segment": p.segment, "handover_date": p.handover_date,
        "move_in_date": p.move_in_date,
        "members": [{"name": m.name, "relationship": m.relationship, "phone": m.phone,
                     **({"birthday": m.birthday} if m.birthday else {})}
                    for m in p.members],
        "defects": list(p.defects), "version": p.version, "updated_at": p.updated_at,
        "updated_by": p.updated_by,
    }  # fmt: skip


def profile_of(item: Item) -> Profile:
    return Profile(
        estate=text(item, "estate"), building=text(item, "building"), room=text(item, "room"),
        occupancy=text(item, "occupancy"), segment=text(item, "segment"),
        handover_date=text(item, "handover_date"), move_in_date=text(item, "move_in_date"),
        members=tuple(Member(text(m, "name"), text(m, "relationship"), text(m, "phone"),
                             text(m, "birthday"))
                      for m in item.get("members") or () if isinstance(m, dict)),
        defects=tuple(str(d) for d in item.get("defects") or ()),
        version=whole(item, "version"), updated_at=text(item, "updated_at"),
        updated_by=text(item, "updated_by"),
    )  # fmt: skip
