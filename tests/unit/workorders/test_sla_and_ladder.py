"""The SLA clock and the escalation ladder with a fake clock: deadlines come from
portal.service_levels, and an order left alone climbs every rung once, whatever the schedule."""

from __future__ import annotations

from datetime import timedelta

from portal import service_levels as sl
from portal.accounts.identity import Identity
from portal.clock import parse_iso
from portal.wiring import Services
from portal.workorders.service import WorkOrderService
from portal.workorders.sla import deadlines, resolved_in_time
from tests.factories import FakeClock
from tests.support.workorders import repair


def _status(order: object, clock: FakeClock) -> dict[str, str]:
    return {d.stage: d.status for d in deadlines(order, clock.now, "Asia/Shanghai")}  # type: ignore[arg-type]


def test_the_15_30_60_deadlines_come_from_the_service_levels_and_are_met_or_breached(
    orders: WorkOrderService, owner: Identity, desk: Identity, clock: FakeClock
) -> None:
    order = orders.submit(owner, repair())
    due = {d.stage: parse_iso(d.due_at) - clock.now for d in deadlines(order, clock.now, "Asia/Shanghai")}
    assert due["acknowledge"] == timedelta(minutes=sl.ACKNOWLEDGE_MIN)
    assert due["dispatch"] == timedelta(minutes=sl.DISPATCH_MIN)
    assert due["feedback"] == timedelta(minutes=sl.FEEDBACK_MIN)
    assert due["resolve"] == timedelta(hours=sl.MINOR_REPAIR_RESOLVE_H)
    clock.now += timedelta(minutes=10)
    order = orders.act(desk, "lanting", order.number, "acknowledge")
    clock.now += timedelta(minutes=25)  # 35 minutes after the report: dispatch is late
    order = orders.act(desk, "lanting", order.number, "dispatch", "", {"assignee": "陈师傅"})
    status = _status(order, clock)
    assert (status["acknowledge"], status["dispatch"], status["feedback"]) == (
        "met", "breached", "pending")  # fmt: skip
    assert status["on_site"] == "pending"  # the technician's 10 minutes started at dispatch
    clock.now += timedelta(minutes=11)
    assert _status(order, clock)["on_site"] == "breached"


def test_an_emergency_repair_must_be_resolved_the_same_local_day(
    orders: WorkOrderService, owner: Identity, desk: Identity, clock: FakeClock
) -> None:
    clock.now = clock.now.replace(hour=13)  # 21:00 in Shanghai: three hours left today
    order = orders.submit(owner, repair("水管爆了，水流到走廊", urgency="emergency"))
    (resolve,) = [d for d in deadlines(order, clock.now, "Asia/Shanghai") if d.stage == "resolve"]
    assert resolve.due_at == "2026-11-22T16:00:00Z"  # midnight in Shanghai
    for action, details in (("acknowledge", None), ("dispatch", {"assignee": "陈师傅"})):
        order = orders.act(desk, "lanting", order.number, action, "", details)
    clock.now += timedelta(hours=4)  # fixed after midnight: overnight, so late
    order = orders.act(desk, "lanting", order.number, "resolve")
    assert resolved_in_time(order, "Asia/Shanghai") is False


def test_an_order_left_alone_for_four_days_climbs_the_four_rungs_once_each(
    orders: WorkOrderService, owner: Identity, services: Services, clock: FakeClock
) -> None:
    order = orders.submit(owner, repair())
    job = services.escalation
    assert job.run(["lanting"]) == 0
    clock.now += timedelta(days=4, minutes=1)  # the job did not run for four days
    assert job.run(["lanting"]) == 4
    assert job.run(["lanting"]) == 0  # twice: still once each
    _, history = orders.read(owner, "lanting", order.number)
    rungs = [e.details["rung"] for e in history if e.action == "escalate"]
    assert rungs == [rung for _, rung in sl.ESCALATION_LADDER]
    repo = services.work_order_repo
    assert repo.escalated_to("lanting", "butler", "2") == [(order.number, 1)]
    assert repo.escalated_to("lanting", "project_manager") == [(order.number, 4)]


def test_the_ladder_climbs_day_by_day_when_the_job_runs_often(
    orders: WorkOrderService, owner: Identity, services: Services, clock: FakeClock
) -> None:
    orders.submit(owner, repair())
    climbed = []
    for _ in range(4 * 24):
        clock.now += timedelta(hours=1)
        climbed.append(services.escalation.run(["lanting"]))
    assert sum(climbed) == 4
    assert [i for i, n in enumerate(climbed) if n] == [23, 47, 71, 95]


def test_a_resolved_order_leaves_the_ladder_and_the_queues(
    orders: WorkOrderService, owner: Identity, desk: Identity, services: Services,
    clock: FakeClock,
) -> None:
    order = orders.submit(owner, repair())
    clock.now += timedelta(days=1, minutes=1)
    assert services.escalation.run(["lanting"]) == 1
    for action, details in (("acknowledge", None), ("dispatch", {"assignee": "陈师傅"}),
                            ("resolve", None)):  # fmt: skip
        orders.act(desk, "lanting", order.number, action, "", details)
    assert services.work_order_repo.escalated_to("lanting", "butler", "2") == []
    clock.now += timedelta(days=5)
    assert services.escalation.run(["lanting"]) == 0
