"""What the billing ledger sees of a payment provider: these types, nothing else.

A payment goes: the ledger computes the amount and calls :meth:`PaymentProvider.start`
(what the browser must do next: a redirect, WeChat's JSAPI, the sandbox page, or
"open this in the system browser" inside WeChat); the provider later POSTs a signed
notification, which the route hands to :meth:`~PaymentProvider.verify` (a
:class:`Notification`, or :class:`NotificationRejected` with a stable reason) and
answers with :meth:`~PaymentProvider.acknowledge`. A payment pending too long is
asked about with :meth:`~PaymentProvider.query`; :meth:`~PaymentProvider.refund`
gives money back.

What the providers do *not* do, because it needs the ledger's records (and its
transaction): compare ``out_trade_no`` and ``amount_fen`` with the payment we
started, and record a notification exactly once (de-duplicate by
``notification_id`` and ``transaction_id``). What they do: check the signature, the
key, the merchant/app ids, the amount's format and the freshness (±5 minutes: the
providers' own SDKs check signatures but not time, so a captured notification could
otherwise be replayed forever).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal, Protocol

StartKind = Literal["redirect", "form", "jsapi", "sandbox", "guide"]
Status = Literal["paid", "closed", "refunded", "pending"]
ProviderName = Literal["alipay", "wechat", "sandbox"]

FRESHNESS = timedelta(minutes=5)
"""How far a notification's own timestamp may be from our clock, either way (301 s is out)."""

OUT_TRADE_NO = re.compile(r"[A-Za-z0-9_-]{6,32}")
"""Our payment id as every provider accepts it (WeChat: 6-32 characters)."""

_YUAN = re.compile(r"(0|[1-9][0-9]{0,9})\.[0-9]{2}")
MAX_FEN = 100_000_000_00
"""Alipay's ceiling for one payment (100,000,000.00 yuan); WeChat's is lower in practice."""


# -- what the ledger gives ---------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRequest:
    out_trade_no: str
    """Our payment id (6-32 characters of ``[A-Za-z0-9_-]``)."""
    amount_fen: int
    """Computed by the server, never taken from the client."""
    subject: str
    """What is paid for, e.g. ``兰亭苑 2-1-1503 2026年11月物业费`` (at most 120 characters)."""
    notify_url: str
    """Our notification endpoint for this provider account (https outside local/test)."""
    return_url: str
    """Where the owner lands after paying (and the page to reopen outside WeChat)."""
    client_ip: str = ""
    """The payer's address (WeChat H5 requires it)."""
    openid: str = ""
    """The WeChat payer (JSAPI, inside WeChat): see :mod:`.wechat_oauth`."""
    expires_at: datetime | None = None
    """After this the provider refuses to take the money (aware datetime)."""

    def __post_init__(self) -> None:
        if not OUT_TRADE_NO.fullmatch(self.out_trade_no):
            raise ValueError("out_trade_no must be 6-32 characters of [A-Za-z0-9_-]")
        if type(self.amount_fen) is not int or not 0 < self.amount_fen <= MAX_FEN:
            raise ValueError("amount_fen must be a positive integer number of fen")
        if not self.subject.strip() or len(self.subject) > 120:
            raise ValueError("subject must be 1-120 characters")
        for url in (self.notify_url, self.return_url):
            if not url.startswith(("https://", "http://")):
                raise ValueError("notify_url and return_url must be absolute http(s) URLs")
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")


# -- what the ledger gets ----------------------------------------------------------------


@dataclass(frozen=True)
class PaymentStart:
    """What the browser must do next.

    ========  ================================================================
    kind      the page
    ========  ================================================================
    redirect  goes to ``url`` (Alipay's wap page, WeChat's H5 page)
    form      POSTs ``fields`` to ``url`` (reserved: no provider uses it yet)
    jsapi     calls ``WeixinJSBridge.invoke("getBrandWCPayRequest", fields)``
    sandbox   goes to ``url``: the local stand-in's page (local and test only)
    guide     does not navigate: the provider cannot open here (Alipay inside
              WeChat's in-app browser). Shows ``fields["message"]`` (zh-CN) /
              ``fields["message_en"]``: tap ··· and open in the system browser;
              ``url`` is the page to reopen there (the request's ``return_url``),
              ``fields["reason"]`` is ``open_in_system_browser``
    ========  ================================================================
    """

    kind: StartKind
    url: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    """A verified notification (or a :meth:`PaymentProvider.query` answer).

    ``notification_id`` identifies this notification (a provider's retry of it carries
    the same id); an answer of ``query()`` has ``query:<transaction or payment>:<status>``.
    ``transaction_id`` is the provider's id of the payment (the same in every notification
    and query of that payment): record a payment once per transaction id.

    For ``refunded``: ``refund_no`` is our refund number, and ``amount_fen`` the amount
    the provider states: WeChat's this refund, Alipay's total refunded so far
    (``refund_fee``). For the other states ``amount_fen`` is the payment's total, which
    the ledger must compare with the payment it started.
    """

    provider: ProviderName
    notification_id: str
    transaction_id: str
    out_trade_no: str
    amount_fen: int
    status: Status
    paid_at: str
    """When the payer paid (UTC ISO-8601, ``2026-11-22T02:00:00Z``); empty if not paid."""
    app_id: str = ""
    refund_no: str = ""


