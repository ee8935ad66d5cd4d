"""The billing run: one bill per unit, item and period; idempotent, even after an interruption."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest

from portal.billing.lease import LEASE, Lease
from portal.billing.model import UnitKey
from portal.billing.run import BillingRun, RunReport
from portal.errors import Conflict, InvalidInput, NotFound
from portal.store import billing_keys
from portal.wiring import Services
from tests.factories import FakeClock
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


def _dying_after(table: Any, puts: int) -> Any:
    """``table.batch_put`` that raises after ``puts`` calls (the process dies mid-run)."""
    real = table.batch_put
    calls = {"n": 0}

    def batch_put(items: Any) -> int:
        calls["n"] += 1
        if calls["n"] > puts:
            raise _Interrupted()
        return int(real(items))

    return batch_put


def _small_blocks(services: Services) -> BillingRun:
    """Blocks of 2 bills, one bill a call, on one thread: 4 bills are 2 blocks of 2 calls."""
    return BillingRun(services.table, services.estates, services.audit, services.clock,
                      workers=1, chunk=1, block=2)  # fmt: skip


def _plan(services: Services, run: BillingRun) -> Any:
    return run.plan(services.estates.estate("lanting"), "2026-11", RunReport("lanting", "2026-11"))


def test_a_run_interrupted_halfway_and_started_again_ends_with_exactly_one_bill_each(
    services: Services, clock: FakeClock
) -> None:
    run = _small_blocks(services)
    planned = _plan(services, run)
    run.table.batch_put = _dying_after(run.table, 3)  # type: ignore[method-assign]
    try:
        with pytest.raises(_Interrupted):  # block 0 written, then 1 of block 1's 2 bills
            run.issue("lanting", "2026-11", planned, actor="cli:test")
    finally:
        del run.table.batch_put  # type: ignore[method-assign]
    assert len(bills_of(services, "2026-11")) == 3
    report = services.billing_run.run("lanting", "2026-11", actor="cli:test")
    assert (report.created, report.existing) == (1, 3)
    assert len(bills_of(services, "2026-11")) == 4


def test_a_killed_run_holds_the_period_until_its_lease_expires(
    services: Services, clock: FakeClock
) -> None:
    run = _small_blocks(services)
    planned = _plan(services, run)
    run.table.batch_put = _dying_after(run.table, 1)  # type: ignore[method-assign]
    release = run_lease_release_disabled()
    try:
        with pytest.raises(_Interrupted):
            run.issue("lanting", "2026-11", planned, actor="cli:test")
    finally:
        del run.table.batch_put  # type: ignore[method-assign]
        release.stop()
    with pytest.raises(Conflict) as exc:  # killed, it could not give the lease back
        services.billing_run.run("lanting", "2026-11", actor="cli:other")
    assert exc.value.code == "billing_run_in_progress"
    clock.now += LEASE + timedelta(seconds=1)
    report = services.billing_run.run("lanting", "2026-11", actor="cli:other")
    assert report.created + report.existing == 4 and len(bills_of(services, "2026-11")) == 4


def run_lease_release_disabled() -> Any:
    """The lease is not given back (a SIGKILL skips ``finally``)."""
    patcher = mock.patch("portal.billing.run.Lease.release", lambda self: None)
    patcher.start()
    return patcher


def test_a_second_run_of_the_same_plan_reads_and_writes_no_bill(services: Services) -> None:
    services.billing_run.run("lanting", "2026-11", actor="cli:test")
    table = services.table
    with mock.patch.object(table, "batch_get", wraps=table.batch_get) as gets, \
            mock.patch.object(table, "batch_put", wraps=table.batch_put) as puts:  # fmt: skip
        again = services.billing_run.run("lanting", "2026-11", actor="cli:test")
    assert (again.created, again.existing) == (0, 4)
    assert gets.call_count == 0 and puts.call_count == 0


def test_a_changed_plan_never_overwrites_a_bill_paid_meanwhile(services: Services) -> None:
    run = _small_blocks(services)
    run.run("lanting", "2026-11", actor="cli:test")
    bill = next(b for b in services.bills.of_unit(UNIT) if b.item == "management")
    services.table.update(billing_keys.bill("lanting", UNIT.building, UNIT.room, bill.bill_id),
                          set={"paid_fen": bill.amount_fen, "status": "paid"})  # fmt: skip
    services.billing_run.set_standing(UNIT, "parking", 1, actor="cli:test")  # the plan grows
    report = run.run("lanting", "2026-11", actor="cli:test")
    assert (report.created, report.existing) == (1, 4)
    again = next(b for b in services.bills.of_unit(UNIT) if b.item == "management")
    assert again.status == "paid" and again.paid_fen == bill.amount_fen


def test_a_second_run_at_the_same_time_is_refused_while_the_first_holds_the_period(
    services: Services,
) -> None:
    first = Lease(services.table, billing_keys.billing_run("lanting", "2026-11"),
                  services.clock, "cli:first")  # fmt: skip
    first.take()
    with pytest.raises(Conflict) as exc:
        services.billing_run.run("lanting", "2026-11", actor="cli:second")
    assert exc.value.code == "billing_run_in_progress" and exc.value.params["by"] == "cli:first"
    first.release()
    assert services.billing_run.run("lanting", "2026-11", actor="cli:second").created == 4


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
