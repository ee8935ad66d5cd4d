"""The callback routes over HTTP: staff work the due list and record results that move the
order, the owner answers online, an unsatisfied answer reopens, errors keep stable codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.factories import FakeClock
from tests.support.auth import AuthActions, Caller
from tests.support.workorders import ORDER

SATISFIED = {"ratings": {"overall": "satisfied", "result": "satisfied", "attitude": "satisfied"}}
UNSATISFIED = {"ratings": {"overall": "unsatisfied", "result": "unsatisfied"},
               "comment": "卫生间还在渗水"}  # fmt: skip


def _order_path(order: dict[str, Any]) -> str:
    return f"/api/orders/{order['estate']}/{order['number']}"


def resolved_order(owner: Caller, desk: Caller) -> dict[str, Any]:
    """An owner's repair, taken to "resolved" by the front desk: its callback is due."""
    order: dict[str, Any] = owner.post("/api/orders", ORDER).json
    for action, extra in (("acknowledge", {}), ("dispatch", {"assignee": "陈师傅"}),
                          ("resolve", {"note": "已更换水管接头"})):  # fmt: skip
        res = desk.post(_order_path(order) + "/actions", {"action": action, **extra})
        assert res.status_code == 200, (action, res.json)
    return order


def owner_id(auth: AuthActions, phone: str = "13800138000") -> str:
    owner = auth.services.owners.by_phone(phone)
    assert owner is not None
    return owner.owner_id


def _callback_path(callback_id: str) -> str:
    return f"/api/callbacks/lanting/{callback_id}"


def test_staff_call_back_from_the_due_list_and_a_satisfied_result_moves_the_order_on(
    auth: AuthActions,
) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    order = resolved_order(owner, desk)
    due = desk.get("/api/callbacks?estate=lanting&day=2026-11-23")
    assert due.status_code == 200, due.json
    assert due.json["overdue"] == []
    (listed,) = due.json["due"]
    callback_id = f"order.{order['number']}.0"
    assert (listed["callback_id"], listed["order_number"], listed["state"]) == (
        callback_id, order["number"], "due")  # fmt: skip
    assert (listed["building"], listed["room"], listed["due_at"]) == ("2", "1-1503",
                                                                      "2026-11-23T02:00:00Z")  # fmt: skip
    tried = desk.post(
        _callback_path(callback_id) + "/attempts", {"method": "phone", "note": "无人接听"}
    )
    assert tried.status_code == 200, tried.json
    assert tried.json["state"] == "due"
    assert [(a["reached"], a["note"]) for a in tried.json["attempts"]] == [(False, "无人接听")]
    done = desk.post(_callback_path(callback_id) + "/result", {**SATISFIED, "method": "phone"})
    assert done.status_code == 200, done.json
    assert done.json["state"] == "done" and done.json["result"]["score"] == 100
    assert done.json["result"]["by"] == "staff:zhao.desk" and not done.json["result"]["unsatisfied"]
    seen = owner.get(_order_path(order)).json
    assert seen["order"]["state"] == "callback_done"
    assert seen["history"][-1]["action"] == "callback"
    again = desk.post(_callback_path(callback_id) + "/result", SATISFIED)
    assert again.status_code == 409
    assert again.json["error"]["code"] == "callback_already_recorded"
    assert again.json["error"]["message"] and again.json["error"]["message_en"]
    assert desk.get(_callback_path(callback_id)).json["state"] == "done"
    assert desk.get("/api/callbacks?estate=lanting&day=2026-11-23").json["due"] == []


