"""Staff, finance and admin accounts (员工账号).

Each account has roles from the policy table and a scope: the estates it
works in and, optionally per estate, the buildings (a butler usually looks
after a few buildings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.auth.identity import Identity
from portal.phones import mask
from portal.store import keys


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


def account_from_item(item: dict[str, Any]) -> StaffAccount:
    def s(name: str) -> str:
        v = item.get(name)
        return str(v["S"]) if v and "S" in v else ""

    def ss(name: str) -> frozenset[str]:
        v = item.get(name)
        return frozenset(v["SS"]) if v and "SS" in v else frozenset()

    buildings: dict[str, frozenset[str]] = {}
    raw = item.get("buildings", {}).get("M", {})
    for estate, v in raw.items():
        buildings[estate] = frozenset(v.get("SS", ()))
    return StaffAccount(
        username=s("username"),
        name=s("name"),
        roles=ss("roles"),
        estates=ss("estates"),
        buildings=buildings,
        phone=s("phone"),
        password_hash=s("password_hash"),
        disabled=bool(item.get("disabled", {}).get("BOOL", False)),
    )


class StaffRepo:
    def __init__(self, client: Any, table: str) -> None:
        self.client, self.table = client, table

    def get(self, username: str) -> StaffAccount | None:
        got = self.client.get_item(
            TableName=self.table,
            Key={k: {"S": v} for k, v in keys.staff(username).items()},
            ConsistentRead=True,
        )
        item = got.get("Item")
        return account_from_item(item) if item else None

    def put(self, account: StaffAccount) -> None:
        """Create or replace an account (staff management adds conditions and audit)."""
        self.client.put_item(TableName=self.table, Item=item_from_account(account))


def item_from_account(a: StaffAccount) -> dict[str, Any]:
    item: dict[str, Any] = {
        **{k: {"S": v} for k, v in keys.staff(a.username).items()},
        "gsi1pk": {"S": keys.STAFF_INDEX},
        "gsi1sk": {"S": a.username},
        "username": {"S": a.username},
        "name": {"S": a.name},
        "phone": {"S": a.phone},
        "password_hash": {"S": a.password_hash},
        "disabled": {"BOOL": a.disabled},
        "buildings": {"M": {e: {"SS": sorted(b)} for e, b in a.buildings.items() if b}},
    }
    # DynamoDB string sets cannot be empty: leave the attribute out instead.
    if a.roles:
        item["roles"] = {"SS": sorted(a.roles)}
    if a.estates:
        item["estates"] = {"SS": sorted(a.estates)}
    return item
