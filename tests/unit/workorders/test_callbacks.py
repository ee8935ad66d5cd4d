"""Callbacks (回访) on moto: made with the resolve, recorded once, moving the order through the
transition table, answered online by the owner, listed when due, and the owner's SMS."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from portal.accounts.identity import Identity
from portal.clock import iso, zone
from portal.errors import Conflict, Forbidden, InvalidInput, NotFound
from portal.service_levels import after_quiet_hours
from portal.store import service_keys
from portal.wiring import Services
from portal.workorders.callback_model import DIMENSIONS, Result, weighted_score
from portal.workorders.callbacks import Answer, CallbackService, DueList
from portal.workorders.model import Location, WorkOrder
from portal.workorders.service import NewOrder, WorkOrderService
from tests.factories import FakeClock, make_owner
from tests.support.workorders import owner_identity, repair, staff_identity

SATISFIED = Answer({"overall": "satisfied", "result": "satisfied", "attitude": "satisfied"})
UNSATISFIED = Answer({"overall": "unsatisfied", "result": "unsatisfied"}, "卫生间还在渗水")


class RoundTrips:
    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        client.meta.events.register("before-call.dynamodb.*", self._seen)

    def _seen(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def count(self) -> int:
        n, self.calls = len(self.calls), []
        return n


def listed(due: DueList) -> list[str]:
    """The ids on a due list, overdue first."""
    return [c.callback_id for c in (*due.overdue, *due.due)]


@pytest.fixture
def callbacks(services: Services) -> CallbackService:
    return services.callbacks


def resolved(orders: WorkOrderService, owner: Identity, staff: Identity,
             new: NewOrder | None = None, number: str = "") -> WorkOrder:  # fmt: skip
    """An order taken to "resolved" (a new one, or ``number`` again after a reopen)."""
    if not number:
        number = orders.submit(owner, new or repair()).number
        orders.act(staff, "lanting", number, "acknowledge")
    orders.act(staff, "lanting", number, "dispatch", "", {"assignee": "工程部 陈师傅"})
    return orders.act(staff, "lanting", number, "resolve")


def test_a_resolved_repair_gets_a_callback_due_24_hours_later_in_the_same_transaction(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
    clock: FakeClock, ddb: Any,
) -> None:
    number = orders.submit(owner, repair()).number
    orders.act(desk, "lanting", number, "acknowledge")
    orders.act(desk, "lanting", number, "dispatch", "", {"assignee": "陈师傅"})
    trips = RoundTrips(ddb)
    order = orders.act(desk, "lanting", number, "resolve")
    assert trips.count() == 2  # read the order, one transaction: order, history, callback, task
    callback = callbacks.of_order(owner, "lanting", number)
    assert callback is not None
    assert (callback.kind, callback.state, callback.order_number) == ("order", "due", number)
    assert callback.due_at == iso(clock.now + timedelta(hours=24)) == "2026-11-23T02:00:00Z"
    assert (callback.building, callback.room, callback.owner_id) == ("2", "1-1503", owner.user_id)
    assert [c.callback_id for c in callbacks.due(desk, "lanting", date(2026, 11, 23)).due] == [
        callback.callback_id]  # fmt: skip
    assert order.state == "resolved"


def test_a_valid_complaint_gets_a_callback_and_praise_or_a_paid_service_do_not(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity
) -> None:
    complaint = NewOrder(kind="complaint", location=Location("lanting", "2", "1-1503"),
                         description="楼上装修噪音，晚上十点还在施工")  # fmt: skip
    assert callbacks.of_order(owner, "lanting", resolved(orders, owner, desk, complaint).number)
    service = NewOrder(kind="service", location=Location("lanting", "2", "1-1503"),
                       description="请帮忙疏通下水道")  # fmt: skip
    assert callbacks.of_order(owner, "lanting", resolved(orders, owner, desk, service).number) is None
    praise = orders.submit(owner, NewOrder(kind="praise", location=Location("lanting", "2", "1-1503"),
                                           description="保安小王很热心"))  # fmt: skip
    assert callbacks.of_order(owner, "lanting", praise.number) is None


def test_a_satisfied_answer_moves_the_order_to_callback_done_and_records_who_how_and_when(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
    clock: FakeClock, ddb: Any,
) -> None:
    order = resolved(orders, owner, desk)
    callback = callbacks.of_order(owner, "lanting", order.number)
    assert callback is not None
    clock.now += timedelta(hours=3)
    trips = RoundTrips(ddb)
    done = callbacks.record_result(desk, "lanting", callback.callback_id, SATISFIED)
    assert trips.count() == 3  # the callback, the order, one transaction for both
    assert done.state == "done" and done.result is not None
    assert (done.result.method, done.result.by, done.result.at) == (
        "phone", "staff:zhao.desk", iso(clock.now))  # fmt: skip
    assert done.result.ratings["overall"] == "satisfied" and done.result.score == 100
    after, history = orders.read(desk, "lanting", order.number)
    assert after.state == "callback_done"
    assert (history[-1].action, history[-1].details) == ("callback", {"callback": callback.callback_id})
    assert listed(callbacks.due(desk, "lanting", date(2026, 11, 30))) == []


def test_an_unsatisfied_answer_reopens_the_order_and_the_second_resolve_gets_a_new_callback(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
) -> None:
    order = resolved(orders, owner, desk)
    first = callbacks.of_order(owner, "lanting", order.number)
    assert first is not None
    with pytest.raises(InvalidInput) as missing:
        callbacks.record_result(desk, "lanting", first.callback_id, replace(UNSATISFIED, comment=""))
    assert missing.value.code == "callback_comment_missing"
    callbacks.record_result(desk, "lanting", first.callback_id, UNSATISFIED)
    reopened, history = orders.read(desk, "lanting", order.number)
    assert (reopened.state, reopened.reopen_count) == ("reopened", 1)
    assert (history[-1].action, history[-1].note) == ("reopen", "卫生间还在渗水")
    again = resolved(orders, owner, desk, number=order.number)
    second = callbacks.of_order(owner, "lanting", again.number)
    assert second is not None and second.callback_id != first.callback_id and second.is_due
    assert listed(callbacks.due(desk, "lanting", date(2026, 11, 30))) == [second.callback_id]


def test_an_owner_reopening_before_the_callback_cancels_it_so_one_stays_open_per_order(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
    services: Services,
) -> None:
    order = resolved(orders, owner, desk)
    first = callbacks.of_order(owner, "lanting", order.number)
    assert first is not None
    orders.act(owner, "lanting", order.number, "reopen", "师傅走后又开始漏水")
    cancelled = services.callback_repo.get("lanting", first.callback_id)
    assert cancelled is not None
    assert (cancelled.state, cancelled.closed_reason) == ("cancelled", "order_reopen")
    resolved(orders, owner, desk, number=order.number)
    [again] = listed(callbacks.due(desk, "lanting", date(2026, 11, 30)))
    assert again == f"order.{order.number}.1"
    with pytest.raises(Conflict) as done:
        callbacks.record_result(desk, "lanting", first.callback_id, SATISFIED)
    assert done.value.code == "callback_already_recorded"


def test_a_callback_recorded_twice_at_once_is_recorded_once(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
    butler: Identity, services: Services,
) -> None:
    order = resolved(orders, owner, desk)
    callback = callbacks.of_order(owner, "lanting", order.number)
    assert callback is not None
    # Both read the callback and the order before either writes.
    stale_order = services.work_order_repo.get("lanting", order.number)
    fresh_callback, fresh_order = services.callback_repo.get, services.work_order_repo.get
    reads = iter([callback])
    services.callback_repo.get = lambda e, i: next(reads, None) or fresh_callback(e, i)  # type: ignore[method-assign]
    services.work_order_repo.get = lambda e, n: stale_order  # type: ignore[method-assign]
    callbacks.record_result(desk, "lanting", callback.callback_id, SATISFIED)
    reads = iter([callback])
    with pytest.raises(Conflict) as second:
        callbacks.record_result(butler, "lanting", callback.callback_id, UNSATISFIED)
    assert second.value.code == "callback_already_recorded"
    services.work_order_repo.get = fresh_order  # type: ignore[method-assign]
    after, history = orders.read(desk, "lanting", order.number)
    assert after.state == "callback_done"
    assert [e.action for e in history].count("callback") == 1
    stored = fresh_callback("lanting", callback.callback_id)
    assert stored is not None and stored.result is not None and stored.result.by == "staff:zhao.desk"


def test_the_owner_answers_their_own_orders_callback_online(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
) -> None:
    order = resolved(orders, owner, desk)
    stranger = owner_identity("s" * 32, ("lanting", "3", "1-0101"))
    with pytest.raises(NotFound):
        callbacks.answer_online(stranger, "lanting", order.number, SATISFIED)
    with pytest.raises(Forbidden):
        callbacks.answer_online(desk, "lanting", order.number, SATISFIED)
    done = callbacks.answer_online(owner, "lanting", order.number,
                                   replace(SATISFIED, method="phone"))  # fmt: skip
    assert done.result is not None
    assert (done.result.method, done.result.by) == ("online", f"owner:{owner.user_id}")
    assert orders.read(owner, "lanting", order.number)[0].state == "callback_done"
    with pytest.raises(Conflict):
        callbacks.answer_online(owner, "lanting", order.number, SATISFIED)


def test_an_unanswered_attempt_is_kept_and_the_callback_stays_due(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
    clock: FakeClock,
) -> None:
    callback = callbacks.of_order(owner, "lanting", resolved(orders, owner, desk).number)
    assert callback is not None
    with pytest.raises(InvalidInput):
        callbacks.record_attempt(desk, "lanting", callback.callback_id, "online", reached=False)
    tried = callbacks.record_attempt(desk, "lanting", callback.callback_id, "phone",
                                     reached=False, note="无人接听")  # fmt: skip
    assert tried.is_due and [(a.method, a.reached, a.note, a.by) for a in tried.attempts] == [
        ("phone", False, "无人接听", "staff:zhao.desk")]  # fmt: skip
    clock.now += timedelta(hours=2)
    done = callbacks.record_result(desk, "lanting", callback.callback_id,
                                   replace(SATISFIED, method="visit"))  # fmt: skip
    assert [(a.method, a.reached) for a in done.attempts] == [("phone", False), ("visit", True)]


@pytest.mark.parametrize(("ratings", "code"), [
    ({"result": "satisfied"}, "callback_rating_missing"),
    ({"overall": "很好"}, "callback_rating_invalid"),
    ({"overall": "satisfied", "price": "satisfied"}, "callback_rating_invalid"),
])  # fmt: skip
def test_an_answer_needs_overall_and_known_questions_on_the_three_step_scale(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
    ratings: dict[str, str], code: str,
) -> None:
    callback = callbacks.of_order(owner, "lanting", resolved(orders, owner, desk).number)
    assert callback is not None
    with pytest.raises(InvalidInput) as refused:
        callbacks.record_result(desk, "lanting", callback.callback_id, Answer(ratings))
    assert refused.value.code == code


def test_staff_see_and_record_callbacks_only_in_their_estate_and_buildings(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
) -> None:
    callback = callbacks.of_order(owner, "lanting", resolved(orders, owner, desk).number)
    assert callback is not None
    building_1 = staff_identity("li", "butler", buildings={"lanting": frozenset({"1"})})
    elsewhere = staff_identity("wu", "butler", estates=("meixi",))
    cleaner = staff_identity("chen", "cleaning")
    for who in (building_1, elsewhere, cleaner):
        with pytest.raises(NotFound):
            callbacks.record_result(who, "lanting", callback.callback_id, SATISFIED)
    assert listed(callbacks.due(building_1, "lanting", date(2026, 11, 30))) == []
    for who in (elsewhere, cleaner, owner):
        with pytest.raises(Forbidden):
            callbacks.due(who, "lanting")


def test_a_callback_not_done_within_24_hours_is_listed_as_overdue(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
    clock: FakeClock, ddb: Any,
) -> None:
    callback = callbacks.of_order(owner, "lanting", resolved(orders, owner, desk).number)
    assert listed(callbacks.due(desk, "lanting")) == []  # due tomorrow (local), not today
    clock.now += timedelta(hours=25)
    trips = RoundTrips(ddb)
    late = callbacks.due(desk, "lanting")
    assert trips.count() == 1
    assert [c.callback_id for c in late.overdue] == [callback.callback_id if callback else ""]


def test_the_owner_is_told_by_sms_off_the_request_path_and_never_in_the_quiet_hours(
    services: Services, ddb: Any, desk: Identity, clock: FakeClock
) -> None:
    owner = make_owner(ddb, services.settings, "13800138000", "王芳", ("lanting", "2", "1-1503"))
    me = owner.identity()
    clock.now = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    order = resolved(services.work_orders, me, desk)
    assert services.task_runner.run_due() == {}  # waits for the morning
    assert services.outbox.recent() == []
    clock.now = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    services.task_runner.run_due()  # with the order's own notices (acknowledged, resolved)
    [sms] = [m for m in services.outbox.recent() if "回访" in m.text]
    assert sms.phone == "13800138000" and order.number in sms.text


def test_no_sms_once_the_callback_was_answered(
    services: Services, ddb: Any, desk: Identity, clock: FakeClock
) -> None:
    owner = make_owner(ddb, services.settings, "13800138000", "王芳", ("lanting", "2", "1-1503"))
    clock.now = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    order = resolved(services.work_orders, owner.identity(), desk)
    services.callbacks.answer_online(owner.identity(), "lanting", order.number, SATISFIED)
    clock.now = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    services.task_runner.run_due()
    assert [m for m in services.outbox.recent() if "回访" in m.text] == []


@pytest.mark.parametrize(("local", "sent"), [
    ("2026-11-22T10:00", "2026-11-22T10:00"),
    ("2026-11-22T21:59", "2026-11-22T21:59"),
    ("2026-11-22T22:00", "2026-11-23T08:00"),
    ("2026-11-23T03:15", "2026-11-23T08:00"),
    ("2026-11-23T08:00", "2026-11-23T08:00"),
])  # fmt: skip
def test_messages_to_owners_wait_for_the_end_of_the_quiet_hours(local: str, sent: str) -> None:
    tz = zone("Asia/Shanghai")
    moment = datetime.fromisoformat(local).replace(tzinfo=tz)
    assert after_quiet_hours(moment, tz) == datetime.fromisoformat(sent).replace(tzinfo=tz)


def test_the_satisfaction_index_weighs_the_questions_answered() -> None:
    assert sum(d.weight for d in DIMENSIONS) == 100
    assert weighted_score({"overall": "satisfied", "result": "neutral"}) == 80
    assert weighted_score({}) == 0
    answer = Result({"overall": "neutral", "result": "unsatisfied"}, "", "phone", "", "")
    assert answer.unsatisfied and not Result({"attitude": "unsatisfied", "overall": "neutral"},
                                             "", "phone", "", "").unsatisfied  # fmt: skip


def test_a_callback_item_leaves_the_due_index_when_done(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
    services: Services,
) -> None:
    callback = callbacks.of_order(owner, "lanting", resolved(orders, owner, desk).number)
    assert callback is not None
    item = services.table.get(service_keys.callback("lanting", callback.callback_id))
    assert item is not None and item["gsi1pk"] == service_keys.callbacks_due("lanting")
    callbacks.record_result(desk, "lanting", callback.callback_id, SATISFIED)
    item = services.table.get(service_keys.callback("lanting", callback.callback_id))
    assert item is not None and "gsi1pk" not in item and item["gsi2pk"].startswith("CBUNIT#")


def test_attempts_past_the_limit_are_a_conflict_and_control_characters_are_dropped(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
) -> None:
    from portal.workorders.callback_model import MAX_ATTEMPTS

    callback = callbacks.of_order(owner, "lanting", resolved(orders, owner, desk).number)
    assert callback is not None
    tried = callbacks.record_attempt(desk, "lanting", callback.callback_id, "phone",
                                     reached=False, note="无人\x00接听\x07")  # fmt: skip
    assert tried.attempts[-1].note == "无人接听"
    for _ in range(MAX_ATTEMPTS - 1):
        callbacks.record_attempt(desk, "lanting", callback.callback_id, "phone", reached=False)
    with pytest.raises(Conflict) as refused:
        callbacks.record_attempt(desk, "lanting", callback.callback_id, "phone", reached=False)
    assert refused.value.code == "callback_too_many_attempts"


def test_the_due_list_answers_for_any_day_asked(
    orders: WorkOrderService, callbacks: CallbackService, owner: Identity, desk: Identity,
) -> None:
    callback = callbacks.of_order(owner, "lanting", resolved(orders, owner, desk).number)
    assert callback is not None
    assert listed(callbacks.due(desk, "lanting", date.max)) == [callback.callback_id]
    assert listed(callbacks.due(desk, "lanting", date.min)) == []
