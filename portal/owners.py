"""Owners and their units (业主与房屋绑定).

An owner is one person with one mainland mobile number, bound to one or more
units with a relationship (owner, family member, tenant). The owner id is
derived from the phone's keyed hash, so a phone finds its owner with one
GetItem and the phone is never a readable key. Bindings are stored twice (on
the owner, to list my units; on the estate, to list a unit's residents), always
written together in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.auth.identity import RELATIONSHIPS, Identity, Relationship, UnitRef
from portal.phones import mask, phone_hash
from portal.store import keys


def owner_id_for(phone: str, key: bytes) -> str:
    return phone_hash(phone, key)[:32]


@dataclass(frozen=True)
class Binding:
    unit: UnitRef
    move_in_date: str = ""  # 入伙日期, ISO date
    occupancy: str = ""  # moved_in | decorated_not_moved_in | not_decorated


@dataclass(frozen=True)
class Owner:
    owner_id: str
    name: str
    phone: str
    bindings: tuple[Binding, ...] = field(default=())

    @property
    def units(self) -> tuple[UnitRef, ...]:
        return tuple(b.unit for b in self.bindings)

    @property
    def masked_phone(self) -> str:
        return mask(self.phone)

    def identity(self) -> Identity:
        return Identity(
            kind="owner",
            user_id=self.owner_id,
            roles=frozenset({"owner"}),
            name=self.name,
            estates=frozenset(u.estate for u in self.units),
            units=self.units,
        )


def _s(item: dict[str, Any], name: str) -> str:
    v = item.get(name)
    return str(v["S"]) if v and "S" in v else ""


class OwnerRepo:
    def __init__(self, client: Any, table: str, phone_key: bytes) -> None:
        self.client, self.table, self.phone_key = client, table, phone_key

    def get(self, owner_id: str) -> Owner | None:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.owner_partition(owner_id)}},
            "ConsistentRead": True,
        }
        while True:
            page = self.client.query(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        meta = next((i for i in items if i["sk"]["S"] == "META"), None)
        if meta is None:
            return None
        bindings = []
        for it in items:
            if not it["sk"]["S"].startswith(keys.OWNER_UNITS_PREFIX):
                continue
            rel = _s(it, "relationship")
            relationship: Relationship = rel if rel in RELATIONSHIPS else "owner"
            bindings.append(
                Binding(
                    UnitRef(_s(it, "estate"), _s(it, "building"), _s(it, "room"), relationship),
                    move_in_date=_s(it, "move_in_date"),
                    occupancy=_s(it, "occupancy"),
                )
            )
        return Owner(owner_id, _s(meta, "name"), _s(meta, "phone"), tuple(bindings))

    def by_phone(self, phone: str) -> Owner | None:
        """The owner with this (normalised) mobile number, if any."""
        return self.get(owner_id_for(phone, self.phone_key))

    def save(self, owner: Owner) -> None:
        """Write the owner and all their bindings (both sides) in one transaction."""
        name_items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {
                        **_key(keys.owner(owner.owner_id)),
                        "owner_id": {"S": owner.owner_id},
                        "name": {"S": owner.name},
                        "phone": {"S": owner.phone},
                    },
                }
            }
        ]
        for b in owner.bindings:
            u = b.unit
            attrs = {
                "owner_id": {"S": owner.owner_id},
                "estate": {"S": u.estate},
                "building": {"S": u.building},
                "room": {"S": u.room},
                "relationship": {"S": u.relationship},
                "move_in_date": {"S": b.move_in_date},
                "occupancy": {"S": b.occupancy},
            }
            for key in (
                keys.owner_unit(owner.owner_id, u.estate, u.building, u.room),
                keys.unit_resident(u.estate, u.building, u.room, owner.owner_id),
            ):
                name_items.append(
                    {"Put": {"TableName": self.table, "Item": {**_key(key), **attrs}}}
                )
        self.client.transact_write_items(TransactItems=name_items)


def _key(key: keys.Key) -> dict[str, Any]:
    return {k: {"S": v} for k, v in key.items()}
