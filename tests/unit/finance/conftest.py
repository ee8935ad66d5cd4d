"""Finance fixtures: the billing fixtures' estate (4 units of Lanting building 2, floor 15),
bills of October and November, and an owner of unit 2/1-1503."""

from __future__ import annotations

import pytest

from portal.accounts.owners import Owner
from portal.estates.model import Company
from portal.estates.records import unit_item
from portal.wiring import Services
from tests.factories import RecordingSender, make_owner
from tests.support.payments import FakeAccounts, FakeProvider


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def services(services: Services, provider: FakeProvider, demo_company: Company,
             sender: RecordingSender) -> Services:  # fmt: skip
    services._payment_accounts = FakeAccounts(provider)
    services._sender = sender
    services.estates.company()
    estate = demo_company.estate("lanting")
    assert estate is not None
    services.table.batch_put([unit_item(u) for u in estate.units()
                              if u.building == "2" and u.entrance == 1 and u.floor == 15])  # fmt: skip
    return services


@pytest.fixture
def billed(services: Services) -> Services:
    for period in ("2026-10", "2026-11"):
        services.billing_run.run("lanting", period, actor="cli:test")
    return services


@pytest.fixture
def owner(services: Services) -> Owner:
    return make_owner(services.clients.dynamodb, services.settings, "13812341503", "林晓岚",
                      ("lanting", "2", "1-1503"))  # fmt: skip
