"""Stand-ins for Alipay and WeChat Pay in tests: keys made here, notifications and API
answers signed (and encrypted) as the providers do, and a transport that records what
the adapters send and answers what the test says. And :class:`FakeProvider`, an
HMAC-signing provider for the ledger's own tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode

from portal.billing.providers import crypto, signed
from portal.billing.providers.alipay import AlipayProvider, china_time, sign_content
from portal.billing.providers.base import (
    Notification,
    NotificationRejected,
    PaymentRequest,
    PaymentStart,
    ProviderError,
    ProviderName,
    StartKind,
    Status,
)
from portal.billing.providers.config import AlipayAccount, WeChatAccount
from portal.billing.providers.http import HttpResponse
from portal.billing.providers.wechat import WeChatPayProvider

ALIPAY_APP_ID = "2021004100000001"
ALIPAY_SELLER = "2088100000000001"
MCHID = "1900000109"
APPID = "wx8888888888888888"
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PLATFORM_KEY_ID = "PUB_KEY_ID_0119000001092025"
APIV3_KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
NOTIFY_URL = "https://pay.example.cn/api/payments/notify/lanting-pay"
RETURN_URL = "https://pay.example.cn/account/bills/"


@cache
def key(name: str) -> crypto.PrivateKey:
    """A 2048-bit RSA key per name, made once per test process: ``merchant`` (ours),
    ``alipay`` and ``platform`` (the providers'), ``stranger`` (nobody we trust)."""
    return crypto.new_private_key()


@dataclass
class Sent:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes


@dataclass
class RecordingTransport:
    """Records each request; answers with ``respond`` (200 and no body by default)."""

    respond: Callable[[Sent], HttpResponse] = lambda sent: HttpResponse(200)
    sent: list[Sent] = field(default_factory=list)

    def __call__(self, method: str, url: str, headers: Mapping[str, str], body: bytes,
                 timeout: float = 8.0) -> HttpResponse:  # fmt: skip
        request = Sent(method, url, dict(headers), body)
        self.sent.append(request)
        return self.respond(request)


# -- Alipay ------------------------------------------------------------------------------


def alipay_provider(clock: Callable[[], datetime], transport: Any = None, *,
                    seller_id: str = ALIPAY_SELLER) -> AlipayProvider:  # fmt: skip
    account = AlipayAccount("lanting-alipay", ALIPAY_APP_ID, "", "", seller_id=seller_id)
    return AlipayProvider(account, key("merchant"), key("alipay").public_key(),
                          transport or RecordingTransport(), clock)  # fmt: skip


def alipay_params(now: datetime, **changes: str | None) -> dict[str, str]:
    """A TRADE_SUCCESS notification's fields (``None`` leaves a field out)."""
    params = {
        "notify_time": china_time(now),
        "notify_type": "trade_status_sync",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "app_id": ALIPAY_APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": "2026112222001404660500000001",
        "out_trade_no": "P20261122ABCDEF01",
        "seller_id": ALIPAY_SELLER,
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "88.80",
        "receipt_amount": "88.80",
        "subject": "兰亭苑 2-1-1503 2026年11月物业费",
        "gmt_create": "2026-11-22 09:59:30",
        "gmt_payment": "2026-11-22 10:00:00",
    }
    params.update({k: v for k, v in changes.items() if v is not None})
    return {k: v for k, v in params.items() if changes.get(k, "") is not None}


def alipay_body(params: Mapping[str, str], signer: str = "alipay") -> bytes:
    """The form body Alipay POSTs: ``params`` signed (leaving out sign and sign_type)."""
    signature = crypto.sign(key(signer), sign_content(params, leave_out=("sign", "sign_type")))
    return urlencode({**params, "sign": signature}).encode()


def alipay_answer(method: str, node: Mapping[str, Any], *, signer: str = "alipay",
                  signed_ok: bool = True) -> HttpResponse:  # fmt: skip
    """An API answer: the ``<method>_response`` member and its signature over its exact text."""
    raw = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
    signature = crypto.sign(key(signer), raw.encode()) if signed_ok else "AAAA"
    member = method.replace(".", "_") + "_response"
    body = f'{{"{member}":{raw},"sign":"{signature}"}}'
    return HttpResponse(200, {"Content-Type": "application/json;charset=utf-8"}, body.encode())


# -- WeChat Pay --------------------------------------------------------------------------


def wechat_account(**changes: Any) -> WeChatAccount:
    values: dict[str, Any] = {
        "name": "company-wechat", "mchid": MCHID, "appid": APPID,
        "merchant_serial": MERCHANT_SERIAL, "private_key": "", "apiv3_key": APIV3_KEY,
        "platform_public_keys": {PLATFORM_KEY_ID: ""}, "app_secret": "app-secret",
    }  # fmt: skip
    values.update(changes)
    return WeChatAccount(**values)


def wechat_provider(clock: Callable[[], datetime], transport: Any = None) -> WeChatPayProvider:
    return WeChatPayProvider(wechat_account(), key("merchant"),
                             {PLATFORM_KEY_ID: key("platform").public_key()},
                             transport or RecordingTransport(), clock)  # fmt: skip


def transaction(**changes: Any) -> dict[str, Any]:
    """A paid transaction as WeChat Pay describes it (the decrypted resource)."""
    doc: dict[str, Any] = {
        "mchid": MCHID, "appid": APPID, "out_trade_no": "P20261122ABCDEF01",
        "transaction_id": "4200002026112212345678901234", "trade_type": "MWEB",
        "trade_state": "SUCCESS", "trade_state_desc": "支付成功", "bank_type": "OTHERS",
        "success_time": "2026-11-22T10:00:00+08:00", "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": 8880, "payer_total": 8880, "currency": "CNY", "payer_currency": "CNY"},
    }  # fmt: skip
    doc.update(changes)
    return doc


