"""Staff accounts (员工账号): the account, the inputs that create and change one, its item."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.accounts.identity import Identity
from portal.phones import mask
from portal.store import keys
from portal.store.items import Item, flag, strings, text, whole


@dataclass(frozen=True)
class StaffAccount:
    username: str
    name: str
    roles: frozenset[str]
    estates: frozenset[str] = frozenset()
    buildings: dict[str, frozenset[str]] = field(default_factory=dict)
    phone: str = ""
    password_hash: str = ""
    disabled: bool = False
    must_change_password: bool = False
    version: int = 0
    created_at: str = ""
    updated_at: str = ""

    @property
    def masked_phone(self) -> str:
        return mask(self.phone) if self.phone else ""

    def identity(self) -> Identity:
        return Identity(
            kind="staff",
            user_id=self.username,
            roles=self.roles,
            name=self.name,
            estates=self.estates,
            buildings=dict(self.buildings),
        )


@dataclass(frozen=True)
class NewStaff:
    username: str
    name: str
    roles: tuple[str, ...]
    password: str
    estates: tuple[str, ...] = ()
    buildings: Mapping[str, Iterable[str]] = field(default_factory=dict)
    phone: str = ""
    must_change_password: bool = True
    """An admin chose the password: the person must replace it at first sign-in."""


@dataclass(frozen=True)
class StaffChanges:
    """A partial update: ``None`` leaves a field as it is (``phone=""`` removes the phone)."""

    name: str | None = None
    phone: str | None = None
    roles: tuple[str, ...] | None = None
    estates: tuple[str, ...] | None = None
    buildings: Mapping[str, Iterable[str]] | None = None
    disabled: bool | None = None


def account_from_item(item: Item) -> StaffAccount:
    raw: Any = item.get("buildings") or {}
    buildings = {e: frozenset(v) for e, v in raw.items()} if isinstance(raw, dict) else {}
    return StaffAccount(
        username=text(item, "username"),
        name=text(item, "name"),
        roles=strings(item, "roles"),
        estates=strings(item, "estates"),
        buildings=buildings,
        phone=text(item, "phone"),
        password_hash=text(item, "password_hash"),
        disabled=flag(item, "disabled"),
        must_change_password=flag(item, "must_change_password"),
        version=whole(item, "version"),
        created_at=text(item, "created_at"),
        updated_at=text(item, "updated_at"),
    )


def item_from_account(a: StaffAccount) -> Item:
    return {
        **keys.staff(a.username),
        **keys.staff_index(a.username),
        "username": a.username,
        "name": a.name,
        "phone": a.phone,
        "password_hash": a.password_hash,
        "disabled": a.disabled,
        "must_change_password": a.must_change_password,
        "version": a.version,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "buildings": {e: frozenset(b) for e, b in a.buildings.items() if b},
        # Empty sets are left out by the codec (DynamoDB cannot store them).
        "roles": frozenset(a.roles),
        "estates": frozenset(a.estates),
    }
