"""The owner-profile and KPI routes over HTTP: staff keep a profile (a stale version is a 409),
phones masked for those who may not call owners, one timeline and the change history, the
archive completeness numbers, and the month's KPIs, traceable and kept to the estate."""

from __future__ import annotations

from typing import Any

from portal.accounts.identity import UnitRef
from portal.accounts.owners import Binding, Owner, OwnerRepository, owner_id_for
from portal.wiring import Services
from tests.support.auth import AuthActions
from tests.support.workorders import ORDER

UNIT = "/api/profiles/lanting/2/1-1503"


def on_roster(services: Services, phone: str, name: str, room: str = "1-1503",
              occupancy: str = "moved_in") -> Owner:  # fmt: skip
    """An owner of lanting building 2 as the roster import writes one (入伙 2021-03-15)."""
    owner = Owner(owner_id_for(phone, services.settings.phone_hash_key), name, phone,
                  (Binding(UnitRef("lanting", "2", room, "owner"), "2021-03-15", occupancy),))  # type: ignore[arg-type]  # fmt: skip
    OwnerRepository(services.table, services.settings.phone_hash_key).save(owner)
    return owner


def test_staff_keep_a_profile_and_a_change_from_a_stale_read_is_a_409(
    auth: AuthActions, services: Services
) -> None:
    on_roster(services, "13800138000", "王芳")
    butler = auth.staff("li.butler", "butler", estates=("lanting",))
    read = butler.get(UNIT)
    assert read.status_code == 200, read.json
    assert (read.json["version"], read.json["occupancy"], read.json["handover_date"]) == (
        0, "moved_in", "2021-03-15")  # fmt: skip
    assert read.json["missing"] == ["segment", "move_in_date"]
    assert read.json["residents"] == [
        {"name": "王芳", "phone": "13800138000", "relationship": "owner"}
    ]
    change = {"version": 0, "segment": "key", "move_in_date": "2021-05-01",
              "members": [{"name": "王小明", "relationship": "child", "phone": "139 0013 9001"}],
              "defects": ["客厅墙面空鼓", " "]}  # fmt: skip
    kept = butler.patch(UNIT, change)
    assert kept.status_code == 200, kept.json
    assert (kept.json["version"], kept.json["complete"], kept.json["defects"]) == (
        1, True, ["客厅墙面空鼓"])  # fmt: skip
    assert kept.json["members"][0]["phone"] == "13900139001"
    stale = butler.patch(UNIT, {"version": 0, "segment": "general"})
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "profile_changed"
    assert stale.json["error"]["message"] and stale.json["error"]["message_en"]
    (line,) = butler.get(UNIT + "/history").json["items"]
    assert (line["actor"], line["version"]) == ("staff:li.butler", 1)
    assert line["changes"]["segment"] == ["", "key"]
    assert line["changes"]["members"] == [[], ["王小明（child，139****9001）"]]


def test_what_today_or_the_stored_dates_rule_out_is_a_409_and_a_malformed_date_a_400(
    auth: AuthActions, services: Services
) -> None:
    on_roster(services, "13800138000", "王芳")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    future = desk.patch(UNIT, {"move_in_date": "2027-01-01"})
    assert future.status_code == 409 and future.json["error"]["code"] == "profile_date_in_future"
    assert desk.patch(UNIT, {"handover_date": "2021-06-01"}).status_code == 200
    before = desk.patch(UNIT, {"move_in_date": "2021-05-01"})
    assert before.status_code == 409
    assert before.json["error"]["code"] == "profile_move_in_before_handover"
    for bad in ({"move_in_date": "2021-02-30"}, {"move_in_date": "2021/5/1"},
                {"segment": "vip"}, {"version": "1"}, {"unknown": 1}):  # fmt: skip
        res = desk.patch(UNIT, bad)
        assert res.status_code == 400, (bad, res.json)
    missing = desk.get("/api/profiles/lanting/2/9-9999")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "unknown_unit"


