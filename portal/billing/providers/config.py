"""Which provider accounts each estate pays into, with their keys by reference.

``PORTAL_PAYMENTS`` is JSON (it may live in ``zappa_settings.json``: it holds no
secret). Every secret field is a *reference*, ``env:NAME``, to another variable
that the deploy sets from the secret store (as ``PORTAL_PHONE_HASH_KEY`` is)::

    {"accounts": {
       "lanting-alipay": {"provider": "alipay", "app_id": "2021004100000001",
                          "seller_id": "2088100000000001",
                          "private_key": "env:PORTAL_PAY_LANTING_ALIPAY_PRIVATE_KEY",
                          "alipay_public_key": "env:PORTAL_PAY_LANTING_ALIPAY_PUBLIC_KEY"},
       "company-wechat": {"provider": "wechat", "mchid": "1900000109",
                          "appid": "wx8888888888888888",
                          "merchant_serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
                          "private_key": "env:PORTAL_PAY_WECHAT_PRIVATE_KEY",
                          "apiv3_key": "env:PORTAL_PAY_WECHAT_APIV3_KEY",
                          "platform_public_keys": {
                              "PUB_KEY_ID_0119000001092025": "env:PORTAL_PAY_WECHAT_PLATFORM_KEY"},
                          "app_secret": "env:PORTAL_PAY_WECHAT_APP_SECRET"}},
     "estates": {"lanting": ["lanting-alipay", "company-wechat"], "*": ["company-wechat"]}}

``estates`` lists, per estate slug (``*``: any other estate), the accounts offered, in
the order shown. An estate with no entry and no ``*`` offers no online payment.

Fail closed: outside the local and test stages a literal secret in the JSON, a
reference to an unset or empty variable, a key that is not PEM/base64, an APIv3 key
that is not 32 characters, an ``http://`` gateway or a ``sandbox`` account refuse to
start (the settings raise). In local and test a missing secret is left empty and the
wiring puts a throw-away key in its place (generated per process, never written), and
without ``PORTAL_PAYMENTS`` every estate pays into the ``sandbox`` account. The keys
are parsed (``cryptography``) when a provider is first built, not here: the settings
stay cheap to read on a cold start.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PAYMENTS_VARIABLE = "PORTAL_PAYMENTS"
ALIPAY_GATEWAY = "https://openapi.alipay.com/gateway.do"
WECHAT_API = "https://api.mch.weixin.qq.com"
SANDBOX = "sandbox"
ANY_ESTATE = "*"

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_REF = re.compile(r"env:([A-Z][A-Z0-9_]{0,127})")
_DIGITS = re.compile(r"[0-9]{6,32}")
_APPID = re.compile(r"[A-Za-z0-9]{6,32}")
_SERIAL = re.compile(r"[A-Za-z0-9_]{6,64}")


class PaymentConfigError(ValueError):
    """``PORTAL_PAYMENTS`` (or a secret it names) does not describe a safe configuration."""


@dataclass(frozen=True)
class AlipayAccount:
    name: str
    app_id: str
    private_key: str = field(repr=False)
    """Our application private key (PEM or base64); empty: a throw-away one (local/test)."""
    alipay_public_key: str = field(repr=False)
    """Alipay's public key for this app (PEM or base64); empty: throw-away (local/test)."""
    seller_id: str = ""
    """Our Alipay user id (``2088...``); when set, notifications must name it."""
    gateway: str = ALIPAY_GATEWAY
    provider: str = "alipay"


@dataclass(frozen=True)
class WeChatAccount:
    name: str
    mchid: str
    appid: str
    merchant_serial: str
    """Serial number of our merchant API certificate (goes into ``Authorization``)."""
    private_key: str = field(repr=False)
    apiv3_key: str = field(repr=False)
    platform_public_keys: Mapping[str, str] = field(repr=False)
    """WeChat Pay's public keys (public-key mode) by id (``Wechatpay-Serial``): during a
    rotation, the old and the new."""
    app_secret: str = field(default="", repr=False)
    """The official account's AppSecret, to exchange an OAuth code for the payer's openid."""
    api_base: str = WECHAT_API
    provider: str = "wechat"


@dataclass(frozen=True)
class SandboxAccount:
    name: str = SANDBOX
    provider: str = "sandbox"


Account = AlipayAccount | WeChatAccount | SandboxAccount


@dataclass(frozen=True)
class PaymentSettings:
    accounts: Mapping[str, Account] = field(default_factory=dict)
    estates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def accounts_for(self, estate: str) -> tuple[str, ...]:
        """The account names an estate offers, in display order (may be empty)."""
        return self.estates.get(estate, self.estates.get(ANY_ESTATE, ()))


LOCAL_DEFAULT = PaymentSettings({SANDBOX: SandboxAccount()}, {ANY_ESTATE: (SANDBOX,)})


