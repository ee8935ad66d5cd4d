"""``PORTAL_PAYMENTS``: accounts per estate, secrets by reference, fail closed outside
local/test; the registry builds providers from it (throw-away keys only locally)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from portal.billing.providers import crypto
from portal.billing.providers.base import PaymentRequest
from portal.billing.providers.config import AlipayAccount, WeChatAccount
from portal.billing.providers.registry import PaymentProviders, UnknownAccount
from portal.settings import ConfigurationError, Settings
from tests.support.payments import RecordingTransport, key

PEM = crypto.private_pem(key("merchant"))
PUBLIC_PEM = crypto.public_pem(key("alipay").public_key())
BASE = {"PORTAL_STAGE": "dev", "PORTAL_PHONE_HASH_KEY": "a-real-secret-key",
        "PORTAL_SITE_URL": "https://owners.example.cn"}  # fmt: skip
SECRETS = {
    "PAY_ALIPAY_KEY": PEM, "PAY_ALIPAY_PUBLIC": PUBLIC_PEM, "PAY_WX_KEY": PEM,
    "PAY_WX_APIV3": "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", "PAY_WX_PLATFORM": PUBLIC_PEM,
}  # fmt: skip


def _doc(**account_changes: Any) -> dict[str, Any]:
    alipay = {"provider": "alipay", "app_id": "2021004100000001",
              "private_key": "env:PAY_ALIPAY_KEY", "alipay_public_key": "env:PAY_ALIPAY_PUBLIC"}
    alipay.update(account_changes)
    return {
        "accounts": {
            "lanting-alipay": alipay,
            "company-wechat": {
                "provider": "wechat", "mchid": "1900000109", "appid": "wx8888888888888888",
                "merchant_serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
                "private_key": "env:PAY_WX_KEY", "apiv3_key": "env:PAY_WX_APIV3",
                "platform_public_keys": {"PUB_KEY_ID_0119000001092025": "env:PAY_WX_PLATFORM"},
            },
        },
        "estates": {"lanting": ["lanting-alipay", "company-wechat"], "*": ["company-wechat"]},
    }  # fmt: skip


def _settings(doc: Any, secrets: dict[str, str] | None = None, stage: str = "dev") -> Settings:
    env = {**BASE, "PORTAL_STAGE": stage, "PORTAL_PAYMENTS": json.dumps(doc),
           **(SECRETS if secrets is None else secrets)}  # fmt: skip
    return Settings.from_env(env, serves_api=False)


def test_accounts_per_estate_with_their_secrets_resolved_and_kept_out_of_repr() -> None:
    settings = _settings(_doc())
    payments = settings.payments
    assert payments.accounts_for("lanting") == ("lanting-alipay", "company-wechat")
    assert payments.accounts_for("meilin") == ("company-wechat",)
    alipay = payments.accounts["lanting-alipay"]
    assert isinstance(alipay, AlipayAccount) and alipay.private_key == PEM.strip()
    wechat = payments.accounts["company-wechat"]
    assert isinstance(wechat, WeChatAccount) and wechat.apiv3_key == SECRETS["PAY_WX_APIV3"]
    assert "PRIVATE KEY" not in repr(settings) and "PRIVATE KEY" not in repr(payments)
    assert SECRETS["PAY_WX_APIV3"] not in repr(payments)


@pytest.mark.parametrize(("doc", "secrets", "problem"), [
    (_doc(), {k: v for k, v in SECRETS.items() if k != "PAY_ALIPAY_KEY"}, "PAY_ALIPAY_KEY is not set"),
    (_doc(private_key=PEM), SECRETS, "reference"),
    (_doc(private_key=""), SECRETS, "reference"),
    (_doc(gateway="http://openapi.alipay.com/gateway.do"), SECRETS, "https"),
    (_doc(app_id="x"), SECRETS, "app_id"),
    (_doc(), {**SECRETS, "PAY_WX_APIV3": "short"}, "32 characters"),
    (_doc(), {**SECRETS, "PAY_ALIPAY_KEY": "not a key!"}, "not a PEM"),
    ({"accounts": {"sandbox": {"provider": "sandbox"}}, "estates": {}}, SECRETS, "sandbox"),
    ({"accounts": {}, "estates": {"lanting": ["nobody"]}}, SECRETS, "unknown"),
    ({"accounts": {}, "banks": {}}, SECRETS, "PORTAL_PAYMENTS"),
    ("not json", SECRETS, "PORTAL_PAYMENTS"),
])  # fmt: skip
def test_outside_local_an_unsafe_payment_configuration_refuses_to_start(
    doc: Any, secrets: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        if doc == "not json":
            Settings.from_env({**BASE, "PORTAL_PAYMENTS": "{", **secrets}, serves_api=False)
        else:
            _settings(doc, secrets)


def test_without_configuration_dev_offers_no_payment_and_local_the_sandbox() -> None:
    dev = Settings.from_env(BASE, serves_api=False)
    assert dev.payments.accounts == {} and dev.payments.accounts_for("lanting") == ()
    local = Settings.from_env({"PORTAL_STAGE": "local"})
    assert local.payments.accounts_for("lanting") == ("sandbox",)


def test_a_sandbox_account_is_no_account_outside_local() -> None:
    settings = Settings(stage="dev")  # the default payment settings name the sandbox
    providers = PaymentProviders(settings.payments, RecordingTransport(), lambda: datetime.now(UTC),
                                 local=False)  # fmt: skip
    assert providers.for_estate("lanting") == () and providers.names() == ()
    with pytest.raises(UnknownAccount):
        providers.account("sandbox")


def test_the_registry_builds_each_provider_once_from_the_configured_keys() -> None:
    settings = _settings(_doc())
    providers = PaymentProviders(settings.payments, RecordingTransport(), lambda: datetime.now(UTC),
                                 local=False)  # fmt: skip
    providers.check()
    assert [p.name for p in providers.for_estate("lanting")] == ["alipay", "wechat"]
    assert providers.account("lanting-alipay") is providers.account("lanting-alipay")
    assert providers.wechat_oauth("company-wechat").appid == "wx8888888888888888"
    with pytest.raises(UnknownAccount):
        providers.account("nobody")


def test_a_key_that_does_not_parse_fails_when_the_provider_is_built() -> None:
    secrets = {**SECRETS, "PAY_ALIPAY_KEY": "A" * 120}
    providers = PaymentProviders(_settings(_doc(), secrets).payments, RecordingTransport(),
                                 lambda: datetime.now(UTC), local=False)  # fmt: skip
    with pytest.raises(crypto.KeyMaterialError):
        providers.check()


def test_locally_missing_keys_are_throw_away_ones() -> None:
    doc = _doc(private_key="", alipay_public_key="")
    settings = _settings(doc, {}, stage="local")
    providers = PaymentProviders(settings.payments, RecordingTransport(), lambda: datetime.now(UTC),
                                 local=True)  # fmt: skip
    providers.check()
    request = PaymentRequest("P20261122LOCAL01", 100, "物业费", "http://127.0.0.1:8000/api/n",
                             "http://127.0.0.1:8000/account/")  # fmt: skip
    start = providers.account("lanting-alipay").start(request, in_wechat=False)
    assert start.kind == "redirect"


def test_a_pem_written_on_one_line_is_accepted() -> None:
    one_line = PEM.replace("\n", "\\n")
    settings = _settings(_doc(), {**SECRETS, "PAY_ALIPAY_KEY": one_line})
    account = settings.payments.accounts["lanting-alipay"]
    assert isinstance(account, AlipayAccount) and account.private_key == PEM.strip()
