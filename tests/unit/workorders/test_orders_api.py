"""The work-order routes over HTTP: the owner's loop from submit to sign-off, a retried submit
that makes one order, error bodies with stable codes, masking of the contact number."""

from __future__ import annotations

from typing import Any

from tests.support.auth import AuthActions
from tests.support.workorders import ORDER


def _path(order: dict[str, Any]) -> str:
    return f"/api/orders/{order['estate']}/{order['number']}"


def test_an_owner_follows_a_repair_from_submit_to_sign_off(auth: AuthActions) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    made = owner.post("/api/orders", ORDER)
    assert made.status_code == 201, made.json
    order = made.json
    assert order["state"] == "submitted" and order["actions"] == []
    assert [d["stage"] for d in order["deadlines"]] == ["acknowledge", "dispatch", "feedback",
                                                       "resolve"]  # fmt: skip
    for action, extra in (("acknowledge", {}), ("dispatch", {"assignee": "陈师傅"}),
                          ("arrive", {}), ("resolve", {"note": "已更换水管接头"})):  # fmt: skip
        res = desk.post(_path(order) + "/actions", {"action": action, **extra})
        assert res.status_code == 200, (action, res.json)
    seen = owner.get(_path(order)).json
    assert seen["order"]["state"] == "resolved"
    assert seen["order"]["actions"] == ["sign_off", "reopen"]  # the callback has its own route
    assert [e["action"] for e in seen["history"]] == ["submit", "acknowledge", "dispatch",
                                                     "arrive", "resolve"]  # fmt: skip
    signed = owner.post(_path(order) + "/actions", {"action": "sign_off", "rating": 5,
                                                    "note": "师傅很细心"})  # fmt: skip
    assert signed.status_code == 200 and signed.json["state"] == "signed_off"
    assert [o["number"] for o in owner.get("/api/orders/mine").json["items"]] == [order["number"]]


def test_a_submit_retried_after_a_dropped_connection_makes_one_order(auth: AuthActions) -> None:
    owner = auth.owner("13800138000")
    body = {**ORDER, "request_id": "c0ffee-2026-11-22-0001"}
    first, again = owner.post("/api/orders", body), owner.post("/api/orders", body)
    assert first.status_code == again.status_code == 201
    assert first.json["number"] == again.json["number"]
    assert len(owner.get("/api/orders/mine").json["items"]) == 1


def test_a_move_the_table_does_not_allow_is_a_409_with_a_stable_code(auth: AuthActions) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    order = owner.post("/api/orders", ORDER).json
    res = desk.post(_path(order) + "/actions", {"action": "resolve"})
    assert res.status_code == 409
    assert res.json["error"]["code"] == "order_action_not_allowed"
    assert res.json["error"]["message"] and res.json["error"]["message_en"]


def test_a_bad_order_is_a_400_with_a_stable_code(auth: AuthActions) -> None:
    owner = auth.owner("13800138000")
    res = owner.post("/api/orders", {**ORDER, "category": "roof"})
    assert res.status_code == 400
    res = owner.post("/api/orders", {**ORDER, "description": "   "})
    assert res.status_code == 400 and res.json["error"]["code"] == "invalid_input"
    res = owner.post("/api/orders", {**ORDER, "unknown": 1})
    assert res.status_code == 400


def test_cleaning_staff_see_the_contact_number_masked(auth: AuthActions) -> None:
    owner = auth.owner("13800138000")
    order = owner.post("/api/orders", ORDER).json
    cleaner = auth.staff("sun.clean", "cleaning", estates=("lanting",))
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    assert cleaner.get(_path(order)).json["order"]["contact_phone"] == "138****8000"
    assert desk.get(_path(order)).json["order"]["contact_phone"] == "13800138000"


def test_the_queue_shows_a_new_order_to_the_estates_staff(auth: AuthActions) -> None:
    owner = auth.owner("13800138000")
    order = owner.post("/api/orders", ORDER).json
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    queue = desk.get("/api/orders/queue").json
    assert [o["number"] for o in queue["new"]] == [order["number"]]
    meixi = auth.staff("wu.desk", "front_desk", estates=("meixi",))
    assert meixi.get("/api/orders/queue").json["new"] == []


def test_the_front_desk_logs_a_call_for_an_owner_and_the_owner_sees_it(auth: AuthActions) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    body = {**ORDER, "channel": "phone", "owner_phone": "138 0013 8000"}
    made = desk.post("/api/orders", body)
    assert made.status_code == 201, made.json
    assert made.json["channel"] == "phone"
    assert [o["number"] for o in owner.get("/api/orders/mine").json["items"]] == [
        made.json["number"]]  # fmt: skip
    elsewhere = desk.post("/api/orders", {**body, "room": "1-1504"})
    assert elsewhere.status_code == 404
    assert elsewhere.json["error"]["code"] == "order_owner_not_resident"


def test_an_order_names_its_responsible_staff_member_and_the_hand_over_chain(
    auth: AuthActions,
) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",), name="赵前台")
    auth.make_staff("qian.butler", "butler", estates=("lanting",), name="钱管家")
    order = owner.post("/api/orders", ORDER).json
    assert order["responsible"] == "" and order["responsible_name"] == ""
    desk.post(_path(order) + "/actions", {"action": "acknowledge"})
    handed = desk.post(_path(order) + "/actions", {"action": "hand_over", "to": "qian.butler"})
    assert handed.status_code == 200, handed.json
    assert handed.json["responsible"] == "qian.butler"
    assert handed.json["responsible_name"] == "钱管家"
    seen = owner.get(_path(order)).json["order"]
    assert seen["responsible_name"] == "钱管家"
    assert [(h["to_name"], h["by_name"]) for h in seen["chain"]] == [
        ("赵前台", "赵前台"), ("钱管家", "赵前台")]
    queue = desk.get("/api/orders?estate=lanting").json["items"]
    assert [o["responsible_name"] for o in queue] == ["钱管家"]