def payment_settings(env: Mapping[str, str], *, local: bool) -> PaymentSettings:
    """The payment configuration described by ``env`` (the settings pass the environment).

    ``local``: the local and test stages (throw-away keys, the sandbox allowed).
    """
    raw = env.get(PAYMENTS_VARIABLE, "").strip()
    if not raw:
        return LOCAL_DEFAULT if local else PaymentSettings()
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise PaymentConfigError(f"{PAYMENTS_VARIABLE} is not JSON: {exc}") from exc
    if not isinstance(doc, dict) or set(doc) - {"accounts", "estates"}:
        raise PaymentConfigError(f"{PAYMENTS_VARIABLE} must be {{'accounts': ..., 'estates': ...}}")
    accounts_doc, estates_doc = doc.get("accounts", {}), doc.get("estates", {})
    if not isinstance(accounts_doc, dict) or not isinstance(estates_doc, dict):
        raise PaymentConfigError(f"{PAYMENTS_VARIABLE}: accounts and estates must be objects")
    reader = _Reader(env, local)
    accounts: dict[str, Account] = {}
    for name, spec in accounts_doc.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise PaymentConfigError(f"account name {name!r}: 1-32 of a-z, 0-9 and -")
        accounts[name] = reader.account(name, spec)
    estates: dict[str, tuple[str, ...]] = {}
    for slug, names in estates_doc.items():
        if slug != ANY_ESTATE and not _SLUG.fullmatch(slug):
            raise PaymentConfigError(f"estates: {slug!r} is not an estate slug")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise PaymentConfigError(f"estates.{slug}: a list of account names")
        unknown = [n for n in names if n not in accounts]
        if unknown or len(set(names)) != len(names):
            raise PaymentConfigError(f"estates.{slug}: unknown or repeated accounts {names}")
        estates[slug] = tuple(names)
    return PaymentSettings(accounts, estates)


class _Reader:
    def __init__(self, env: Mapping[str, str], local: bool) -> None:
        self.env, self.local = env, local

    def account(self, name: str, spec: Any) -> Account:
        if not isinstance(spec, dict):
            raise PaymentConfigError(f"accounts.{name} must be an object")
        kind = spec.get("provider")
        fields = {
            "alipay": {"provider", "app_id", "private_key", "alipay_public_key", "seller_id",
                       "gateway"},
            "wechat": {"provider", "mchid", "appid", "merchant_serial", "private_key",
                       "apiv3_key", "platform_public_keys", "app_secret", "api_base"},
            "sandbox": {"provider"},
        }.get(str(kind))  # fmt: skip
        if fields is None:
            raise PaymentConfigError(f"accounts.{name}.provider: alipay, wechat or sandbox")
        if extra := set(spec) - fields:
            raise PaymentConfigError(f"accounts.{name}: unknown fields {sorted(extra)}")
        where = f"accounts.{name}"
        if kind == "sandbox":
            if not self.local:
                raise PaymentConfigError(f"{where}: the sandbox exists only in local and test")
            return SandboxAccount(name)
        if kind == "alipay":
            return AlipayAccount(
                name=name,
                app_id=self.plain(spec, "app_id", _DIGITS, where),
                private_key=self.key(spec, "private_key", where),
                alipay_public_key=self.key(spec, "alipay_public_key", where),
                seller_id=self.plain(spec, "seller_id", _DIGITS, where, optional=True),
                gateway=self.url(spec, "gateway", ALIPAY_GATEWAY, where),
            )
        keys = spec.get("platform_public_keys")
        if not isinstance(keys, dict) or not keys:
            raise PaymentConfigError(f"{where}.platform_public_keys: {{key id: reference}}")
        for key_id in keys:
            if not _SERIAL.fullmatch(key_id):
                raise PaymentConfigError(f"{where}.platform_public_keys: bad key id {key_id!r}")
        apiv3 = self.secret(spec, "apiv3_key", where)
        if apiv3 and len(apiv3.encode()) != 32:
            raise PaymentConfigError(f"{where}.apiv3_key: the APIv3 key is 32 characters")
        return WeChatAccount(
            name=name,
            mchid=self.plain(spec, "mchid", _DIGITS, where),
            appid=self.plain(spec, "appid", _APPID, where),
            merchant_serial=self.plain(spec, "merchant_serial", _SERIAL, where),
            private_key=self.key(spec, "private_key", where),
            apiv3_key=apiv3,
            platform_public_keys={k: self.key(keys, k, f"{where}.platform_public_keys")
                                  for k in keys},
            app_secret=self.secret(spec, "app_secret", where, optional=True),
            api_base=self.url(spec, "api_base", WECHAT_API, where),
        )

    @staticmethod
    def plain(spec: Mapping[str, Any], name: str, pattern: re.Pattern[str], where: str,
              *, optional: bool = False) -> str:  # fmt: skip
        value = spec.get(name, "")
        if optional and value == "":
            return ""
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise PaymentConfigError(f"{where}.{name}: missing or malformed")
        return value

    def url(self, spec: Mapping[str, Any], name: str, default: str, where: str) -> str:
        value = spec.get(name, default)
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise PaymentConfigError(f"{where}.{name}: an URL")
        if not self.local and not value.startswith("https://"):
            raise PaymentConfigError(f"{where}.{name}: https only outside local and test")
        return value.rstrip("/") if name == "api_base" else value

    def secret(self, spec: Mapping[str, Any], name: str, where: str,
               *, optional: bool = False) -> str:  # fmt: skip
        ref = spec.get(name, "")
        if ref == "" and (optional or self.local):
            return ""
        match = _REF.fullmatch(ref) if isinstance(ref, str) else None
        if match is None:
            raise PaymentConfigError(
                f"{where}.{name}: a reference env:VARIABLE (never the secret itself)"
            )
        value = self.env.get(match.group(1), "").strip()
        if not value and not self.local:
            raise PaymentConfigError(f"{where}.{name}: {match.group(1)} is not set")
        return value

    def key(self, spec: Mapping[str, Any], name: str, where: str) -> str:
        value = self.secret(spec, name, where)
        if "\\n" in value and "\n" not in value:
            value = value.replace("\\n", "\n").strip()  # a PEM on one line, \n escaped
        if value and "-----BEGIN" not in value and not re.fullmatch(r"[A-Za-z0-9+/=\s]{64,}",
                                                                     value):  # fmt: skip
            raise PaymentConfigError(f"{where}.{name}: not a PEM or base64 key")
        return value
