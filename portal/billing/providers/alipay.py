"""Alipay: phone-browser payment (``alipay.trade.wap.pay``), its notification, query, refund.

Signing (RSA2): the parameters sorted by name, ``k=v`` joined with ``&`` (raw values,
empty ones left out, ``sign`` left out), signed with SHA256withRSA by our application
key. A *notification* is verified the same way with Alipay's public key, leaving out
``sign`` **and** ``sign_type``. An API answer is verified over the exact JSON text of
its ``<method>_response`` member.

Inside WeChat's in-app browser Alipay's pages do not open: :meth:`AlipayProvider.start`
then answers ``kind="guide"`` (see :class:`~.base.PaymentStart`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode

from portal.billing.providers import crypto
from portal.billing.providers.base import (
    Notification,
    NotificationRejected,
    PaymentRequest,
    PaymentStart,
    ProviderError,
    ProviderName,
    Status,
    check_fresh,
    check_out_trade_no,
    fen_from_yuan,
    require,
    yuan_from_fen,
)
from portal.billing.providers.config import AlipayAccount
from portal.billing.providers.http import Transport
from portal.clock import Clock, iso
from portal.i18n import translate

logger = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8))
"""Alipay's times are Beijing time without an offset (China has no summer time)."""
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
SUCCESS = "10000"
NOT_EXIST = "ACQ.TRADE_NOT_EXIST"
_PAID = {"TRADE_SUCCESS", "TRADE_FINISHED"}
_REFUND_FIELDS = ("gmt_refund", "out_biz_no", "refund_fee")


def sign_content(params: Mapping[str, str], *, leave_out: tuple[str, ...] = ("sign",)) -> bytes:
    """``a=1&b=2``: sorted by name, raw values, empty values and ``leave_out`` left out."""
    pairs = sorted((k, v) for k, v in params.items() if k not in leave_out and v != "")
    return "&".join(f"{k}={v}" for k, v in pairs).encode()


def china_time(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime(TIME_FORMAT)


def utc_of_china_time(text: str) -> datetime:
    try:
        return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=CHINA).astimezone(UTC)
    except (TypeError, ValueError) as exc:
        raise NotificationRejected("bad_timestamp") from exc


def guide(request: PaymentRequest) -> PaymentStart:
    """What to show inside WeChat: open the page in the system browser, then pay there."""
    return PaymentStart("guide", request.return_url, {
        "reason": "open_in_system_browser",
        "message": translate("providers.guide.open_in_browser", "zh-CN"),
        "message_en": translate("providers.guide.open_in_browser", "en"),
    })  # fmt: skip