def test_phones_are_masked_for_staff_who_may_not_call_owners_and_in_every_list(
    auth: AuthActions, services: Services
) -> None:
    on_roster(services, "13800138000", "王芳")
    cleaner = auth.staff("sun.clean", "cleaning", estates=("lanting",))
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    assert cleaner.get(UNIT).json["residents"][0]["phone"] == "138****8000"
    assert desk.get(UNIT).json["residents"][0]["phone"] == "13800138000"
    assert cleaner.patch(UNIT, {"segment": "key"}).status_code == 403  # reads, never keeps
    listed = desk.get("/api/profiles?estate=lanting&building=2").json["items"]
    mine = [p for p in listed if p["room"] == "1-1503"]
    assert mine[0]["residents"][0]["phone"] == "138****8000"
    assert {p["building"] for p in listed} == {"2"}
    assert desk.get("/api/profiles?estate=lanting&building=99").status_code == 404
    meixi = auth.staff("wu.desk", "front_desk", estates=("meixi",))
    assert meixi.get(UNIT).status_code == 403


def test_the_timeline_shows_the_units_orders_and_callbacks(
    auth: AuthActions, services: Services
) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    order = owner.post("/api/orders", ORDER).json
    desk.post(f"/api/orders/lanting/{order['number']}/actions", {"action": "note", "note": "内部"})
    items = desk.get(UNIT + "/timeline").json["items"]
    assert [(i["source"], i["ref"], i["action"]) for i in items] == [
        ("order", order["number"], "submit")]  # the internal note never shows  # fmt: skip


def test_archive_completeness_counts_complete_profiles_over_units_with_what_each_lacks(
    auth: AuthActions, services: Services
) -> None:
    on_roster(services, "13800138000", "王芳")
    on_roster(services, "13900139000", "李雷", room="1-1504")
    manager = auth.staff("zhou.pm", "project_manager", estates=("lanting",))
    manager.patch(UNIT, {"segment": "general", "move_in_date": "2021-05-01"})
    got = manager.get("/api/profiles/completeness?estate=lanting")
    assert got.status_code == 200, got.json
    body: dict[str, Any] = got.json
    units = services.estates.estate("lanting").unit_count
    assert (body["complete"], body["units"]) == (1, units)
    assert body["complete_units"] == ["lanting/2/1-1503"]
    assert body["percent"] == round(100 / units, 2)
    lacking = {i["unit_id"]: i["missing"] for i in body["incomplete"]}
    assert len(lacking) == units - 1
    assert lacking["lanting/2/1-1504"] == ["segment", "move_in_date"]
    assert all("owner" in m for u, m in lacking.items() if u != "lanting/2/1-1504")  # no roster
    assert manager.get("/api/profiles/completeness?estate=meixi").status_code == 403


def test_the_kpi_report_is_traceable_and_kept_to_the_estate(
    auth: AuthActions, services: Services
) -> None:
    owner = auth.owner("13800138000")
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    order = owner.post("/api/orders", ORDER).json
    for action, extra in (("acknowledge", {}), ("dispatch", {"assignee": "陈师傅"}),
                          ("resolve", {})):  # fmt: skip
        desk.post(f"/api/orders/lanting/{order['number']}/actions", {"action": action, **extra})
    supervisor = auth.staff("qian.sup", "supervisor", estates=("lanting",))
    got = supervisor.get("/api/kpi?estate=lanting&month=2026-11")
    assert got.status_code == 200, got.json
    report = got.json
    assert (report["estate"], report["month"], report["orders"]) == ("lanting", "2026-11", 1)
    kpis = {k["key"]: k for k in report["kpis"]}
    timely = kpis["repair_timeliness"]
    assert timely["numerator"] == {"count": 1, "refs": [order["number"]]}
    assert timely["denominator"]["refs"] == [order["number"]] and timely["value"] == 100.0
    assert kpis["callback_rate"]["pending"]["refs"] == [order["number"]]  # its 24 hours run
    archive = kpis["archive_completeness"]
    assert archive["denominator"]["count"] == services.estates.estate("lanting").unit_count
    assert archive["source"] == "profiles" and archive["status"] == "not_met"
    assert {s["key"] for s in report["stages"]} >= {"acknowledge", "resolve"}
    assert desk.get("/api/kpi?estate=lanting&month=2026-11").status_code == 403  # no kpi.read
    meixi = auth.staff("wu.sup", "supervisor", estates=("meixi",))
    refused = meixi.get("/api/kpi?estate=lanting&month=2026-11")
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    admin = auth.staff("root", "admin")
    assert admin.get("/api/kpi?estate=nowhere&month=2026-11").status_code == 404
    assert admin.get("/api/kpi?estate=lanting&month=2026-13").status_code == 400