def test_the_owner_answers_online_on_the_orders_page(auth: AuthActions) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    order = resolved_order(owner, desk)
    desk.post(_callback_path(f"order.{order['number']}.0") + "/attempts", {"note": "晚上再打"})
    mine = owner.get(_order_path(order) + "/callback")
    assert mine.status_code == 200, mine.json
    assert mine.json["may_answer"] is True
    assert mine.json["callback"]["state"] == "due"
    assert mine.json["callback"]["attempts"] == []  # staff's own notes stay with staff
    assert desk.get(_order_path(order) + "/callback").json["may_answer"] is False
    assert desk.post(_order_path(order) + "/callback", SATISFIED).status_code == 403
    answered = owner.post(_order_path(order) + "/callback", {**SATISFIED, "comment": "师傅很细心"})
    assert answered.status_code == 200, answered.json
    result = answered.json["callback"]["result"]
    assert (result["method"], result["comment"], result["by"]) == ("online", "师傅很细心", "")
    assert owner.get(_order_path(order)).json["order"]["state"] == "callback_done"
    again = owner.post(_order_path(order) + "/callback", SATISFIED)
    assert again.status_code == 409 and again.json["error"]["code"] == "callback_already_recorded"
    neighbour = auth.owner("13900139000", "李雷", ("lanting", "2", "1-1504"))
    assert neighbour.get(_order_path(order) + "/callback").status_code == 404


def test_an_unsatisfied_answer_reopens_the_order_with_the_comment_as_its_note(
    auth: AuthActions,
) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    order = resolved_order(owner, desk)
    silent = owner.post(_order_path(order) + "/callback", {**UNSATISFIED, "comment": " "})
    assert silent.status_code == 400
    assert silent.json["error"]["code"] == "callback_comment_missing"
    answered = owner.post(_order_path(order) + "/callback", UNSATISFIED)
    assert answered.status_code == 200, answered.json
    assert answered.json["callback"]["result"]["unsatisfied"] is True
    seen = owner.get(_order_path(order)).json
    assert (seen["order"]["state"], seen["order"]["reopen_count"]) == ("reopened", 1)
    assert (seen["history"][-1]["action"], seen["history"][-1]["note"]) == ("reopen",
                                                                          "卫生间还在渗水")  # fmt: skip
    after = owner.get(_order_path(order) + "/callback").json
    assert after == {"callback": None, "may_answer": False}  # the next resolve makes the next one
    assert owner.post(_order_path(order) + "/callback", SATISFIED).status_code == 404


def test_a_staff_result_that_is_unsatisfied_reopens_too(auth: AuthActions) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    order = resolved_order(owner, desk)
    done = desk.post(_callback_path(f"order.{order['number']}.0") + "/result",
                     {**UNSATISFIED, "method": "visit"})  # fmt: skip
    assert done.status_code == 200, done.json
    assert owner.get(_order_path(order)).json["order"]["state"] == "reopened"


def test_the_due_list_splits_overdue_from_due_and_keeps_to_the_callers_estate(
    auth: AuthActions, clock: FakeClock
) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    first = resolved_order(owner, desk)
    clock.now += timedelta(hours=30)
    owner, desk = auth.as_user("owner", owner_id(auth)), auth.as_user("staff", "zhao.desk")
    second = resolved_order(owner, desk)
    got = desk.get("/api/callbacks?estate=lanting").json  # today: 2026-11-23 local
    assert [c["order_number"] for c in got["overdue"]] == [first["number"]]
    assert got["overdue"][0]["overdue"] is True
    assert [c["order_number"] for c in got["due"]] == []  # due tomorrow
    tomorrow = desk.get("/api/callbacks?estate=lanting&day=2026-11-24").json
    assert [c["order_number"] for c in tomorrow["due"]] == [second["number"]]
    meixi = auth.staff("wu.desk", "front_desk", estates=("meixi",))
    assert meixi.get("/api/callbacks?estate=lanting").status_code == 403
    path = _callback_path(f"order.{first['number']}.0")
    assert meixi.get(path).status_code == 404  # another estate's callback looks missing
    assert owner.get("/api/callbacks?estate=lanting").status_code == 403
    admin = auth.staff("root", "admin")
    unknown = admin.get("/api/callbacks?estate=nowhere")
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_estate"
    assert desk.get("/api/callbacks?estate=lanting&day=2026-11-31").status_code == 400
    assert admin.get(_callback_path("monthly.2026-11.9.9-9999")).json["error"]["code"] == (
        "callback_not_found")  # fmt: skip
