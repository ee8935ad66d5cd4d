"""Provider notifications through the API with the real adapters (Alipay RSA2, WeChat Pay v3)
and keys made here: a valid one pays the bill once; each way a notification can be wrong is
refused and writes nothing; a replay writes nothing more; a wrong amount pays no bill.

(The adapters' own tests check every rejection reason; this checks that the route and the
ledger honour them: "rejected" means not one item written.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from portal.billing.providers import crypto
from portal.billing.providers.base import yuan_from_fen
from portal.billing.providers.config import payment_settings
from portal.settings import Settings
from portal.store.items import decode_item
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.payments import (
    ALIPAY_APP_ID,
    ALIPAY_SELLER,
    APIV3_KEY,
    APPID,
    MCHID,
    MERCHANT_SERIAL,
    PLATFORM_KEY_ID,
    RecordingTransport,
    alipay_body,
    alipay_params,
    key,
    transaction,
    wechat_answer,
    wechat_notification,
)
from tests.unit.billing.conftest import UNIT, owner_of, put_units

SECRETS = {
    "PAY_MERCHANT_KEY": crypto.private_pem(key("merchant")),
    "PAY_ALIPAY_PUBLIC": crypto.public_pem(key("alipay").public_key()),
    "PAY_PLATFORM_PUBLIC": crypto.public_pem(key("platform").public_key()),
    "PAY_APIV3": APIV3_KEY,
}
PAYMENTS = {
    "accounts": {
        "lanting-alipay": {"provider": "alipay", "app_id": ALIPAY_APP_ID, "seller_id": ALIPAY_SELLER,
                           "private_key": "env:PAY_MERCHANT_KEY",
                           "alipay_public_key": "env:PAY_ALIPAY_PUBLIC"},
        "company-wechat": {"provider": "wechat", "mchid": MCHID, "appid": APPID,
                           "merchant_serial": MERCHANT_SERIAL, "private_key": "env:PAY_MERCHANT_KEY",
                           "apiv3_key": "env:PAY_APIV3",
                           "platform_public_keys": {PLATFORM_KEY_ID: "env:PAY_PLATFORM_PUBLIC"}},
    },
    "estates": {"*": ["lanting-alipay", "company-wechat"]},
}  # fmt: skip


@pytest.fixture
def settings(settings: Settings) -> Settings:
    env = {"PORTAL_PAYMENTS": json.dumps(PAYMENTS), **SECRETS}
    return settings.with_(payments=payment_settings(env, local=True))


@pytest.fixture
def billed(services: Services, demo_company: Any, clock: FakeClock) -> Services:
    # WeChat Pay's H5 prepay call answered as WeChat does (signed by the platform key)
    services.payment_transport = RecordingTransport(lambda sent: wechat_answer(
        clock(), {"h5_url": "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1"}))
    services.estates.company()
    put_units(services.table, demo_company)
    services.billing_run.run("lanting", "2026-11", actor="cli:test")
    return services


@pytest.fixture
def client(app: Any) -> Any:
    """Anyone: a provider's notification carries no cookie and no CSRF token."""
    return app.test_client()


def _items(services: Services) -> list[dict[str, Any]]:
    client = services.table.client
    pages = client.get_paginator("scan").paginate(TableName=services.table.name)
    return [decode_item(raw) for page in pages for raw in page.get("Items", [])]


def _pay(services: Services, kind: str) -> Any:
    payment, _ = services.payments.create(owner_of(UNIT), UNIT, ["2026-11-management"], kind,
                                          client_ip="203.0.113.7")  # WeChat H5 needs it  # fmt: skip
    return payment


def _alipay(payment: Any, clock: FakeClock, **changes: str | None) -> bytes:
    fen = yuan_from_fen(payment.amount_fen)
    fields: dict[str, str | None] = {"out_trade_no": payment.payment_id, "total_amount": fen,
                                     "receipt_amount": fen, **changes}  # fmt: skip
    return alipay_body(alipay_params(clock(), **fields))


def _flip(body: bytes) -> bytes:
    i = body.index(b"sign=") + 12
    return body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1 :]


ALIPAY_WRONGS: dict[str, Callable[[Any, FakeClock], bytes]] = {
    "a flipped byte in the signature": lambda p, c: _flip(_alipay(p, c)),
    "signed by a stranger's key": lambda p, c: alipay_body(alipay_params(
        c(), out_trade_no=p.payment_id, total_amount=yuan_from_fen(p.amount_fen)), "stranger"),
    "301 seconds old": lambda p, c: alipay_body(alipay_params(
        c() - timedelta(seconds=301), out_trade_no=p.payment_id,
        total_amount=yuan_from_fen(p.amount_fen))),
    "another app's": lambda p, c: _alipay(p, c, app_id="2021009999999999"),
    "another seller's": lambda p, c: _alipay(p, c, seller_id="2088999999999999"),
    "without its out_trade_no": lambda p, c: _alipay(p, c, out_trade_no=None),
}  # fmt: skip


