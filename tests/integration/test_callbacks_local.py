"""Callbacks on DynamoDB Local (stricter than moto): the resolve's transaction, the cancel of an
open callback (or of one never written) when the order reopens first, the due list's bounded
query, and two staff recording the same callback at the same moment from two clients."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from typing import Any

from portal.accounts.identity import Identity, UnitRef
from portal.errors import Conflict
from portal.settings import Settings
from portal.store.client import dynamodb_client
from portal.workorders.callbacks import Answer
from portal.workorders.model import Location, WorkOrder
from portal.workorders.repository import item_of
from portal.workorders.service import NewOrder, WorkOrderService
from tests.factories import FakeClock, wired

OWNER = Identity(kind="owner", user_id="o" * 32, roles=frozenset({"owner"}),
                 estates=frozenset({"lanting"}), units=(UnitRef("lanting", "2", "1-1503"),))  # fmt: skip
DESK = Identity(kind="staff", user_id="zhao.desk", roles=frozenset({"front_desk"}),
                estates=frozenset({"lanting"}))  # fmt: skip
BUTLER = Identity(kind="staff", user_id="li.butler", roles=frozenset({"butler"}),
                  estates=frozenset({"lanting"}))  # fmt: skip
REPAIR = NewOrder(kind="repair", location=Location("lanting", "2", "1-1503"),
                  description="厨房水管漏水", category="plumbing")  # fmt: skip


def resolve(orders: WorkOrderService, number: str = "") -> str:
    if not number:
        number = orders.submit(OWNER, REPAIR).number
        orders.act(DESK, "lanting", number, "acknowledge")
    orders.act(DESK, "lanting", number, "dispatch", "", {"assignee": "陈师傅"})
    orders.act(DESK, "lanting", number, "resolve")
    return number


def test_an_order_reopened_first_cancels_its_callback_and_the_next_resolve_gets_a_new_one(
    ddb: Any, settings: Settings
) -> None:
    services = wired(ddb, settings, FakeClock(), with_estates=False)
    number = resolve(services.work_orders)
    services.work_orders.act(OWNER, "lanting", number, "reopen", "还在漏")
    first = services.callback_repo.get("lanting", f"order.{number}.0")
    assert first is not None and (first.state, first.closed_reason) == ("cancelled", "order_reopen")
    resolve(services.work_orders, number)
    due = services.callbacks.due(DESK, "lanting", date(2026, 11, 23))
    assert [c.callback_id for c in due.due] == [f"order.{number}.1"]


def test_an_order_resolved_before_callbacks_existed_reopens_with_a_whole_cancelled_record(
    ddb: Any, settings: Settings
) -> None:
    services = wired(ddb, settings, FakeClock(), with_estates=False)
    legacy = WorkOrder(number="BX-20260101-0001", kind="repair", location=REPAIR.location,
                       description="旧工单", urgency="normal", channel="phone",
                       created_at="2026-01-01T01:00:00Z", created_by="staff:zhao.desk",
                       state="resolved", owner_id=OWNER.user_id, category="plumbing")  # fmt: skip
    services.table.put(item_of(legacy))
    services.work_orders.act(DESK, "lanting", legacy.number, "reopen", "业主反映仍有问题")
    record = services.callback_repo.get("lanting", f"order.{legacy.number}.0")
    assert record is not None and record.state == "cancelled"
    assert (record.order_number, record.building, record.room) == (legacy.number, "2", "1-1503")
    assert services.callback_repo.of_unit("lanting", "2", "1-1503")[0].callback_id == record.callback_id


def test_two_staff_recording_one_callback_at_the_same_moment_record_it_once(
    ddb: Any, settings: Settings
) -> None:
    clock = FakeClock()
    number = resolve(wired(ddb, settings, clock, with_estates=False).work_orders)
    callback_id = f"order.{number}.0"
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    answers = [Answer({"overall": "satisfied"}), Answer({"overall": "unsatisfied"}, "还在漏")]

    def record(i: int) -> None:
        services = wired(dynamodb_client(settings), settings, clock, with_estates=False)
        barrier.wait()
        try:
            services.callbacks.record_result((DESK, BUTLER)[i], "lanting", callback_id, answers[i])
            outcomes.append("recorded")
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=record, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    counts = Counter(outcomes)
    assert counts["recorded"] == 1 and sum(counts.values()) == 2, counts
    assert set(counts) - {"recorded"} <= {"callback_already_recorded", "callback_changed"}
    services = wired(ddb, settings, clock, with_estates=False)
    order, history = services.work_orders.read(DESK, "lanting", number)
    moves = [e.action for e in history if e.details.get("callback") == callback_id]
    assert len(moves) == 1 and order.state in ("callback_done", "reopened")
    stored = services.callback_repo.get("lanting", callback_id)
    assert stored is not None and stored.state == "done" and len(stored.attempts) == 1
