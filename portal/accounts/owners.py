"""Owners and their units (业主与房屋绑定).

An owner is one person with one mainland mobile number, bound to one or more
units with a relationship (owner, family member, tenant). The owner id is
derived from the phone's keyed hash, so a phone finds its owner with one
GetItem and the phone is never a readable key. Bindings are stored twice (on
the owner, to list my units; on the estate, to list a unit's residents), always
written together in one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from portal.accounts.identity import RELATIONSHIPS, Identity, Relationship, UnitRef
from portal.errors import Conflict, Unavailable
from portal.phones import mask, phone_hash
from portal.store import keys
from portal.store.conditions import CHECK_FAILED, cancellation_reasons


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


BindingKey = tuple[str, str, str, str]
"""``(owner id, estate, building, room)``: one binding."""

MAX_TRANSACTION_ITEMS = 100
"""DynamoDB's limit of items in one ``TransactWriteItems`` call."""

BATCH_GET_KEYS = 100
"""DynamoDB's limit of keys in one ``BatchGetItem`` call."""


@dataclass(frozen=True)
class OwnerSnapshot:
    """What is stored for a set of owners and bindings (read in bulk, e.g. by the roster import)."""

    names: dict[str, str] = field(default_factory=dict)
    """Owner id → stored name, for the owners that exist."""
    bindings: dict[BindingKey, Binding] = field(default_factory=dict)
    """The bindings that exist among those asked for."""


@dataclass(frozen=True)
class OwnerChange:
    """A bulk write to one owner: only what changes (see :meth:`OwnerRepo.apply`)."""

    owner_id: str
    phone: str
    name: str
    create: bool = False
    """A new owner: put the profile, which must not exist yet."""
    set_name: bool = False
    """An existing owner stored without a name: set ``name`` (only while still blank)."""
    bindings: tuple[Binding, ...] = ()
    """Bindings to create or update, both sides; attributes not named here are kept."""


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

    # --- bulk reads and writes (the roster import) ---------------------------------------

    def snapshot(
        self, owner_ids: Iterable[str], bindings: Iterable[tuple[str, UnitRef]]
    ) -> OwnerSnapshot:
        """The stored profiles of ``owner_ids`` and which of ``bindings`` exist (BatchGetItem)."""
        wanted: list[keys.Key] = [keys.owner(o) for o in dict.fromkeys(owner_ids)]
        pairs = dict.fromkeys((o, u.estate, u.building, u.room) for o, u in bindings)
        wanted += [keys.owner_unit(*pair) for pair in pairs]
        names: dict[str, str] = {}
        found: dict[BindingKey, Binding] = {}
        prefix = keys.owner_partition("")
        for item in self._batch_get(wanted):
            owner_id = item["pk"]["S"].removeprefix(prefix)
            if item["sk"]["S"] == "META":
                names[owner_id] = _s(item, "name")
            else:
                b = _binding_from(item)
                found[(owner_id, b.unit.estate, b.unit.building, b.unit.room)] = b
        return OwnerSnapshot(names, found)

    def apply(self, changes: Sequence[OwnerChange], max_items: int = MAX_TRANSACTION_ITEMS) -> int:
        """Write ``changes`` in transactions of at most ``max_items`` items; return how many.

        An owner's profile and bindings share one transaction whenever they fit, the
        profile first, so a binding is never stored without its owner. Across owners
        the writes are not atomic: if a later transaction fails, earlier ones stay
        written (every write is idempotent, so running the same changes again completes
        them). A new owner created meanwhile by someone else cancels the transaction
        with ``Conflict("owner_changed")``.
        """
        if not 1 <= max_items <= MAX_TRANSACTION_ITEMS:
            raise ValueError(f"max_items must be 1..{MAX_TRANSACTION_ITEMS}")
        transactions = 0
        batch: list[dict[str, Any]] = []
        for change in changes:
            ops = self._change_ops(change)
            if batch and len(batch) + len(ops) > max_items:
                self._transact(batch)
                transactions, batch = transactions + 1, []
            while len(ops) > max_items:
                self._transact(ops[:max_items])
                transactions, ops = transactions + 1, ops[max_items:]
            batch += ops
        if batch:
            self._transact(batch)
            transactions += 1
        return transactions

    def _change_ops(self, change: OwnerChange) -> list[dict[str, Any]]:
        ops: list[dict[str, Any]] = []
        if change.create:
            ops.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": {
                            **_key(keys.owner(change.owner_id)),
                            "owner_id": {"S": change.owner_id},
                            "name": {"S": change.name},
                            "phone": {"S": change.phone},
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",  # owner_is_new
                    }
                }
            )
        elif change.set_name:
            ops.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": _key(keys.owner(change.owner_id)),
                        "UpdateExpression": "SET #name = :name",
                        "ConditionExpression": "attribute_exists(pk) AND "
                        "(attribute_not_exists(#name) OR #name = :blank)",  # name_still_blank
                        "ExpressionAttributeNames": {"#name": "name"},
                        "ExpressionAttributeValues": {
                            ":name": {"S": change.name},
                            ":blank": {"S": ""},
                        },
                    }
                }
            )
        for b in change.bindings:
            u = b.unit
            attrs = {
                "owner_id": change.owner_id,
                "estate": u.estate,
                "building": u.building,
                "room": u.room,
                "relationship": u.relationship,
                "move_in_date": b.move_in_date,
                "occupancy": b.occupancy,
            }
            names = {f"#a{i}": name for i, name in enumerate(attrs)}
            values = {f":a{i}": {"S": v} for i, v in enumerate(attrs.values())}
            update = "SET " + ", ".join(f"#a{i} = :a{i}" for i in range(len(attrs)))
            for key in (
                keys.owner_unit(change.owner_id, u.estate, u.building, u.room),
                keys.unit_resident(u.estate, u.building, u.room, change.owner_id),
            ):
                ops.append(
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": _key(key),
                            "UpdateExpression": update,
                            "ExpressionAttributeNames": names,
                            "ExpressionAttributeValues": values,
                        }
                    }
                )
        return ops

    def _transact(self, ops: list[dict[str, Any]]) -> None:
        try:
            self.client.transact_write_items(TransactItems=ops)
        except ClientError as exc:
            if CHECK_FAILED in (cancellation_reasons(exc) or []):
                raise Conflict("owner_changed") from exc
            raise

    def _batch_get(self, wanted: Sequence[keys.Key]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start in range(0, len(wanted), BATCH_GET_KEYS):
            request: dict[str, Any] = {
                self.table: {
                    "Keys": [_key(k) for k in wanted[start : start + BATCH_GET_KEYS]],
                    "ConsistentRead": True,
                }
            }
            for attempt in range(6):
                page = self.client.batch_get_item(RequestItems=request)
                out += page.get("Responses", {}).get(self.table, [])
                request = page.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(0.05 * 2**attempt)  # throttled: back off (never on moto)
            else:
                raise Unavailable()
        return out


def _binding_from(item: dict[str, Any]) -> Binding:
    rel = _s(item, "relationship")
    relationship: Relationship = rel if rel in RELATIONSHIPS else "owner"
    return Binding(
        UnitRef(_s(item, "estate"), _s(item, "building"), _s(item, "room"), relationship),
        move_in_date=_s(item, "move_in_date"),
        occupancy=_s(item, "occupancy"),
    )


def _key(key: keys.Key) -> dict[str, Any]:
    return {k: {"S": v} for k, v in key.items()}
