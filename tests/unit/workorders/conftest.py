"""Work-order fixtures: the service on moto, an owner of lanting 2-1-1503, staff identities."""

from __future__ import annotations

from typing import Any

import pytest

from portal.accounts.identity import Identity
from portal.wiring import Services
from portal.workorders.service import WorkOrderService
from tests.factories import make_staff
from tests.support.workorders import owner_identity, staff_identity


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
