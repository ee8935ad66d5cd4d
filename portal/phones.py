"""Mainland mobile numbers: validation, masking, the keyed look-up hash, log redaction.

A phone number is personal data. It is never a readable key (look-ups use an
HMAC under a secret key), it is masked (``138****1234``) in logs and in lists
for anyone who does not need to call the person, and a logging filter redacts
any number that slips into a log message anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import unicodedata

from portal.errors import InvalidInput

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")

_SEP = r"[\s\-()（）]*"
PHONE_PATTERN = (
    rf"^{_SEP}(?:(?:\+|＋|00|００)(?:86|８６))?{_SEP}[1１]{_SEP}[3-9３-９]"
    rf"(?:{_SEP}[0-9０-９]){{9}}{_SEP}$"
)
"""What :func:`normalise` accepts, as a JSON-schema pattern for the API's documents: 11 digits
starting 13–19, optionally +86 or 0086 first, spaces, dashes or brackets anywhere, ASCII or
full-width digits."""
OPTIONAL_PHONE_PATTERN = f"^$|{PHONE_PATTERN}"

_D = "0-9\uff10-\uff19"  # ASCII and full-width digits
_GAP = r"(?:[\s\-\u2010-\u2015.\u3000]|%20|%2[dD]|\+)?"
"""What may stand between two digits of a number as people and programs write it: a space
(also full-width or percent-encoded), a dash, a dot, or a ``+`` (a space in a query string)."""
_IN_TEXT = re.compile(
    rf"(?<![{_D}])(?P<cc>(?:(?:\+|%2[bB]|00|\uff0b)?[8\uff18][6\uff16]{_GAP})?)"
    rf"(?P<n>[1\uff11]{_GAP}[3-9\uff13-\uff19](?:{_GAP}[{_D}]){{9}})(?![{_D}])"
)
"""A mobile number standing alone in free text, in every form :func:`normalise` accepts:
``13800138000``, ``138 0013 8000``, ``138-0013-8000``, full-width digits, ``+86``/``0086``/
``86`` before it, ``%20`` or ``+`` between its digits (a logged query string)."""


def normalise(raw: str) -> str:
    """Strip spaces, dashes and a +86/0086 prefix; raise ``InvalidInput`` unless a mobile number."""
    # Full-width digits and signs typed with a Chinese input method become ASCII first.
    digits = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if not _MOBILE.match(digits):
        raise InvalidInput("invalid_phone")
    return digits


def is_mobile(raw: str) -> bool:
    try:
        normalise(raw)
    except InvalidInput:
        return False
    return True


def mask(phone: str) -> str:
    """``13800138000`` → ``138****8000``; anything else is masked to its last 4 digits."""
    if _MOBILE.match(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    return "****" + phone[-4:] if len(phone) > 4 else "****"


def _masked(match: re.Match[str]) -> str:
    number = re.sub(r"%2[0dD]", "", match["n"])
    digits = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", number))
    return f"{match['cc']}{mask(digits)}"


def mask_text(text: str) -> str:
    """Mask every mobile number inside free text, however it is written (see ``_IN_TEXT``)."""
    return _IN_TEXT.sub(_masked, text)


def phone_hash(phone: str, key: bytes) -> str:
    """The keyed hash used as the look-up key for a (normalised) phone number."""
    return hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()


class MaskPhonesFilter(logging.Filter):
    """Redact mobile numbers from every log record that passes through a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # A traceback's exception text can carry input values: mask it as well.
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        return True


def install_log_masking(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of ``logger`` (root by default), once."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, MaskPhonesFilter) for f in handler.filters):
            handler.addFilter(MaskPhonesFilter())
