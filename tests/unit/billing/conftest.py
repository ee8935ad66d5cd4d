"""Billing fixtures: the demo estates with a few units of Lanting in the store, a fake provider."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from portal.accounts.identity import Identity, UnitRef
from portal.billing.model import UnitKey
from portal.estates.model import Company
from portal.estates.records import unit_item
from portal.store.table import Table
from portal.wiring import Services
from tests.support.payments import FakeAccounts, FakeProvider

UNIT = UnitKey("lanting", "2", "1-1503")
NEIGHBOUR = UnitKey("lanting", "2", "1-1504")


def lanting_units(company: Company, floors: Sequence[int] = (15,)) -> list[dict[str, Any]]:
    """Unit items of Lanting building 2, entrance 1, on these floors (4 units a floor: few,
    since moto copies the table for each transaction)."""
    estate = company.estate("lanting")
    assert estate is not None
    return [unit_item(u) for u in estate.units()
            if u.building == "2" and u.entrance == 1 and u.floor in floors]  # fmt: skip


def put_units(table: Table, company: Company, floors: Sequence[int] = (15,)) -> int:
    return table.batch_put(lanting_units(company, floors))


def owner_of(*units: UnitKey, user_id: str = "a" * 32) -> Identity:
    refs = tuple(UnitRef(u.estate, u.building, u.room) for u in units)
    return Identity(kind="owner", user_id=user_id, roles=frozenset({"owner"}), name="王芳",
                    estates=frozenset(u.estate for u in refs), units=refs)  # fmt: skip


def finance(estates: tuple[str, ...] = ("lanting",), username: str = "qian.finance") -> Identity:
    return Identity(kind="staff", user_id=username, roles=frozenset({"finance"}), name="钱会计",
                    estates=frozenset(estates))  # fmt: skip


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def services(services: Services, provider: FakeProvider, demo_company: Company) -> Services:
    """The test's services with the fake provider and 4 units of Lanting building 2 stored."""
    services._payment_accounts = FakeAccounts(provider)
    services.estates.company()  # puts the demo estates
    put_units(services.table, demo_company)
    return services
