"""Paying with WeChat Pay inside WeChat: the silent OAuth step gives the payer's openid,
kept in an HttpOnly cookie, and the JSAPI payment started next uses it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.billing.providers import crypto
from portal.billing.providers.config import payment_settings
from portal.billing.providers.http import HttpResponse
from portal.settings import Settings
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.auth import AuthActions
from tests.support.payments import (
    APIV3_KEY,
    APPID,
    MCHID,
    MERCHANT_SERIAL,
    PLATFORM_KEY_ID,
    RecordingTransport,
    Sent,
    key,
    wechat_answer,
)
from tests.unit.billing.conftest import put_units

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
UNIT = {"estate": "lanting", "building": "2", "room": "1-1503"}
PAYMENTS = {
    "accounts": {"company-wechat": {
        "provider": "wechat", "mchid": MCHID, "appid": APPID, "merchant_serial": MERCHANT_SERIAL,
        "private_key": "env:PAY_MERCHANT_KEY", "apiv3_key": "env:PAY_APIV3",
        "platform_public_keys": {PLATFORM_KEY_ID: "env:PAY_PLATFORM_PUBLIC"},
        "app_secret": "env:PAY_APP_SECRET"}},
    "estates": {"*": ["company-wechat"]},
}  # fmt: skip


@pytest.fixture
def settings(settings: Settings) -> Settings:
    env = {"PORTAL_PAYMENTS": json.dumps(PAYMENTS), "PAY_APIV3": APIV3_KEY,
           "PAY_MERCHANT_KEY": crypto.private_pem(key("merchant")),
           "PAY_PLATFORM_PUBLIC": crypto.public_pem(key("platform").public_key()),
           "PAY_APP_SECRET": "app-secret"}  # fmt: skip
    return settings.with_(payments=payment_settings(env, local=True))


@pytest.fixture
def wechat(services: Services, demo_company: Any, clock: FakeClock) -> RecordingTransport:
    """WeChat, as the transport sees it: the code exchange and the JSAPI prepay call."""

    def respond(sent: Sent) -> HttpResponse:
        if "sns/oauth2/access_token" in sent.url:
            return HttpResponse(200, {}, json.dumps({"openid": OPENID, "scope": "snsapi_base"}).encode())
        return wechat_answer(clock(), {"prepay_id": "wx22100000000000000001"})

    transport = RecordingTransport(respond)
    services.payment_transport = transport
    services.estates.company()
    put_units(services.table, demo_company)
    services.billing_run.run("lanting", "2026-11", actor="cli:test")
    return transport


def _owner(auth: AuthActions) -> Any:
    return auth.owner("13800138000", "王芳", ("lanting", "2", "1-1503"))


def _pay(owner: Any) -> Any:
    return owner.post("/api/payments", {**UNIT, "bills": ["2026-11-management"],
                                        "provider": "wechat", "in_wechat": True})  # fmt: skip


def test_inside_wechat_a_payment_first_asks_for_the_payers_openid(
    auth: AuthActions, wechat: RecordingTransport
) -> None:
    res = _pay(_owner(auth))
    assert res.status_code == 409 and res.json["error"]["code"] == "wechat_openid_required"


def test_the_oauth_step_keeps_the_openid_for_the_jsapi_payment_that_follows(
    auth: AuthActions, wechat: RecordingTransport, services: Services
) -> None:
    owner = _owner(auth)
    res = owner.client.get("/api/payments/wechat/authorize", query_string=UNIT)
    assert res.status_code == 302
    where = urlsplit(res.headers["Location"])
    query = parse_qs(where.query)
    assert where.netloc == "open.weixin.qq.com" and query["appid"] == [APPID]
    assert query["scope"] == ["snsapi_base"]
    state = query["state"][0]
    back = owner.client.get("/api/payments/wechat/callback",
                            query_string={**UNIT, "code": "0123456789abcdef", "state": state})  # fmt: skip
    assert back.status_code == 302 and back.headers["Location"].endswith("?wechat=ready")
    cookie = next(c for c in back.headers.getlist("Set-Cookie") if c.startswith("portal_wx_openid="))
    assert "HttpOnly" in cookie and "Path=/api/payments" in cookie
    paid = _pay(owner)
    assert paid.status_code == 201, paid.json
    assert paid.json["start"]["kind"] == "jsapi" and paid.json["start"]["fields"]["package"]
    prepay = json.loads(wechat.sent[-1].body)
    assert prepay["payer"] == {"openid": OPENID}


def test_a_callback_with_another_state_keeps_no_openid(
    auth: AuthActions, wechat: RecordingTransport
) -> None:
    owner = _owner(auth)
    owner.client.get("/api/payments/wechat/authorize", query_string=UNIT)
    back = owner.client.get("/api/payments/wechat/callback",
                            query_string={**UNIT, "code": "0123456789abcdef", "state": "forged"})  # fmt: skip
    assert back.status_code == 302 and back.headers["Location"].endswith("?wechat=failed")
    assert not any(c.startswith("portal_wx_openid=") for c in back.headers.getlist("Set-Cookie"))
    assert not any("access_token" in s.url for s in wechat.sent)  # no code was exchanged
    assert _pay(owner).status_code == 409
