"""The billing run: one bill per unit, item and period; idempotent, even after an interruption."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from portal.billing.model import UnitKey
from portal.billing.run import BillingRun, RunReport
from portal.errors import Conflict, InvalidInput, NotFound
from portal.store import billing_keys
from portal.wiring import Services
from tests.unit.billing.conftest import UNIT


def bills_of(services: Services, period: str) -> list[Any]:
    out = []
    for floor_room in ("1501", "1502", "1503", "1504"):
        for e in (1, 2, 3):
            out += services.bills.of_unit(UnitKey("lanting", "2", f"{e}-{floor_room}"), period[:4])
    return [b for b in out if b.period == period]


def test_a_run_issues_the_management_fee_of_every_unit_from_its_area(services: Services) -> None:
    report = services.billing_run.run("lanting", "2026-11", actor="cli:test")
    assert (report.units, report.planned, report.created, report.existing) == (4, 4, 4, 0)
    bill = next(b for b in services.bills.of_unit(UNIT) if b.item == "management")
    # room 03 of building 2 is 132.5 m²; the fee is 280 fen per m² per month
    assert bill.amount_fen == 37100 and bill.basis["area_m2"] == "132.5"
    assert bill.status == "unpaid" and bill.due_date == "2026-12-15"
    assert report.total_fen == sum(b.amount_fen for b in bills_of(services, "2026-11"))
    assert {(e["action"], e["target"]) for e in services.audit.day("2026-11-22")} == {
        ("billing.run", "lanting/2026-11")}


def test_a_second_run_creates_nothing(services: Services) -> None:
    services.billing_run.run("lanting", "2026-11", actor="cli:test")
    again = services.billing_run.run("lanting", "2026-11", actor="cli:test")
    assert (again.created, again.existing) == (0, 4)
    assert len(bills_of(services, "2026-11")) == 4


class _Interrupted(Exception):
    pass


def test_a_run_interrupted_halfway_and_started_again_ends_with_exactly_one_bill_each(
    services: Services,
) -> None:
    run = services.billing_run
    table = run.table
    real = table.transact
    calls = {"n": 0}

    def dies_after_two(ops: Any, token: Any = None) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise _Interrupted()
        real(ops, token)

    # four chunks of one bill on one thread: two are written, then the process dies
    half = BillingRun(table, services.estates, services.audit, services.clock, workers=1, chunk=1)
    planned = half.plan(services.estates.estate("lanting"), "2026-11", RunReport("lanting", "2026-11"))
    table.transact = dies_after_two  # type: ignore[method-assign]
    try:
        with pytest.raises(_Interrupted):
            half.write(planned)
    finally:
        table.transact = real  # type: ignore[method-assign]
    assert len(bills_of(services, "2026-11")) == 2
    report = run.run("lanting", "2026-11", actor="cli:test")
    assert (report.created, report.existing) == (2, 2)
    assert len(bills_of(services, "2026-11")) == 4


def test_readings_and_parking_make_water_electricity_and_parking_bills(services: Services) -> None:
    table = services.table
    for item, prev, cur in (("water", Decimal("100.5"), Decimal("112.75")),
                            ("electricity", Decimal(2000), Decimal(2150))):  # fmt: skip
        table.put({**billing_keys.reading("lanting", "2026-11", "2", "1-1503", item), "building": "2",
                   "room": "1-1503", "item": item, "previous": prev, "current": cur})  # fmt: skip
    services.billing_run.set_standing(UNIT, "parking", 1, actor="cli:test")
    services.billing_run.run("lanting", "2026-11", actor="cli:test")
    got = {b.item: b for b in services.bills.of_unit(UNIT)}
    fees = {f.item: f.price_fen for f in services.estates.estate("lanting").fees}
    assert got["water"].amount_fen == int((Decimal("12.25") * fees["water"]).to_integral_value(
        rounding="ROUND_HALF_UP"))  # fmt: skip
    assert got["electricity"].amount_fen == 150 * fees["electricity"]
    assert got["parking"].amount_fen == fees["parking"]
    assert got["water"].basis["usage"] == "12.25"


def test_a_one_off_charge_is_issued_once(services: Services) -> None:
    bill = services.billing_run.add_charge(UNIT, "2026-11", "key2", 5000, "门禁卡补办",
                                           actor="staff:qian")  # fmt: skip
    assert bill.bill_id == "2026-11-other-key2"
    with pytest.raises(Conflict) as exc:
        services.billing_run.add_charge(UNIT, "2026-11", "key2", 5000, "门禁卡补办", actor="x")
    assert exc.value.code == "bill_exists"
    with pytest.raises(NotFound):
        services.billing_run.add_charge(UnitKey("lanting", "2", "9-9999"), "2026-11", "k", 1, "x",
                                        actor="x")  # fmt: skip


@pytest.mark.parametrize("period", ["2026-13", "26-11", "2026-1", "1999-01", "2026-11x"])
def test_a_period_is_year_and_month(services: Services, period: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.billing_run.run("lanting", period, actor="x")
    assert exc.value.code == "bill_period_invalid"


def test_progress_is_reported_per_chunk(services: Services) -> None:
    seen: list[tuple[int, int]] = []
    services.billing_run.run("lanting", "2026-11", actor="x",
                             progress=lambda n, total: seen.append((n, total)))  # fmt: skip
    assert sum(n for n, _ in seen) == 4 and {t for _, t in seen} == {4}
