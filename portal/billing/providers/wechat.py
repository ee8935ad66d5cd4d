"""WeChat Pay API v3: H5 (phone browsers), JSAPI (inside WeChat), notifications, query, refund.

- Requests carry ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",
  signature="..",timestamp="..",serial_no=".."``, the signature (our merchant key) over
  ``METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n`` (URL: path and query).
- Answers and notifications are signed by WeChat Pay's *platform* key, chosen by
  ``Wechatpay-Serial`` among the public keys we configured (public-key mode: nothing
  is downloaded), over ``TIMESTAMP\\nNONCE\\nBODY\\n`` (:mod:`.signed`), and must be
  within ±5 minutes of our clock.
- A notification's ``resource`` is AEAD_AES_256_GCM under our APIv3 key
  (``associated_data``, ``nonce``, ``ciphertext``): only then do we read the payment.

Inside WeChat's in-app browser H5 is refused by WeChat: ``start(in_wechat=True)`` uses
JSAPI, which needs the payer's openid (:mod:`.wechat_oauth` gets it).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from portal.billing.providers import crypto, signed
from portal.billing.providers.base import (
    Notification,
    NotificationRejected,
    PaymentRequest,
    PaymentStart,
    ProviderError,
    ProviderName,
    Status,
    check_out_trade_no,
    require,
)
from portal.billing.providers.config import WeChatAccount
from portal.billing.providers.http import HttpResponse, Transport
from portal.clock import Clock, iso

SCHEME = "WECHATPAY2-SHA256-RSA2048"
_TRADE_STATE: dict[str, Status] = {
    "SUCCESS": "paid",
    "REFUND": "refunded",
    "NOTPAY": "pending",
    "USERPAYING": "pending",
    "ACCEPT": "pending",
    "CLOSED": "closed",
    "REVOKED": "closed",
    "PAYERROR": "closed",
}


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def utc_iso(text: object) -> str:
    """``2026-11-22T10:00:00+08:00`` → ``2026-11-22T02:00:00Z``."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError as exc:
        raise NotificationRejected("bad_timestamp") from exc
    if moment.tzinfo is None:
        raise NotificationRejected("bad_timestamp")
    return iso(moment)


def _amount(node: object, name: str = "total") -> int:
    if not isinstance(node, dict):
        raise NotificationRejected("missing_field", "amount")
    value = node.get(name)
    if type(value) is not int or value < 0 or node.get("currency", "CNY") != "CNY":
        raise NotificationRejected("bad_amount")
    return value