@pytest.mark.parametrize("wrong", sorted(ALIPAY_WRONGS))
def test_a_wrong_alipay_notification_is_refused_and_writes_nothing(
    wrong: str, billed: Services, client: Any, clock: FakeClock
) -> None:
    payment = _pay(billed, "alipay")
    before = _items(billed)
    res = client.post("/api/payments/notify/lanting-alipay", data=ALIPAY_WRONGS[wrong](payment, clock),
                      content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert (res.status_code, res.get_data()) == (200, b"failure")
    assert _items(billed) == before
    assert billed.payments.get(payment.payment_id).status == "pending"  # type: ignore[union-attr]


def test_a_valid_alipay_notification_pays_once_and_its_replay_writes_nothing(
    billed: Services, client: Any, clock: FakeClock
) -> None:
    payment = _pay(billed, "alipay")
    body = _alipay(payment, clock)
    res = client.post("/api/payments/notify/lanting-alipay", data=body,
                      content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert (res.status_code, res.get_data()) == (200, b"success")
    paid = billed.payments.get(payment.payment_id)
    assert paid is not None and paid.status == "paid" and paid.receipt_no
    after = _items(billed)
    for _ in range(2):  # Alipay sends it again until it reads "success"
        res = client.post("/api/payments/notify/lanting-alipay", data=body,
                          content_type="application/x-www-form-urlencoded")  # fmt: skip
        assert res.get_data() == b"success"
    assert _items(billed) == after


def test_a_signed_alipay_notification_of_another_amount_pays_no_bill(
    billed: Services, client: Any, clock: FakeClock
) -> None:
    payment = _pay(billed, "alipay")
    body = _alipay(payment, clock, total_amount="0.01", receipt_amount="0.01")
    res = client.post("/api/payments/notify/lanting-alipay", data=body,
                      content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert res.get_data() == b"success"  # received: finance reviews it
    assert billed.payments.get(payment.payment_id).status == "review"  # type: ignore[union-attr]
    (bill,) = [b for b in billed.bills.of_unit(UNIT) if b.period == "2026-11"]
    assert bill.status == "unpaid" and bill.paid_fen == 0


def _wechat(payment: Any, clock: FakeClock, **kwargs: Any) -> tuple[dict[str, str], bytes]:
    resource = transaction(out_trade_no=payment.payment_id,
                           amount={"total": payment.amount_fen, "payer_total": payment.amount_fen,
                                   "currency": "CNY", "payer_currency": "CNY"})  # fmt: skip
    return wechat_notification(clock(), resource, **kwargs)


def _flipped_body(payment: Any, clock: FakeClock) -> tuple[dict[str, str], bytes]:
    headers, body = _wechat(payment, clock)
    return headers, body.replace(b'"summary"', b'"summarY"')


WECHAT_WRONGS: dict[str, Callable[[Any, FakeClock], tuple[dict[str, str], bytes]]] = {
    "a flipped byte in the body": _flipped_body,
    "signed by a stranger's key": lambda p, c: _wechat(p, c, signer="stranger"),
    "an unknown platform key id": lambda p, c: _wechat(p, c, serial="PUB_KEY_ID_0000000000000000"),
    "301 seconds off": lambda p, c: _wechat(p, c, skew_s=-301),
    "encrypted under another APIv3 key": lambda p, c: _wechat(
        p, c, apiv3_key="ffffffffffffffffffffffffffffffff"),
}  # fmt: skip


@pytest.mark.parametrize("wrong", sorted(WECHAT_WRONGS))
def test_a_wrong_wechat_notification_is_refused_and_writes_nothing(
    wrong: str, billed: Services, client: Any, clock: FakeClock
) -> None:
    payment = _pay(billed, "wechat")
    before = _items(billed)
    headers, body = WECHAT_WRONGS[wrong](payment, clock)
    res = client.post("/api/payments/notify/company-wechat", data=body,
                      headers={**headers, "Content-Type": "application/json"})  # fmt: skip
    assert res.status_code != 200 and res.json["code"] == "FAIL"
    assert _items(billed) == before


def test_a_valid_wechat_notification_pays_once_and_its_replay_writes_nothing(
    billed: Services, client: Any, clock: FakeClock
) -> None:
    payment = _pay(billed, "wechat")
    headers, body = _wechat(payment, clock)
    send = {"data": body, "headers": {**headers, "Content-Type": "application/json"}}
    assert client.post("/api/payments/notify/company-wechat", **send).status_code in (200, 204)
    paid = billed.payments.get(payment.payment_id)
    assert paid is not None and paid.status == "paid" and paid.account == "company-wechat"
    after = _items(billed)
    assert client.post("/api/payments/notify/company-wechat", **send).status_code in (200, 204)
    assert _items(billed) == after


def test_a_notification_for_an_account_we_do_not_have_is_404(client: Any) -> None:
    res = client.post("/api/payments/notify/nobody", data=b"x")
    assert res.status_code == 404 and res.json["error"]["code"] == "payment_provider_unknown"


