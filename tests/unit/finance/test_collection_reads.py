"""The collection report reads an estate's bills per estate and period range (gsi2
``BILLS#<e>``), not unit by unit: a handful of DynamoDB calls whatever the number of units,
the same figures as reading each unit; bills written before that key get it from the
backfill."""

from __future__ import annotations

from typing import Any

import pytest

from portal.billing.model import Bill, UnitKey
from portal.estates.model import Company
from portal.estates.records import unit_item
from portal.finance.collection import Figures, figures
from portal.store import billing_keys
from portal.store.tables import GSI2
from portal.wiring import Services

PERIOD = "2026-11"


def _issued(units: list[UnitKey]) -> list[Bill]:
    """October for every unit (every other one paid); November's management and water (every
    third unit paid)."""
    bills = []
    for i, unit in enumerate(units):
        bills.append(Bill(unit, "2026-10-management", "management", "2026-10", 30_000,
                          30_000 if i % 2 else 0))  # fmt: skip
        bills.append(Bill(unit, f"{PERIOD}-management", "management", PERIOD, 30_000,
                          30_000 if i % 3 == 0 else 0))  # fmt: skip
        bills.append(Bill(unit, f"{PERIOD}-water", "water", PERIOD, 4_500 + i, 4_500 + i if i % 3 == 0 else 0))
    return bills


@pytest.fixture
def estate_billed(services: Services, demo_company: Company) -> Services:
    """Buildings 2 and 3 of Lanting, their two lowest floors and 1-1503 (well over 40 units:
    one query per unit would show), with :func:`_issued`'s bills."""
    estate = demo_company.estate("lanting")
    assert estate is not None
    listed = [u for u in estate.units()
              if u.building in ("2", "3") and (u.floor <= 2 or u.room == "1-1503")]  # fmt: skip
    services.table.batch_put([unit_item(u) for u in listed])
    services.bills.put_all(_issued(services.collection.units("lanting")))
    return services


def _calls(services: Services) -> list[str]:
    calls: list[str] = []
    services.clients.dynamodb.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    return calls


def _by_hand(units: list[UnitKey]) -> Figures:
    """The period's figures from the bills as issued, unit by unit."""
    bills = _issued(units)
    return sum((figures(b for b in bills if b.unit == u and b.period == PERIOD) for u in units),
               Figures())  # fmt: skip


def test_one_report_of_an_estate_is_a_handful_of_queries_not_one_per_unit(
    estate_billed: Services,
) -> None:
    units = estate_billed.collection.units("lanting")
    assert len(units) > 40
    calls = _calls(estate_billed)
    report = estate_billed.collection.report(None, "lanting", PERIOD)
    assert "Scan" not in calls and set(calls) == {"Query"}
    assert len(calls) <= 6, calls  # units, the bills of 12 periods, the receipts of 3 years
    assert report.total == _by_hand(units)
    assert report.total.households == len(units)
    assert [p for p, f in report.trend if f.households] == ["2026-10", PERIOD]


def test_a_buildings_drill_down_adds_one_query_for_the_arrears(estate_billed: Services) -> None:
    calls = _calls(estate_billed)
    report = estate_billed.collection.report(None, "lanting", PERIOD, building="3")
    assert len(calls) <= 7, calls
    assert {line.unit.building for line in report.units} == {"3"}
    one = report.units[0]
    october = [b for b in estate_billed.bills.of_unit(one.unit) if b.period < PERIOD]
    assert one.arrears_fen == sum(b.outstanding_fen for b in october) > 0


def _strip_index(services: Services, units: list[UnitKey]) -> int:
    """Bills as they were written before the gsi2 key existed."""
    n = 0
    for u in units:
        for b in services.bills.of_unit(u):
            services.table.update(billing_keys.bill(u.estate, u.building, u.room, b.bill_id),
                                  remove=(GSI2.hash_key, GSI2.range_key or ""))  # fmt: skip
            n += 1
    return n


def test_bills_written_before_the_estate_key_are_counted_once_backfilled(
    estate_billed: Services,
) -> None:
    units = estate_billed.collection.units("lanting")
    old = [u for u in units if u.building == "3"][:4]
    stripped = _strip_index(estate_billed, old)
    before = estate_billed.collection.report(None, "lanting", PERIOD)
    assert before.total.households == len(units) - len(old)
    assert estate_billed.bills.backfill_estate_index("lanting", old) == stripped == 3 * len(old)
    assert estate_billed.bills.backfill_estate_index("lanting", old) == 0  # again: nothing
    after = estate_billed.collection.report(None, "lanting", PERIOD)
    assert after.total == _by_hand(units)


def test_the_bills_gsi2_key_is_the_estate_period_and_unit(estate_billed: Services) -> None:
    item: Any = estate_billed.table.get(billing_keys.bill("lanting", "2", "1-1503", "2026-11-management"))
    assert item[GSI2.hash_key] == "BILLS#lanting"
    assert item[GSI2.range_key or ""] == "2026-11#2#1-1503#2026-11-management"