class AlipayProvider:
    name: ProviderName = "alipay"

    def __init__(self, account: AlipayAccount, private_key: crypto.PrivateKey,
                 alipay_public_key: crypto.PublicKey, transport: Transport, clock: Clock,
                 *, require_https: bool = True) -> None:  # fmt: skip
        self.account = account.name
        self.config = account
        self._key, self._alipay_key = private_key, alipay_public_key
        self.transport, self.clock, self.require_https = transport, clock, require_https

    # -- requests --------------------------------------------------------------------

    def signed_params(self, method: str, biz: Mapping[str, str], **extra: str) -> dict[str, str]:
        params = {
            "app_id": self.config.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": china_time(self.clock()),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
            **extra,
        }
        params["sign"] = crypto.sign(self._key, sign_content(params))
        return params

    def start(self, request: PaymentRequest, *, in_wechat: bool) -> PaymentStart:
        if in_wechat:
            return guide(request)
        if self.require_https and not all(
            u.startswith("https://") for u in (request.notify_url, request.return_url)
        ):
            raise ProviderError("insecure_url")
        biz = {
            "out_trade_no": request.out_trade_no,
            "total_amount": yuan_from_fen(request.amount_fen),
            "subject": request.subject,
            "product_code": "QUICK_WAP_WAY",
            "quit_url": request.return_url,
        }
        if request.expires_at is not None:
            biz["time_expire"] = china_time(request.expires_at)
        params = self.signed_params("alipay.trade.wap.pay", biz, notify_url=request.notify_url,
                                    return_url=request.return_url)  # fmt: skip
        return PaymentStart("redirect", f"{self.config.gateway}?{urlencode(params)}")

    # -- notifications ---------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> Notification:
        params = _form(body)
        if params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
            raise NotificationRejected("bad_body", "charset")
        signature = require(params.get("sign"), "sign")
        if params.get("sign_type") != "RSA2":
            raise NotificationRejected("unsupported_algorithm", params.get("sign_type", "")[:20])
        content = sign_content(params, leave_out=("sign", "sign_type"))
        if not crypto.verify(self._alipay_key, content, signature):
            raise NotificationRejected("bad_signature")
        if params.get("app_id") != self.config.app_id:
            raise NotificationRejected("wrong_app_id")
        if self.config.seller_id and params.get("seller_id") != self.config.seller_id:
            raise NotificationRejected("wrong_merchant")
        check_fresh(utc_of_china_time(require(params.get("notify_time"), "notify_time")), now)
        notification_id = require(params.get("notify_id"), "notify_id")
        return self._notification(params, notification_id, refunds=True)

    def _notification(self, p: Mapping[str, str], notification_id: str, *,
                      refunds: bool) -> Notification:  # fmt: skip
        out_trade_no = check_out_trade_no(p.get("out_trade_no"))
        trade_no = require(p.get("trade_no"), "trade_no")
        amount = fen_from_yuan(require(p.get("total_amount"), "total_amount"))
        refunded = refunds and any(p.get(k) for k in _REFUND_FIELDS)
        status = _status(require(p.get("trade_status"), "trade_status"), refunded)
        paid = p.get("gmt_payment") or p.get("send_pay_date") or ""
        return Notification(
            provider="alipay",
            notification_id=notification_id,
            transaction_id=trade_no,
            out_trade_no=out_trade_no,
            amount_fen=fen_from_yuan(p["refund_fee"]) if refunded and p.get("refund_fee")
            else amount,
            status=status,
            paid_at=iso(utc_of_china_time(paid)) if paid and status != "pending" else "",
            app_id=p.get("app_id", self.config.app_id),
            refund_no=p.get("out_biz_no", "") if refunded else "",
        )

    def acknowledge(self, accepted: bool, reason: str = "") -> tuple[int, dict[str, str], bytes]:
        """Alipay wants the plain text ``success`` (else it retries, up to 8 times in 25 h)."""
        return 200, {"Content-Type": "text/plain; charset=utf-8"}, (
            b"success" if accepted else b"failure"
        )

    # -- the API ---------------------------------------------------------------------

    def call(self, method: str, biz: Mapping[str, str]) -> dict[str, str]:
        """One API call; the ``<method>_response`` member once its signature verified.

        Raises :class:`ProviderError`: ``unavailable``, ``bad_response``, or
        ``refused`` with Alipay's ``sub_code`` (``ACQ.TRADE_NOT_EXIST`` is returned,
        signed, to the caller instead, who may expect it).
        """
        body = urlencode(self.signed_params(method, biz)).encode()
        res = self.transport("POST", self.config.gateway, {
            "Content-Type": "application/x-www-form-urlencoded;charset=utf-8",
            "Accept": "application/json",
        }, body)  # fmt: skip
        if res.status >= 500:
            raise ProviderError("unavailable", str(res.status))
        text = res.body.decode("utf-8", "replace")
        member = method.replace(".", "_") + "_response"
        raw, node = _member(text, member)
        if node is None:
            _, error = _member(text, "error_response")
            code = (error or {}).get("sub_code") or (error or {}).get("code") or "no_answer"
            raise ProviderError("refused" if error else "bad_response", str(code))
        code = str(node.get("code", ""))
        sub_code = str(node.get("sub_code", ""))
        signed = _signature(text)
        if (code == SUCCESS or sub_code == NOT_EXIST) and not (
            signed and crypto.verify(self._alipay_key, raw.encode(), signed)
        ):
            raise ProviderError("bad_response", "signature")
        if code != SUCCESS and sub_code != NOT_EXIST:
            raise ProviderError("refused", sub_code or code)
        return {k: str(v) for k, v in node.items()}

    def query(self, out_trade_no: str) -> Notification | None:
        node = self.call("alipay.trade.query", {"out_trade_no": out_trade_no})
        if node.get("sub_code") == NOT_EXIST:
            return None
        try:
            found = self._notification(node, "", refunds=False)
        except NotificationRejected as exc:
            raise ProviderError("bad_response", exc.reason) from exc
        key = found.transaction_id or found.out_trade_no
        return _replace_id(found, f"query:{key}:{found.status}")

    def refund(self, out_trade_no: str, refund_no: str, amount_fen: int, total_fen: int,
               reason: str) -> str:  # fmt: skip
        """Alipay refunds at once; its refund is known by our ``out_request_no``, which is
        what is returned (a retry with the same number refunds nothing more)."""
        if not 0 < amount_fen <= total_fen:
            raise ValueError("refund amount must be positive and at most the total")
        self.call("alipay.trade.refund", {
            "out_trade_no": out_trade_no,
            "refund_amount": yuan_from_fen(amount_fen),
            "out_request_no": refund_no,
            "refund_reason": reason[:256],
        })  # fmt: skip
        return refund_no


def _status(trade_status: str, refunded: bool) -> Status:
    if trade_status in _PAID:
        return "refunded" if refunded else "paid"
    if trade_status == "TRADE_CLOSED":
        return "refunded" if refunded else "closed"
    if trade_status == "WAIT_BUYER_PAY":
        return "pending"
    raise NotificationRejected("unknown_status", trade_status[:40])


def _form(body: bytes) -> dict[str, str]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotificationRejected("bad_body") from exc
    params = dict(pairs)
    if len(params) != len(pairs):
        raise NotificationRejected("bad_body", "repeated field")
    return params


def _member(text: str, name: str) -> tuple[str, dict[str, object] | None]:
    """The raw JSON text of the top-level member ``name`` and its value."""
    try:
        doc = json.loads(text)
    except ValueError:
        return "", None
    if not isinstance(doc, dict) or not isinstance(doc.get(name), dict):
        return "", None
    marker = text.find(f'"{name}"')
    start = text.find(":", marker) + 1
    while text[start] in " \t\r\n":
        start += 1
    value, end = json.JSONDecoder().raw_decode(text, start)
    return text[start:end], value if isinstance(value, dict) else None


def _signature(text: str) -> str:
    doc = json.loads(text)
    sign = doc.get("sign") if isinstance(doc, dict) else None
    return sign if isinstance(sign, str) else ""


def _replace_id(n: Notification, notification_id: str) -> Notification:
    from dataclasses import replace

    return replace(n, notification_id=notification_id)
