"""Owners and their units (业主与房屋绑定).

An owner is one person with one mainland mobile number, bound to one or more
units with a relationship (owner, family member, tenant). The owner id is
derived from the phone's keyed hash, so a phone finds its owner with one
GetItem and the phone is never a readable key. Bindings are stored twice (on
the owner, to list my units; on the estate, to list a unit's residents), always
written together in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from portal.accounts.identity import RELATIONSHIPS, Identity, Relationship, UnitRef
from portal.errors import Conflict
from portal.phones import mask, phone_hash
from portal.store import keys
from portal.store.conditions import condition
from portal.store.errors import TransactionCancelled
from portal.store.items import Item, text
from portal.store.table import MAX_TRANSACTION_ITEMS, Operation, Put, Table, Update

OCCUPANCIES: tuple[str, ...] = ("moved_in", "decorated_not_moved_in", "not_decorated")
"""A unit's occupancy as the roster and the owner profile record it (入住状态)."""


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


OWNER_IS_NEW = condition("owner_is_new", "attribute_not_exists(pk)")
"""A new owner's profile is created only if nobody created it meanwhile."""

NAME_STILL_BLANK = condition(
    "name_still_blank",
    "attribute_exists(pk) AND (attribute_not_exists(#name) OR #name = :blank)",
    names={"#name": "name"},
    blank="",
)
"""A name on file is never overwritten by an import."""


def _profile(owner_id: str, name: str, phone: str) -> Item:
    return {**keys.owner(owner_id), "owner_id": owner_id, "name": name, "phone": phone}


def _binding_attributes(owner_id: str, b: Binding) -> Item:
    u = b.unit
    return {
        "owner_id": owner_id,
        "estate": u.estate,
        "building": u.building,
        "room": u.room,
        "relationship": u.relationship,
        "move_in_date": b.move_in_date,
        "occupancy": b.occupancy,
    }


def _binding_keys(owner_id: str, u: UnitRef) -> tuple[keys.Key, keys.Key]:
    """The two sides of a binding: on the owner (my units), on the estate (a unit's residents)."""
    return (
        keys.owner_unit(owner_id, u.estate, u.building, u.room),
        keys.unit_resident(u.estate, u.building, u.room, owner_id),
    )


class OwnerRepository:
    def __init__(self, table: Table, phone_key: bytes) -> None:
        self.table, self.phone_key = table, phone_key

    def get(self, owner_id: str) -> Owner | None:
        items = self.table.query_all(keys.owner_partition(owner_id), consistent=True)
        meta = next((i for i in items if i["sk"] == keys.META), None)
        if meta is None:
            return None
        bindings = tuple(_binding_from(it) for it in items if keys.is_owner_unit(it["sk"]))
        return Owner(owner_id, text(meta, "name"), text(meta, "phone"), bindings)

    def residents(self, estate: str, building: str | None = None) -> list[tuple[str, Binding]]:
        """``(owner id, binding)`` of every resident of an estate (or one building): one paged
        query of the bindings' unit side."""
        items = self.table.query_all(keys.estate_partition(estate),
                                     prefix=keys.residents_prefix(building))  # fmt: skip
        return [(text(i, "owner_id"), _binding_from(i)) for i in items]

    def of_unit(self, estate: str, building: str, room: str) -> list[tuple[Owner, Binding]]:
        """The residents of one unit with their names and phones (one query, one batch read)."""
        items = self.table.query_all(keys.estate_partition(estate),
                                     prefix=keys.resident_prefix(building, room))  # fmt: skip
        bindings = [(text(i, "owner_id"), _binding_from(i)) for i in items]
        people = self.many(o for o, _ in bindings)
        return [(people[o], b) for o, b in bindings if o in people]

    def many(self, owner_ids: Iterable[str]) -> dict[str, Owner]:
        """Owners by id, name and phone only (no bindings): batch reads of their profiles."""
        got = self.table.batch_get([keys.owner(o) for o in dict.fromkeys(owner_ids)])
        return {keys.owner_of(m["pk"]): Owner(keys.owner_of(m["pk"]), text(m, "name"),
                                              text(m, "phone")) for m in got}  # fmt: skip

    def by_phone(self, phone: str) -> Owner | None:
        """The owner with this (normalised) mobile number, if any."""
        return self.get(owner_id_for(phone, self.phone_key))

    def save(self, owner: Owner) -> None:
        """Write the owner and all their bindings (both sides) in one transaction."""
        ops: list[Operation] = [Put(_profile(owner.owner_id, owner.name, owner.phone))]
        for b in owner.bindings:
            attrs = _binding_attributes(owner.owner_id, b)
            ops += [Put({**key, **attrs}) for key in _binding_keys(owner.owner_id, b.unit)]
        self.table.transact(ops)

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
        for item in self.table.batch_get(wanted):
            owner_id = keys.owner_of(item["pk"])
            if item["sk"] == keys.META:
                names[owner_id] = text(item, "name")
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
        batch: list[Operation] = []
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

    def _change_ops(self, change: OwnerChange) -> list[Operation]:
        ops: list[Operation] = []
        if change.create:
            ops.append(Put(_profile(change.owner_id, change.name, change.phone), OWNER_IS_NEW))
        elif change.set_name:
            name = {"name": change.name}
            ops.append(Update(keys.owner(change.owner_id), set=name, condition=NAME_STILL_BLANK))
        for b in change.bindings:
            attrs = _binding_attributes(change.owner_id, b)
            ops += [Update(key, set=attrs) for key in _binding_keys(change.owner_id, b.unit)]
        return ops

    def _transact(self, ops: list[Operation]) -> None:
        try:
            self.table.transact(ops)
        except TransactionCancelled as exc:
            if exc.failed & {OWNER_IS_NEW.name, NAME_STILL_BLANK.name}:
                raise Conflict("owner_changed") from exc
            raise


def _binding_from(item: Item) -> Binding:
    rel = text(item, "relationship")
    relationship: Relationship = rel if rel in RELATIONSHIPS else "owner"
    return Binding(
        UnitRef(text(item, "estate"), text(item, "building"), text(item, "room"), relationship),
        move_in_date=text(item, "move_in_date"),
        occupancy=text(item, "occupancy"),
    )
