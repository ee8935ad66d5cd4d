"""Work orders under concurrency on DynamoDB Local (threads, one wiring each, as Lambda
instances would be): numbers stay unique, first-ask holds, the ladder climbs once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from portal.errors import Conflict
from portal.settings import Settings
from tests.factories import FakeClock, make_staff, wired
from tests.support.concurrency import run_together, together
from tests.support.workorders import owner_identity, repair, staff_identity


def test_fifty_concurrent_submits_get_fifty_distinct_numbers(ddb: Any, settings: Settings) -> None:
    clock = FakeClock()
    wirings = [wired(ddb, settings, clock, with_estates=i == 0) for i in range(10)]
    owner = owner_identity()
    made = run_together(
        50, lambda i: wirings[i % 10].work_orders.submit(owner, repair(f"第{i}户漏水"))
    )
    numbers = sorted(o.number for o in made)
    assert numbers == [f"BX-20261122-{i:04d}" for i in range(1, 51)]


def test_two_staff_acknowledging_at_once_give_one_owner_and_one_clean_refusal(
    ddb: Any, settings: Settings
) -> None:
    clock = FakeClock()
    services = wired(ddb, settings, clock)
    for name in ("zhao.desk", "li.butler"):
        make_staff(ddb, settings, name, "front_desk", estates=("lanting",))
    people = [staff_identity(n, "front_desk") for n in ("zhao.desk", "li.butler")]
    for round_ in range(5):
        order = services.work_orders.submit(owner_identity(), repair(f"第{round_}次"))

        each = [wired(ddb, settings, clock, with_estates=False) for _ in people]

        def acknowledge(i: int, each: list[Any] = each, number: str = order.number) -> object:
            return each[i].work_orders.act(people[i], "lanting", number, "acknowledge")

        got = together(2, acknowledge)
        refused = [g for g in got if isinstance(g, Conflict)]
        done = [g for g in got if not isinstance(g, Exception)]
        assert len(done) == 1 and len(refused) == 1, got
        assert refused[0].code in ("order_changed", "order_action_not_allowed")
        stored = services.work_order_repo.get("lanting", order.number)
        assert stored is not None and stored.responsible == done[0].responsible  # type: ignore[attr-defined]
        assert len(stored.chain) == 1


def test_the_ladder_job_run_twice_at_once_escalates_once(ddb: Any, settings: Settings) -> None:
    clock = FakeClock()
    services = wired(ddb, settings, clock)
    orders = [services.work_orders.submit(owner_identity(), repair(f"第{i}单")) for i in range(5)]
    clock.now += timedelta(days=2, minutes=1)
    jobs = [wired(ddb, settings, clock, with_estates=False).escalation for _ in range(2)]
    climbed = together(2, lambda i: jobs[i].run(["lanting"]))
    assert sum(climbed) == 2 * len(orders)  # type: ignore[arg-type]
    for order in orders:
        _, history = services.work_orders.read(staff_identity("x", "supervisor"), "lanting",
                                               order.number)  # fmt: skip
        assert [e.details["rung"] for e in history if e.action == "escalate"] == [
            "butler", "foreman"]  # fmt: skip