class WeChatPayProvider:
    name: ProviderName = "wechat"

    def __init__(self, account: WeChatAccount, private_key: crypto.PrivateKey,
                 platform_keys: Mapping[str, crypto.PublicKey], transport: Transport,
                 clock: Clock, *, require_https: bool = True) -> None:  # fmt: skip
        self.account = account.name
        self.config = account
        self._key, self._platform = private_key, dict(platform_keys)
        self._apiv3 = account.apiv3_key.encode()
        self.transport, self.clock, self.require_https = transport, clock, require_https

    # -- signing our requests ----------------------------------------------------------

    def authorization(self, method: str, url_path: str, body: bytes, *,
                      timestamp: str = "", nonce: str = "") -> str:  # fmt: skip
        timestamp = timestamp or str(int(self.clock().timestamp()))
        nonce = nonce or secrets.token_hex(16).upper()
        message = f"{method}\n{url_path}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"
        signature = crypto.sign(self._key, message)
        return (f'{SCHEME} mchid="{self.config.mchid}",nonce_str="{nonce}",'
                f'signature="{signature}",timestamp="{timestamp}",'
                f'serial_no="{self.config.merchant_serial}"')  # fmt: skip

    def call(self, method: str, path: str, payload: Mapping[str, Any] | None = None,
             ) -> tuple[int, dict[str, Any]]:  # fmt: skip
        """One API call: (status, JSON body). A 2xx answer's signature is verified; 5xx and
        no answer raise ``unavailable``; a 4xx is returned for the caller to read."""
        body = b"" if payload is None else json.dumps(
            payload, ensure_ascii=False, separators=(",", ":")).encode()  # fmt: skip
        headers = {
            "Authorization": self.authorization(method, path, body),
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "owner-portal",
            "Wechatpay-Serial": next(iter(self._platform)),
        }
        res = self.transport(method, self.config.api_base + path, headers, body)
        if res.status >= 500:
            raise ProviderError("unavailable", str(res.status))
        if 200 <= res.status < 300:
            self._verify_answer(res)
        try:
            doc = json.loads(res.body) if res.body else {}
        except ValueError as exc:
            raise ProviderError("bad_response", "json") from exc
        if not isinstance(doc, dict):
            raise ProviderError("bad_response", "json")
        return res.status, doc

    def _verify_answer(self, res: HttpResponse) -> None:
        try:
            signed.verify_headers(signed.WECHATPAY, res.headers, res.body, self.clock(),
                                  self._platform)  # fmt: skip
        except NotificationRejected as exc:
            raise ProviderError("bad_response", exc.reason) from exc

    @staticmethod
    def _refused(status: int, doc: Mapping[str, Any]) -> ProviderError:
        return ProviderError("refused", str(doc.get("code") or status))

    # -- starting a payment ------------------------------------------------------------

    def start(self, request: PaymentRequest, *, in_wechat: bool) -> PaymentStart:
        if self.require_https and not all(
            u.startswith("https://") for u in (request.notify_url, request.return_url)
        ):
            raise ProviderError("insecure_url")
        order: dict[str, Any] = {
            "appid": self.config.appid,
            "mchid": self.config.mchid,
            "description": request.subject,
            "out_trade_no": request.out_trade_no,
            "notify_url": request.notify_url,
            "amount": {"total": request.amount_fen, "currency": "CNY"},
        }
        if request.expires_at is not None:
            order["time_expire"] = rfc3339(request.expires_at)
        if in_wechat:
            if not request.openid:
                raise ProviderError("openid_required")
            order["payer"] = {"openid": request.openid}
            prepay_id = self._prepay("jsapi", order, "prepay_id")
            return PaymentStart("jsapi", "", self.jsapi_fields(prepay_id))
        if not request.client_ip:
            raise ProviderError("client_ip_required")
        order["scene_info"] = {"payer_client_ip": request.client_ip,
                               "h5_info": {"type": "Wap"}}  # fmt: skip
        h5_url = self._prepay("h5", order, "h5_url")
        return PaymentStart("redirect", f"{h5_url}&redirect_url={quote(request.return_url, '')}")

    def _prepay(self, kind: str, order: Mapping[str, Any], answer: str) -> str:
        status, doc = self.call("POST", f"/v3/pay/transactions/{kind}", order)
        value = doc.get(answer)
        if status != 200:
            raise self._refused(status, doc)
        if not isinstance(value, str) or not value:
            raise ProviderError("bad_response", answer)
        return value

    def jsapi_fields(self, prepay_id: str, *, timestamp: str = "", nonce: str = "") -> dict[str, str]:
        """What ``getBrandWCPayRequest`` takes; ``paySign`` over appId, timeStamp, nonceStr and
        package, one per line."""
        fields = {
            "appId": self.config.appid,
            "timeStamp": timestamp or str(int(self.clock().timestamp())),
            "nonceStr": nonce or secrets.token_hex(16),
            "package": f"prepay_id={prepay_id}",
            "signType": "RSA",
        }
        message = "".join(f"{fields[k]}\n" for k in ("appId", "timeStamp", "nonceStr", "package"))
        fields["paySign"] = crypto.sign(self._key, message.encode())
        return fields

    # -- notifications ---------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> Notification:
        signed.verify_headers(signed.WECHATPAY, headers, body, now, self._platform)
        envelope = _json(body)
        event = require(envelope.get("event_type"), "event_type")
        notification_id = require(envelope.get("id"), "id")
        resource = envelope.get("resource")
        if not isinstance(resource, dict):
            raise NotificationRejected("missing_field", "resource")
        if resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise NotificationRejected("unsupported_algorithm", str(resource.get("algorithm"))[:40])
        try:
            plain = crypto.aes_gcm_decrypt(
                self._apiv3,
                require(resource.get("nonce"), "resource.nonce"),
                str(resource.get("associated_data") or ""),
                require(resource.get("ciphertext"), "resource.ciphertext"),
            )
        except ValueError as exc:
            raise NotificationRejected("decrypt_failed") from exc
        data = _json(plain)
        if data.get("mchid") != self.config.mchid:
            raise NotificationRejected("wrong_merchant")
        if event == "TRANSACTION.SUCCESS":
            return self.transaction(data, notification_id)
        if event == "REFUND.SUCCESS":
            return Notification(
                provider="wechat",
                notification_id=notification_id,
                transaction_id=require(data.get("transaction_id"), "transaction_id"),
                out_trade_no=check_out_trade_no(data.get("out_trade_no")),
                amount_fen=_amount(data.get("amount"), "refund"),
                status="refunded",
                paid_at="",
                refund_no=require(data.get("out_refund_no"), "out_refund_no"),
            )
        raise NotificationRejected("unknown_status", event[:40])

    def transaction(self, data: Mapping[str, Any], notification_id: str) -> Notification:
        """A transaction (decrypted notification resource, or a query answer)."""
        if data.get("appid") != self.config.appid:
            raise NotificationRejected("wrong_app_id")
        if data.get("mchid") != self.config.mchid:
            raise NotificationRejected("wrong_merchant")
        state = require(data.get("trade_state"), "trade_state")
        status = _TRADE_STATE.get(state)
        if status is None:
            raise NotificationRejected("unknown_status", state[:40])
        out_trade_no = check_out_trade_no(data.get("out_trade_no"))
        transaction_id = data.get("transaction_id") or ""
        if status in ("paid", "refunded"):
            require(transaction_id, "transaction_id")
        paid = data.get("success_time")
        return Notification(
            provider="wechat",
            notification_id=notification_id or f"query:{transaction_id or out_trade_no}:{status}",
            transaction_id=str(transaction_id),
            out_trade_no=out_trade_no,
            amount_fen=_amount(data.get("amount")),
            status=status,
            paid_at=utc_iso(paid) if paid and status in ("paid", "refunded") else "",
            app_id=self.config.appid,
        )

    def acknowledge(self, accepted: bool, reason: str = "") -> tuple[int, dict[str, str], bytes]:
        """200 + ``{"code": "SUCCESS"}``; a refusal is 400 (a reason given: it will not verify
        next time either) or 500 (our own failure), with ``{"code": "FAIL", ...}``: WeChat
        retries either (15 times over 24 h)."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if accepted:
            return 200, headers, json.dumps({"code": "SUCCESS", "message": "成功"},
                                            ensure_ascii=False).encode()  # fmt: skip
        body = json.dumps({"code": "FAIL", "message": reason or "internal"}).encode()
        return (400 if reason else 500), headers, body

    # -- query and refund ----------------------------------------------------------------

    def query(self, out_trade_no: str) -> Notification | None:
        path = (f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, '')}"
                f"?mchid={quote(self.config.mchid, '')}")  # fmt: skip
        status, doc = self.call("GET", path)
        if status == 404 or doc.get("code") == "ORDER_NOT_EXIST":
            return None
        if status != 200:
            raise self._refused(status, doc)
        try:
            return self.transaction(doc, "")
        except NotificationRejected as exc:
            raise ProviderError("bad_response", exc.reason) from exc

    def refund(self, out_trade_no: str, refund_no: str, amount_fen: int, total_fen: int,
               reason: str) -> str:  # fmt: skip
        """WeChat's ``refund_id`` once it accepted the refund (``SUCCESS`` or ``PROCESSING``:
        the money arrives within minutes); a retry with the same ``refund_no`` is the same
        refund."""
        if not 0 < amount_fen <= total_fen:
            raise ValueError("refund amount must be positive and at most the total")
        status, doc = self.call("POST", "/v3/refund/domestic/refunds", {
            "out_trade_no": out_trade_no,
            "out_refund_no": refund_no,
            "reason": reason[:80],
            "amount": {"refund": amount_fen, "total": total_fen, "currency": "CNY"},
        })  # fmt: skip
        if status != 200:
            raise self._refused(status, doc)
        refund_id = doc.get("refund_id")
        if doc.get("status") not in ("SUCCESS", "PROCESSING"):
            raise ProviderError("refused", str(doc.get("status")))
        if not isinstance(refund_id, str) or not refund_id:
            raise ProviderError("bad_response", "refund_id")
        return refund_id


def _json(raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotificationRejected("bad_body") from exc
    if not isinstance(doc, dict):
        raise NotificationRejected("bad_body")
    return doc
