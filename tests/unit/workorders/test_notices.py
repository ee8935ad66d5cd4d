"""Owners are told when their order is acknowledged (by whom) and resolved, by a task off the
request path, never between 22:00 and 08:00 unless it is an emergency repair."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from portal.accounts.identity import Identity
from portal.wiring import Clients, Services
from portal.workorders.notices import not_in_quiet_hours
from tests.conftest import FAST_HASHING
from tests.factories import FakeClock, RecordingSender, make_staff
from tests.support.workorders import repair, staff_identity


def _wired(ddb: Any, services: Services, clock: FakeClock) -> tuple[Services, RecordingSender]:
    sender = RecordingSender()
    mine = Services(services.settings, Clients(services.settings, dynamodb=ddb), clock, sender,
                    password_hashing=FAST_HASHING)  # fmt: skip
    make_staff(ddb, services.settings, "zhao.desk", "front_desk", estates=("lanting",))
    return mine, sender


def test_an_owner_is_told_who_took_their_order_and_when_it_is_done(
    ddb: Any, services: Services, clock: FakeClock, owner: Identity
) -> None:
    mine, sender = _wired(ddb, services, clock)
    desk = staff_identity("zhao.desk", "front_desk")
    from dataclasses import replace

    order = mine.work_orders.submit(owner, replace(repair(), contact_phone="13800138000"))
    mine.work_orders.act(desk, "lanting", order.number, "acknowledge")
    assert sender.sent == []  # not on the request path
    mine.task_runner.run_due()
    (phone, text), = sender.sent
    assert phone == "13800138000" and order.number in text and "Zhao.Desk" in text
    for action, details in (("dispatch", {"assignee": "陈师傅"}), ("resolve", None)):
        mine.work_orders.act(desk, "lanting", order.number, action, "", details)
    mine.task_runner.run_due()
    assert "确认并评价" in sender.sent[-1][1]


def test_a_notice_at_night_waits_for_eight_in_the_morning_unless_it_is_an_emergency() -> None:
    night = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    assert not_in_quiet_hours(night, "Asia/Shanghai", urgent=False) == datetime(
        2026, 11, 23, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai  # fmt: skip
    assert not_in_quiet_hours(night, "Asia/Shanghai", urgent=True) == night
    early = datetime(2026, 11, 22, 22, 0, tzinfo=UTC)  # 06:00 the next day in Shanghai
    assert not_in_quiet_hours(early, "Asia/Shanghai", urgent=False) == early + timedelta(hours=2)
    day = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00
    assert not_in_quiet_hours(day, "Asia/Shanghai", urgent=False) == day


def test_an_acknowledgement_at_night_is_sent_in_the_morning(
    ddb: Any, services: Services, clock: FakeClock, owner: Identity
) -> None:
    from dataclasses import replace

    mine, sender = _wired(ddb, services, clock)
    clock.now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    order = mine.work_orders.submit(owner, replace(repair(), contact_phone="13800138000"))
    mine.work_orders.act(staff_identity("zhao.desk", "front_desk"), "lanting", order.number,
                         "acknowledge")  # fmt: skip
    mine.task_runner.run_due()
    assert sender.sent == []
    clock.now = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 08:00
    mine.task_runner.run_due()
    assert len(sender.sent) == 1
