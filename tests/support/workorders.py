"""Work-order test data: identities, a typical repair, the owner's unit (shared by suites)."""

from __future__ import annotations

from portal.accounts.identity import Identity, UnitRef
from portal.workorders.model import Location
from portal.workorders.service import NewOrder

UNIT = ("lanting", "2", "1-1503")


def owner_identity(user_id: str = "o" * 32, *units: tuple[str, str, str]) -> Identity:
    refs = tuple(UnitRef(e, b, r) for e, b, r in (units or (UNIT,)))
    return Identity(kind="owner", user_id=user_id, roles=frozenset({"owner"}), name="王芳",
                    estates=frozenset(u.estate for u in refs), units=refs)  # fmt: skip


def staff_identity(username: str, *roles: str, estates: tuple[str, ...] = ("lanting",),
                   buildings: dict[str, frozenset[str]] | None = None) -> Identity:  # fmt: skip
    return Identity(kind="staff", user_id=username, roles=frozenset(roles), name=username,
                    estates=frozenset(estates), buildings=buildings or {})  # fmt: skip


def repair(description: str = "厨房水管漏水，滴到楼下", urgency: str = "normal",
           unit: tuple[str, str, str] = UNIT) -> NewOrder:  # fmt: skip
    return NewOrder(kind="repair", location=Location(*unit), description=description,
                    urgency=urgency, category="plumbing", preferred_time="今天下午")  # fmt: skip


ORDER = {"kind": "repair", "estate": "lanting", "building": "2", "room": "1-1503",
         "description": "厨房水管漏水，滴到楼下", "category": "plumbing",
         "contact_name": "王芳", "contact_phone": "13800138000",
         "preferred_time": "今天下午"}  # fmt: skip
"""The body of ``POST /api/orders`` for that repair."""