class NotificationRejected(Exception):
    """A notification that must not be believed; ``reason`` is a stable code.

    ==========================  ==================================================
    reason                      what was wrong
    ==========================  ==================================================
    ``missing_header``          a signature header is absent
    ``missing_field``           a required field is absent or empty
    ``bad_body``                the body does not parse (form, JSON, UTF-8)
    ``unsupported_algorithm``   a signature or encryption type we do not accept
    ``unknown_key``             the key serial names no key we hold
    ``bad_signature``           the signature does not verify
    ``bad_timestamp``           the notification's time does not parse
    ``stale``                   its time is more than 5 minutes from ours
    ``decrypt_failed``          WeChat's resource does not decrypt (wrong key, tampered)
    ``wrong_app_id``            another app's notification
    ``wrong_merchant``          another merchant's (mchid, seller id)
    ``bad_out_trade_no``        not one of our payment ids
    ``bad_amount``              the amount is not exact (format, currency, range)
    ``unknown_status``          a state or event we do not know
    ==========================  ==================================================
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class ProviderError(Exception):
    """``start``, ``query`` or ``refund`` failed; ``code`` is stable.

    ``unavailable`` (network, timeout, 5xx: try again later), ``refused`` (the provider
    said no; ``provider_code`` says why), ``bad_response`` (unsigned, badly signed or
    malformed), ``openid_required`` (WeChat JSAPI without the payer's openid),
    ``client_ip_required`` (WeChat H5), ``insecure_url`` (http outside local/test),
    ``not_found`` (the sandbox knows no such payment).
    """

    def __init__(self, code: str, provider_code: str = "") -> None:
        self.code = code
        self.provider_code = provider_code
        super().__init__(f"{code} ({provider_code})" if provider_code else code)


class PaymentProvider(Protocol):
    name: ProviderName
    account: str
    """The configured account this provider object serves (``PORTAL_PAYMENTS``): put it
    in the notify URL, and keep it with the payment for ``query`` and ``refund``."""

    def start(self, request: PaymentRequest, *, in_wechat: bool) -> PaymentStart: ...

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> Notification:
        """The notification, or :class:`NotificationRejected`."""
        ...

    def acknowledge(self, accepted: bool, reason: str = "") -> tuple[int, dict[str, str], bytes]:
        """The HTTP answer the provider expects (status, headers, body)."""
        ...

    def query(self, out_trade_no: str) -> Notification | None:
        """The provider's view of a payment; None if it never heard of it."""
        ...

    def refund(self, out_trade_no: str, refund_no: str, amount_fen: int, total_fen: int,
               reason: str) -> str:  # fmt: skip
        """The provider's refund id once it accepted the refund; :class:`ProviderError`."""
        ...


# -- helpers the adapters share ----------------------------------------------------------


def fen_from_yuan(text: str) -> int:
    """``"88.80"`` → 8880, exactly (Decimal, never float); exactly two decimals required."""
    if not isinstance(text, str) or not _YUAN.fullmatch(text):
        raise NotificationRejected("bad_amount", "not a yuan amount with two decimals")
    fen = int(Decimal(text) * 100)
    if not 0 < fen <= MAX_FEN:
        raise NotificationRejected("bad_amount", "out of range")
    return fen


def yuan_from_fen(fen: int) -> str:
    """8880 → ``"88.80"``."""
    if type(fen) is not int or fen < 0:
        raise ValueError("fen must be a non-negative integer")
    return f"{fen // 100}.{fen % 100:02d}"


def check_fresh(sent_at: datetime, now: datetime) -> None:
    """Refuse a notification whose own time is more than :data:`FRESHNESS` from ``now``."""
    if abs(now - sent_at) > FRESHNESS:
        raise NotificationRejected("stale", f"{int((now - sent_at).total_seconds())} s off")


def from_unix(text: str) -> datetime:
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise NotificationRejected("bad_timestamp")
    return datetime.fromtimestamp(int(text), UTC)


def header(headers: Mapping[str, str], name: str) -> str:
    """A header's value whatever the case of its name (Flask's headers or a plain dict)."""
    value = headers.get(name)
    if value is None:
        lower = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lower), None)
    return value or ""


def require(value: object, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise NotificationRejected("missing_field", name)
    return value


def check_out_trade_no(value: object) -> str:
    text = require(value, "out_trade_no")
    if not OUT_TRADE_NO.fullmatch(text):
        raise NotificationRejected("bad_out_trade_no")
    return text
