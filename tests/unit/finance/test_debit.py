"""Direct debits: a per-row report, the good rows recorded whatever the others, the same file
twice adds nothing, each debited owner told by a task within 3 days (never at night)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.accounts.owners import Owner
from portal.estates.model import Company, Estate
from portal.store import billing_keys
from portal.wiring import Services
from tests.factories import RecordingSender
from tests.support.finance import FINANCE, UNIT, debit_csv


def _estate(company: Company) -> Estate:
    estate = company.estate("lanting")
    assert estate is not None
    return estate


def test_good_rows_are_recorded_and_bad_ones_reported_by_row_and_column(
    billed: Services, owner: Owner, demo_company: Company, sender: RecordingSender
) -> None:
    data = debit_csv(("2", "1-1503", "742.00", "成功", "DD20261122001"),
                     ("2", "1-1504", "1.00", "成功", "DD20261122002"),
                     ("9", "1-1501", "371.00", "成功", "DD20261122003"),
                     ("2", "1-1502", "abc", "成功", "DD20261122004"),
                     ("2", "1-1501", "371.00", "失败", "DD20261122005"))  # fmt: skip
    report = billed.direct_debits.run(FINANCE, data, estate=_estate(demo_company), file_name="dd.csv",
                                      who="staff:qian.finance")  # fmt: skip
    assert report.counts == {"recorded": 1, "duplicate": 0, "error": 3, "skipped": 1}
    by_row = {r.row: r for r in report.rows}
    assert by_row[2].status == "recorded" and by_row[2].receipt_no == "lanting-2026-000001"
    assert [(e.code, e.column) for e in by_row[3].errors] == [("amount_differs", "扣款金额")]
    assert [(e.code, e.column) for e in by_row[4].errors] == [("unknown_building", "楼栋")]
    assert [(e.code, e.column) for e in by_row[5].errors] == [("bad_amount", "扣款金额")]
    assert "扣款金额" in by_row[5].errors[0].message()
    assert {b.status for b in billed.bills.of_unit(UNIT)} == {"paid"}
    # the owner was told at once (10:00 local), and nothing is due any more
    assert len(sender.sent) == 1 and "742.00" in sender.sent[0][1]
    assert billed.direct_debits.due(FINANCE, "lanting") == []


def test_importing_the_same_file_twice_adds_nothing(billed: Services, demo_company: Company) -> None:
    data = debit_csv(("2", "1-1503", "742.00", "成功", "DD20261122001"))
    first = billed.direct_debits.run(FINANCE, data, estate=_estate(demo_company), file_name="a.csv",
                                     who="cli:test")  # fmt: skip
    second = billed.direct_debits.run(FINANCE, data, estate=_estate(demo_company), file_name="a.csv",
                                      who="cli:test")  # fmt: skip
    assert first.counts["recorded"] == 1
    assert second.counts == {"recorded": 0, "duplicate": 1, "error": 0, "skipped": 0}
    assert second.rows[0].receipt_no == first.rows[0].receipt_no
    counter = billed.table.get(billing_keys.receipt_counter("lanting", 2026))
    assert counter is not None and counter["n"] == 1


def test_a_debit_recorded_at_night_is_told_in_the_morning_and_listed_as_due_meanwhile(
    billed: Services, owner: Owner, demo_company: Company, sender: RecordingSender
) -> None:
    billed.clock.now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # type: ignore[attr-defined]  # 23:00 local
    data = debit_csv(("2", "1-1503", "742.00", "成功", "DD20261122009"))
    billed.direct_debits.run(FINANCE, data, estate=_estate(demo_company), file_name="n.csv", who="cli:t")
    assert sender.sent == []
    (due,) = billed.direct_debits.due(FINANCE, "lanting")
    notice, overdue = due
    assert notice.unit_id == "lanting/2/1-1503" and not overdue
    billed.clock.now += timedelta(days=3, minutes=1)  # type: ignore[attr-defined]  # still night
    ((_, overdue),) = billed.direct_debits.due(FINANCE, "lanting")
    assert overdue  # nothing ran the task for 3 days: finance sees it late
    billed.clock.now = datetime(2026, 11, 26, 0, 1, tzinfo=UTC)  # type: ignore[attr-defined]  # 08:01
    billed.task_runner.run_due()
    assert len(sender.sent) == 1 and sender.sent[0][0] == "13812341503"
    assert billed.direct_debits.due(FINANCE, "lanting") == []
