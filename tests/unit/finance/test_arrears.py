"""Arrears by age bucket (the one table), and reminders: one per owner per N days, never in
the quiet hours, with the history of what was sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.accounts.owners import Owner
from portal.billing.model import UnitKey
from portal.errors import Forbidden
from portal.finance.arrears import BUCKETS, REMIND_EVERY_DAYS, bucket_of
from portal.finance.exports import arrears_table, to_csv
from portal.wiring import Services
from tests.factories import RecordingSender
from tests.support.finance import DESK, FINANCE, UNIT


@pytest.mark.parametrize(("days", "bucket"), [(0, None), (1, "d0_30"), (30, "d0_30"), (31, "d31_90"),
                                              (90, "d31_90"), (91, "d91_180"), (180, "d91_180"),
                                              (181, "d181"), (4000, "d181")])  # fmt: skip
def test_each_age_falls_in_exactly_the_bucket_of_the_table(days: int, bucket: str | None) -> None:
    assert bucket_of(days) == bucket
    assert [b for b, _, _ in BUCKETS] == ["d0_30", "d31_90", "d91_180", "d181"]


@pytest.fixture
def aged(billed: Services) -> Services:
    """Unit 1-1503 owes October (7 days late on 22 Nov) and one-off charges of September (38
    days), July (99) and March (221); November is not due yet."""
    unit = UnitKey("lanting", "2", "1-1503")
    for period, ref in (("2026-09", "a"), ("2026-07", "b"), ("2026-03", "c")):
        billed.billing_run.add_charge(unit, period, ref, 1000, "门禁卡", actor="cli:test")
    return billed


def test_the_arrears_list_puts_each_bill_in_its_bucket_and_masks_phones(
    aged: Services, owner: Owner
) -> None:
    found = aged.arrears.of_estate(FINANCE, "lanting")
    unit = next(u for u in found.units if u.unit_id == "lanting/2/1-1503")
    assert unit.by_bucket == {"d0_30": 37100, "d31_90": 1000, "d91_180": 1000, "d181": 1000}
    assert unit.oldest_days == 221 and unit.total_fen == 40100
    assert unit.owners == ("林晓岚 138****1503",)
    assert found.units[0] is unit  # the oldest debt first
    assert found.total_fen == sum(found.by_bucket.values())
    assert "2026-11-management" not in {b.bill_id for b in unit.bills}  # not due yet
    rows = to_csv(arrears_table(found)).decode("utf-8-sig").splitlines()
    assert rows[0].startswith("房号,业主,30天以内（元）")
    assert rows[-1].startswith("合计,,") and "13812341503" not in "".join(rows)
    with pytest.raises(Forbidden):
        aged.arrears.of_estate(DESK, "lanting")


def test_an_owner_is_reminded_at_most_once_in_n_days_and_the_history_says_so(
    aged: Services, owner: Owner, sender: RecordingSender
) -> None:
    first = aged.arrears.remind(FINANCE, "lanting", ["lanting/2/1-1503"])
    assert first.sent == ("138****1503",) and len(sender.sent) == 1
    assert "401.00" in sender.sent[0][1] and "林晓岚" in sender.sent[0][1]
    again = aged.arrears.remind(FINANCE, "lanting")
    assert again.sent == () and again.skipped == ("138****1503",) and len(sender.sent) == 1
    aged.clock.now += timedelta(days=REMIND_EVERY_DAYS, minutes=1)  # type: ignore[attr-defined]
    assert aged.arrears.remind(FINANCE, "lanting").sent == ("138****1503",)
    history = aged.arrears.history(FINANCE, "lanting")
    assert [h["state"] for h in history] == ["sent", "sent"]
    assert {h["phone"] for h in history} == {"138****1503"} and history[0]["by"] == "staff:qian.finance"


def test_a_reminder_asked_for_at_night_goes_out_at_eight_in_the_morning(
    aged: Services, owner: Owner, sender: RecordingSender
) -> None:
    aged.clock.now = datetime(2026, 11, 22, 14, 30, tzinfo=UTC)  # type: ignore[attr-defined]  # 22:30
    assert aged.arrears.remind(FINANCE, "lanting").sent == ("138****1503",)
    assert sender.sent == []
    (line,) = aged.arrears.history(FINANCE, "lanting")
    assert line["state"] == "due" and line["due_at"] == "2026-11-23T00:00:00Z"
    aged.clock.now = datetime(2026, 11, 23, 0, 0, 30, tzinfo=UTC)  # type: ignore[attr-defined]
    aged.task_runner.run_due()
    assert len(sender.sent) == 1
    assert aged.arrears.history(FINANCE, "lanting")[0]["state"] == "sent"


def test_units_without_arrears_or_owners_without_a_phone_get_no_message(
    billed: Services, sender: RecordingSender
) -> None:
    report = billed.arrears.remind(FINANCE, "lanting", [UNIT.unit_id])
    assert report.sent == () and sender.sent == []
