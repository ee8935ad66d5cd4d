"""The bill and payment routes end to end (moto, the fake provider): an owner pays, the
provider notifies, the result page sees `paid` only then, finance refunds."""

from __future__ import annotations

import csv
import io
from typing import Any

from portal.wiring import Services
from tests.support.auth import AuthActions
from tests.support.payments import FakeProvider


def _owner(auth: AuthActions) -> Any:
    return auth.owner("13800138000", "王芳", ("lanting", "2", "1-1503"))


def test_an_owner_pays_and_the_status_says_paid_only_after_the_notification(
    auth: AuthActions, services: Services, provider: FakeProvider
) -> None:
    services.billing_run.run("lanting", "2026-11", actor="cli:test")
    owner = _owner(auth)
    mine = owner.get("/api/bills/mine").json
    (unit,) = mine["units"]
    assert unit["outstanding_yuan"] == "371.00" and unit["unpaid"][0]["name"] == "物业费"
    assert unit["unpaid"][0]["late"] is False and unit["unpaid"][0]["due_date"] == "2026-12-15"
    res = owner.post("/api/payments", {"estate": "lanting", "building": "2", "room": "1-1503",
                                       "bills": ["2026-11-management"], "provider": "sandbox"})  # fmt: skip
    assert res.status_code == 201, res.json
    pid = res.json["payment"]["payment_id"]
    assert res.json["payment"]["amount_fen"] == 37100 and res.json["start"]["kind"] == "sandbox"
    assert owner.get(f"/api/payments/{pid}").json["status"] == "pending"
    assert owner.get(f"/api/payments/{pid}/receipt").status_code == 404

    headers, body = provider.notification(pid, 37100, services.clock())
    anyone = auth.client()
    for _ in range(3):  # the provider retries; no cookie, no CSRF token, another origin
        res = anyone.post("/api/payments/notify/fake", data=body,
                          headers={**headers, "Origin": "https://openapi.alipay.com"})  # fmt: skip
        assert res.status_code == 200 and res.json == {"code": "SUCCESS"}
    got = owner.get(f"/api/payments/{pid}").json
    assert got["status"] == "paid" and got["receipt_no"] == "lanting-2026-000001"
    receipt = owner.get(f"/api/payments/{pid}/receipt").json
    assert receipt["total_yuan"] == "371.00" and receipt["total_capital"] == "叁佰柒拾壹元整"
    assert receipt["labels"]["capital"] == "人民币（大写）" and receipt["title_en"] == "Receipt"
    assert owner.get("/api/bills/mine").json["units"][0]["paid"][0]["status"] == "paid"

    money = auth.staff("qian.finance", "finance", estates=("lanting",))
    res = money.post(f"/api/payments/{pid}/refunds", {"amount_fen": 100, "reason": "多收一元"})
    assert res.status_code == 201 and res.json["state"] == "succeeded", res.json
    account = money.get("/api/bills/lanting/2/1-1503").json
    assert account["unpaid"][0]["status"] == "partly_paid"
    assert account["unpaid"][0]["outstanding_yuan"] == "1.00"


def test_a_notification_with_a_bad_signature_gets_the_providers_refusal(
    auth: AuthActions, services: Services, provider: FakeProvider
) -> None:
    headers, body = provider.notification("20261122deadbeeflanting", 1, services.clock())
    res = auth.client().post("/api/payments/notify/fake", data=body + b" ", headers=headers)
    assert res.status_code == 400 and res.json == {"code": "FAIL"}
    res = auth.client().post("/api/payments/notify/unionpay", data=body, headers=headers)
    assert res.status_code == 404


def test_finance_runs_billing_and_imports_readings(auth: AuthActions, services: Services) -> None:
    money = auth.staff("qian.finance", "finance", estates=("lanting",))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["楼栋", "单元/房号", "表类", "上期读数", "本期读数"])
    w.writerow(["2栋", "1-1503", "水", "100", "112.5"])
    w.writerow(["2栋", "1-1503", "电", "2000", "1990"])  # went backwards
    w.writerow(["9栋", "1-1503", "水", "1", "2"])  # no such building
    w.writerow(["2栋", "1-1504", "燃气", "1", "2"])  # not a meter we bill
    data = out.getvalue().encode("gbk")
    res = money.client.post("/api/bills/readings?estate=lanting&period=2026-11&allow_partial=true",
                            data={"file": (io.BytesIO(data), "抄表.csv")},
                            headers=money.headers, content_type="multipart/form-data")  # fmt: skip
    assert res.status_code == 200, res.json
    report = res.json
    assert report["outcome"] == "partially_imported" and report["written"] == 1
    assert [r["status"] for r in report["rows"]] == ["ok", "error", "error", "error"]
    codes = [[(e["code"], e["column"]) for e in r["errors"]] for r in report["rows"]]
    assert codes[1:] == [[("went_backwards", "本期读数")], [("unknown_building", "楼栋")],
                         [("bad_item", "表类")]]  # fmt: skip
    res = money.post("/api/bills/runs", {"estate": "lanting", "period": "2026-11"})
    assert res.status_code == 200 and res.json["created"] == 5, res.json
    assert res.json["by_item"] == {"management": 4, "water": 1}
    res = money.post("/api/bills/runs", {"estate": "lanting", "period": "2026-11"})
    assert (res.json["created"], res.json["existing"]) == (0, 5)
    res = money.post("/api/bills/charges", {"estate": "lanting", "building": "2", "room": "1-1503",
                                            "period": "2026-11", "ref": "card", "amount_fen": 2000,
                                            "note": "门禁卡补办"})  # fmt: skip
    assert res.status_code == 201 and res.json["amount_yuan"] == "20.00"
    assert money.post("/api/bills/runs", {"estate": "meixi", "period": "2026-11"}).status_code == 403