def wechat_notification(now: datetime, resource: Mapping[str, Any], *,
                        event_type: str = "TRANSACTION.SUCCESS", signer: str = "platform",
                        serial: str = PLATFORM_KEY_ID, apiv3_key: str = APIV3_KEY,
                        skew_s: int = 0, notification_id: str = "EV-2026112210000001",
                        algorithm: str = "AEAD_AES_256_GCM",
                        ) -> tuple[dict[str, str], bytes]:  # fmt: skip
    """Headers and body of a notification: ``resource`` encrypted, the body signed."""
    nonce, associated = "fdasflkja484", "transaction"
    ciphertext = crypto.aes_gcm_encrypt(apiv3_key.encode(), nonce, associated,
                                        json.dumps(resource, ensure_ascii=False).encode())  # fmt: skip
    envelope = {
        "id": notification_id, "create_time": "2026-11-22T10:00:01+08:00",
        "resource_type": "encrypt-resource", "event_type": event_type, "summary": "支付成功",
        "resource": {"original_type": "transaction", "algorithm": algorithm,
                     "ciphertext": ciphertext, "associated_data": associated, "nonce": nonce},
    }  # fmt: skip
    body = json.dumps(envelope, ensure_ascii=False).encode()
    return signed_by_platform(now, body, signer=signer, serial=serial, skew_s=skew_s), body


def signed_by_platform(now: datetime, body: bytes, *, signer: str = "platform",
                       serial: str = PLATFORM_KEY_ID, skew_s: int = 0) -> dict[str, str]:  # fmt: skip
    timestamp = str(int(now.timestamp()) + skew_s)
    return signed.sign_headers(signed.WECHATPAY, key(signer), serial, timestamp,
                               "9A1B2C3D4E5F60718293A4B5C6D7E8F9", body)  # fmt: skip


