"""Work-order fixtures: the service on moto, an owner of lanting 2-1-1503, staff identities."""

from __future__ import annotations

from typing import Any

import pytest

from portal.accounts.identity import Identity, UnitRef
from portal.wiring import Services
from portal.workorders.model import Location
from portal.workorders.service import NewOrder, WorkOrderService
from tests.factories import make_staff

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


@pytest.fixture
def orders(services: Services) -> WorkOrderService:
    return services.work_orders


@pytest.fixture
def owner() -> Identity:
    return owner_identity()


@pytest.fixture
def butler(services: Services, ddb: Any) -> Identity:
    make_staff(ddb, services.settings, "li.butler", "butler", estates=("lanting",))
    return staff_identity("li.butler", "butler")


@pytest.fixture
def desk(services: Services, ddb: Any) -> Identity:
    make_staff(ddb, services.settings, "zhao.desk", "front_desk", estates=("lanting",))
    return staff_identity("zhao.desk", "front_desk")
