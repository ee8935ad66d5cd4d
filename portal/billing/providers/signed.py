"""Bodies signed in headers: ``timestamp\\nnonce\\nbody\\n`` with SHA256withRSA.

WeChat Pay API v3 signs its notifications and its API answers this way
(``Wechatpay-Timestamp``, ``-Nonce``, ``-Signature``, ``-Serial``); the sandbox
signs its notifications the same way under its own header names, so both go
through this one check: every header present, the key chosen by its serial
among the keys we hold, the signature over the exact bytes received, then the
timestamp within ±5 minutes of our clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from portal.billing.providers import crypto
from portal.billing.providers.base import (
    NotificationRejected,
    check_fresh,
    from_unix,
    header,
)


@dataclass(frozen=True)
class Scheme:
    """The header names of one signer."""

    timestamp: str
    nonce: str
    signature: str
    serial: str
    signature_type: str = ""
    """A header naming the algorithm, if the signer sends one; it must be ``expected_type``."""
    expected_type: str = ""


WECHATPAY = Scheme("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature",
                   "Wechatpay-Serial", "Wechatpay-Signature-Type",
                   "WECHATPAY2-SHA256-RSA2048")  # fmt: skip
SANDBOX = Scheme("Sandbox-Timestamp", "Sandbox-Nonce", "Sandbox-Signature", "Sandbox-Serial")


def message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def sign_headers(scheme: Scheme, key: crypto.PrivateKey, serial: str, timestamp: str,
                 nonce: str, body: bytes) -> dict[str, str]:  # fmt: skip
    """The headers a signer sends with ``body`` (the sandbox; tests of WeChat)."""
    headers = {
        scheme.timestamp: timestamp,
        scheme.nonce: nonce,
        scheme.serial: serial,
        scheme.signature: crypto.sign(key, message(timestamp, nonce, body)),
    }
    if scheme.signature_type:
        headers[scheme.signature_type] = scheme.expected_type
    return headers


def verify_headers(scheme: Scheme, headers: Mapping[str, str], body: bytes, now: datetime,
                   keys: Mapping[str, crypto.PublicKey]) -> None:  # fmt: skip
    """Raise :class:`NotificationRejected` unless ``body`` is signed, by a key we hold, now."""
    values = {n: header(headers, n) for n in (scheme.timestamp, scheme.nonce, scheme.signature,
                                              scheme.serial)}  # fmt: skip
    if missing := [n for n, v in values.items() if not v]:
        raise NotificationRejected("missing_header", missing[0])
    if scheme.signature_type:
        kind = header(headers, scheme.signature_type)
        if kind and kind != scheme.expected_type:
            raise NotificationRejected("unsupported_algorithm", kind[:40])
    key = keys.get(values[scheme.serial])
    if key is None:
        raise NotificationRejected("unknown_key", values[scheme.serial][:64])
    timestamp = values[scheme.timestamp]
    signed = message(timestamp, values[scheme.nonce], body)
    if not crypto.verify(key, signed, values[scheme.signature]):
        raise NotificationRejected("bad_signature")
    check_fresh(from_unix(timestamp), now)
