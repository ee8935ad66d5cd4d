"""Receipts (收据): numbered without gaps per estate and year, printable in zh-CN and English.

A receipt number is taken in the very transaction that records the payment
(:mod:`portal.billing.ledger`): the counter of the estate and year is read
first, then set to the next number under the condition that it still holds
the value read (``receipt_counter_at``), beside the new receipt
(``receipt_is_new``). A transaction that fails gives its number back (nothing
was written), so the numbers of an estate's year are 1, 2, 3 … with no gap and
no repeat, whatever runs at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.billing.model import Payment
from portal.billing.money import capital_yuan, yuan
from portal.clock import local_text, parse_iso, zone
from portal.estates.model import Company, Estate
from portal.i18n import translate
from portal.store import billing_keys
from portal.store.conditions import Condition, condition
from portal.store.items import Item, text, whole
from portal.store.table import Put, Update

RECEIPT_IS_NEW = condition("receipt_is_new", "attribute_not_exists(pk)")


def counter_at(current: int) -> Condition:
    """The counter still holds ``current`` (or does not exist yet, for 0)."""
    if current == 0:
        return condition("receipt_counter_at", "attribute_not_exists(n)")
    return condition("receipt_counter_at", "n = :n", n=current)


def current_number(item: Item | None) -> int:
    return whole(item or {}, "n")


def take_number(estate: str, year: int, current: int) -> Update:
    return Update(billing_keys.receipt_counter(estate, year), set={"n": current + 1},
                  condition=counter_at(current))  # fmt: skip


def receipt_no(estate: str, year: int, number: int) -> str:
    """``lanting-2026-000123``: the estate, the year, the number in that year."""
    return f"{estate}-{year}-{number:06d}"


def receipt_put(p: Payment, year: int, number: int, transaction_id: str, paid_at: str,
                issued_at: str) -> Put:  # fmt: skip
    u = p.unit
    return Put({
        **billing_keys.receipt(u.estate, year, number), "type": "receipt",
        "receipt_no": receipt_no(u.estate, year, number), "number": number, "year": year,
        "estate": u.estate, "building": u.building, "room": u.room, "unit_id": u.unit_id,
        "payment_id": p.payment_id, "provider": p.provider, "transaction_id": transaction_id,
        "total_fen": p.amount_fen, "paid_at": paid_at, "issued_at": issued_at,
        "lines": [{"bill_id": ln.bill_id, "item": ln.item, "period": ln.period,
                   "fen": ln.pay_fen} for ln in p.lines],
    }, RECEIPT_IS_NEW)  # fmt: skip


def parse_receipt_no(value: str) -> tuple[str, int, int] | None:
    """``(estate, year, number)`` of a receipt number, or ``None``."""
    estate, _, rest = value.rpartition("-")
    estate, _, year = estate.rpartition("-")
    if not (estate and year.isdigit() and rest.isdigit()):
        return None
    return estate, int(year), int(rest)


@dataclass(frozen=True)
class ReceiptLine:
    item: str
    name: str
    name_en: str
    period: str
    fen: int
    yuan: str


@dataclass(frozen=True)
class Receipt:
    """What a printed receipt shows, in both languages."""

    receipt_no: str
    title: str
    title_en: str
    company: str
    company_en: str
    estate: str
    estate_name: str
    estate_name_en: str
    unit_id: str
    building: str
    room: str
    lines: tuple[ReceiptLine, ...]
    total_fen: int
    total_yuan: str
    total_capital: str
    """人民币大写 (the total in Chinese capital numerals)."""
    provider: str
    provider_name: str
    provider_name_en: str
    transaction_id: str
    payment_id: str
    paid_at: str
    paid_at_local: str


def receipt_of(item: Item, company: Company, estate: Estate) -> Receipt:
    raw: Any = item.get("lines") or []
    lines = tuple(
        ReceiptLine(text(ln, "item"), translate(f"billing.items.{text(ln, 'item')}", "zh-CN"),
                    translate(f"billing.items.{text(ln, 'item')}", "en"), text(ln, "period"),
                    whole(ln, "fen"), yuan(whole(ln, "fen")))
        for ln in raw if isinstance(ln, dict)
    )  # fmt: skip
    total = whole(item, "total_fen")
    provider = text(item, "provider")
    paid_at = text(item, "paid_at")
    return Receipt(
        receipt_no=text(item, "receipt_no"),
        title=translate("billing.receipt.title", "zh-CN"),
        title_en=translate("billing.receipt.title", "en"),
        company=company.name.zh, company_en=company.name.get("en"),
        estate=estate.slug, estate_name=estate.name.zh, estate_name_en=estate.name.get("en"),
        unit_id=text(item, "unit_id"), building=text(item, "building"), room=text(item, "room"),
        lines=lines, total_fen=total, total_yuan=yuan(total), total_capital=capital_yuan(total),
        provider=provider, provider_name=translate(f"billing.providers.{provider}", "zh-CN"),
        provider_name_en=translate(f"billing.providers.{provider}", "en"),
        transaction_id=text(item, "transaction_id"), payment_id=text(item, "payment_id"),
        paid_at=paid_at,
        paid_at_local=local_text(parse_iso(paid_at), zone(estate.time_zone)) if paid_at else "",
    )  # fmt: skip
