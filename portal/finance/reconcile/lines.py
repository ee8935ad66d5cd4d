"""What a statement file becomes: lines as plain tuples, and the problems found reading it.

A provider line is a tuple (no per-line object: a statement may have a million lines)::

    (kind, out_trade_no, transaction_id, refund_no, gross_fen, fee_fen, day, line_no)

``kind`` is ``pay`` or ``refund``; amounts are signed integer fen from the merchant's side
(a payment ``+gross``, its fee ``+fee``; a refund ``-amount``, the fee given back
``-fee``), so a line's net settlement is always ``gross - fee``; ``day`` is the
provider's trade day (``YYYY-MM-DD``, Beijing time as the files state it).

A bank line is ``(serial, day, amount_fen, counterparty, memo, line_no)``; only credits
(deposits) are kept.

Amounts are read exactly (:func:`fen`): yuan with at most two decimals, never a float;
a fee may have more decimals (WeChat writes five) and is rounded half up to the fen.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import BinaryIO, Literal, TextIO

from portal.i18n import translate

ProviderLine = tuple[str, str, str, str, int, int, str, int]
BankLine = tuple[str, str, int, str, str, int]
KIND, OUT_TRADE_NO, TRANSACTION, REFUND_NO, GROSS, FEE, DAY, LINE = range(8)

MAX_PROBLEMS = 50
"""A report lists at most this many problems (a wrong file would otherwise list every line)."""
MAX_LINES = 1_000_000

Source = Literal["alipay", "wechat", "bank"]


class Bad(ValueError):
    """A value that cannot be read; ``code`` names the problem."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def fen(text: str) -> int:
    """Fen of a yuan amount written with at most two decimals (``-12.5``, ``1,234.00``)."""
    if len(text) > 3 and text[-3] == "." and (w := text[:-3]).isdigit() and w.isascii() \
            and (c := text[-2:]).isdigit() and c.isascii():  # fmt: skip
        return int(w) * 100 + int(c)  # the usual 123.45, without the checks below
    s = text.strip().replace(",", "")
    if not s:
        raise Bad("amount_missing")
    neg = s[0] == "-"
    body = s[1:] if neg or s[0] == "+" else s
    whole, dot, cents = body.partition(".")
    if not (whole.isdigit() or (dot and whole == "")) or len(cents) > 2 or (
            cents and not cents.isdigit()) or (dot and not cents) or not whole.isascii():  # fmt: skip
        raise Bad("amount_invalid")
    value = int(whole or "0") * 100 + (int(cents.ljust(2, "0")) if cents else 0)
    return -value if neg else value


def fee_fen(text: str) -> int:
    """Fen of a fee that may have more than two decimals, rounded half up (away from zero)."""
    s = text.strip().replace(",", "")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise Bad("amount_invalid") from None
    if not value.is_finite() or abs(value) > 10**10:
        raise Bad("amount_invalid")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def day_of(text: str) -> str:
    """``YYYY-MM-DD`` of ``2026-11-22 10:00:00``, ``2026/11/22``, ``20261122``, ``2026年11月22日``."""
    s = text.strip()
    head = s.split(" ", 1)[0].split("T", 1)[0]
    if len(head) == 8 and head.isdigit():
        y, m, d = head[:4], head[4:6], head[6:]
    else:
        parts = head.replace("/", "-").replace("年", "-").replace("月", "-").rstrip("日").split("-")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise Bad("date_invalid")
        y, m, d = parts[0], parts[1].zfill(2), parts[2].zfill(2)
    try:
        return date(int(y), int(m), int(d)).isoformat() if len(y) == 4 else _bad()
    except ValueError:
        raise Bad("date_invalid") from None


def _bad() -> str:
    raise Bad("date_invalid")


@dataclass(frozen=True)
class Problem:
    """What is wrong with a file, where: its line (as a text editor counts) and column."""

    line: int
    column: str
    code: str
    value: str = ""

    def message(self, lang: str = "zh-CN") -> str:
        return translate(f"reconcile.problems.{self.code}", lang, line=self.line,
                         column=self.column, value=self.value[:60])  # fmt: skip


@dataclass
class Parsed:
    """A statement read: its format, its lines (or its problems), what was skipped."""

    format: str
    provider_lines: list[ProviderLine] = field(default_factory=list)
    bank_lines: list[BankLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    account: str = ""
    """The merchant account the file states (Alipay's 账号, WeChat's 商户号), if any."""

    def problem(self, line: int, column: str, code: str, value: str = "") -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, column, code, value[:60]))

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def count(self) -> int:
        return len(self.provider_lines) + len(self.bank_lines)


def fast_fee_fen(text: str) -> int:
    """:func:`fee_fen` without ``Decimal``: the digits past the fen decide (≥ 5: away from 0)."""
    s = text.strip()
    neg = s[:1] == "-"
    body = s[1:] if neg else s
    whole, _, frac = body.partition(".")
    if not whole.isdigit() or not whole.isascii() or (frac and not (frac.isdigit() and frac.isascii())):
        return fee_fen(text)  # thousands separators, a plus sign...: the slow, exact way
    value = int(whole) * 100 + int(frac[:2].ljust(2, "0")) + (frac[2:3] >= "5")
    return -value if neg else value


def open_text(data: bytes | BinaryIO) -> TextIO:
    """A text stream of a statement: UTF-8 (with or without BOM) or GB18030 (GBK's superset),
    decided on the first 64 KiB; ``Bad("encoding")`` if neither reads."""
    stream: BinaryIO = io.BytesIO(data) if isinstance(data, bytes) else data
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[type-var]
    head = buffered.peek(65536)[:65536]
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "gb18030"
    return io.TextIOWrapper(buffered, encoding=encoding, newline="")


def normal(name: str) -> str:
    """A column name compared loosely: NFKC (full-width brackets), no spaces, tabs or quotes."""
    return unicodedata.normalize("NFKC", name).strip().strip("`\t\ufeff\"' ").replace(" ", "")