def wechat_answer(now: datetime, doc: Mapping[str, Any], status: int = 200, *,
                  signer: str = "platform") -> HttpResponse:  # fmt: skip
    body = json.dumps(doc, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", **signed_by_platform(now, body, signer=signer)}
    return HttpResponse(status, headers, body)


# -- a provider for the ledger's tests ----------------------------------------------------

SIGNATURE = "X-Fake-Signature"
FRESH_FOR = timedelta(minutes=5)


class FakeProvider:
    """A provider of kind ``sandbox`` behind account ``fake``: HMAC-signed notifications, so
    the ledger's tests need no RSA (the real adapters' own tests and the end-to-end tests
    through the sandbox use real signatures)."""

    name: ProviderName = "sandbox"
    account = "fake"

    def __init__(self, secret: bytes = b"fake-provider-secret") -> None:
        self.secret = secret
        self.started: list[PaymentRequest] = []
        self.states: dict[str, Notification] = {}
        """What :meth:`query` answers, by out_trade_no."""
        self.refunds: list[tuple[str, str, int, int, str]] = []
        self.fail_start = False
        self.start_kind: StartKind = "sandbox"
        """What :meth:`start` answers (``guide``: the provider cannot open here)."""
        self.refund_outcome: str = "refunded"
        """What :meth:`refund` does: ``refunded``, ``refused`` (the provider says no) or
        ``unknown`` (no answer: a time-out)."""

    # -- the interface -----------------------------------------------------------------------

    def start(self, request: PaymentRequest, *, in_wechat: bool) -> PaymentStart:
        if self.fail_start:
            raise ConnectionError("provider down")
        self.started.append(request)
        return PaymentStart(self.start_kind, url=f"https://pay.invalid/{request.out_trade_no}",
                            fields={"amount": str(request.amount_fen)})  # fmt: skip

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> Notification:
        expected = hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get(SIGNATURE, ""), expected):
            raise NotificationRejected("bad_signature")
        data = json.loads(body)
        sent = datetime.fromisoformat(data["sent_at"])
        if abs(now - sent) > FRESH_FOR:
            raise NotificationRejected("stale")
        return Notification(self.name, data["id"], data["tx"], data["out_trade_no"],
                            int(data["amount_fen"]), data["status"], data["paid_at"])  # fmt: skip

    def acknowledge(self, accepted: bool, reason: str = "") -> tuple[int, dict[str, str], bytes]:
        body = json.dumps({"code": "SUCCESS" if accepted else "FAIL"}).encode()
        return (200 if accepted else 400), {"Content-Type": "application/json"}, body

    def query(self, out_trade_no: str) -> Notification | None:
        return self.states.get(out_trade_no)

    def refund(self, out_trade_no: str, refund_no: str, amount_fen: int, total_fen: int,
               reason: str) -> str:  # fmt: skip
        if self.refund_outcome == "refused":
            raise ProviderError("refused", "NOT_ENOUGH")
        if self.refund_outcome == "unknown":
            raise ProviderError("unavailable", "timeout")
        self.refunds.append((out_trade_no, refund_no, amount_fen, total_fen, reason))
        return f"RF{refund_no}"

    # -- what a test sends ---------------------------------------------------------------------

    def notification(self, out_trade_no: str, amount_fen: int, now: datetime, *,
                     tx: str | None = None, nid: str | None = None,
                     status: Status = "paid") -> tuple[dict[str, str], bytes]:  # fmt: skip
        """Headers and body of a signed notification."""
        body = json.dumps({
            "id": nid or uuid.uuid4().hex, "tx": tx or f"T{out_trade_no}",
            "out_trade_no": out_trade_no, "amount_fen": amount_fen, "status": status,
            "paid_at": now.isoformat(timespec="seconds"), "sent_at": now.isoformat(),
        }).encode()  # fmt: skip
        signature = hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        return {SIGNATURE: signature, "Content-Type": "application/json"}, body

    def paid(self, out_trade_no: str, amount_fen: int, *, tx: str | None = None,
             nid: str | None = None, at: str = "2026-11-22T02:05:00Z") -> Notification:  # fmt: skip
        return Notification(self.name, nid or uuid.uuid4().hex, tx or f"T{out_trade_no}",
                            out_trade_no, amount_fen, "paid", at)  # fmt: skip


class FakeAccounts:
    """The payment accounts of a test: every estate offers each of ``providers``."""

    def __init__(self, *providers: FakeProvider) -> None:
        self.by_account = {p.account: p for p in providers}

    def for_estate(self, estate: str) -> tuple[FakeProvider, ...]:
        return tuple(self.by_account.values())

    def account(self, name: str) -> FakeProvider:
        return self.by_account[name]  # a KeyError is the LookupError of an unknown account

    def __getitem__(self, name: str) -> FakeProvider:
        return self.by_account[name]
