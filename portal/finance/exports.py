"""Exports finance opens in a spreadsheet: XLSX (openpyxl) and CSV (UTF-8 with BOM).

Each export is one :class:`Table`: Chinese headers (from the catalog, English beside them
in the catalog only), the rows, and a totals row computed from the same report the page
shows, so the totals equal the screen. Amounts are yuan with two decimals: in CSV as text
from :func:`portal.billing.money.yuan` (``1234.56``), in XLSX as exact decimal numbers with
the format ``0.00`` (so Excel sums them); rates are percentages with two decimals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from portal.billing.money import yuan
from portal.finance.arrears import BUCKETS, ArrearsList
from portal.finance.collection import CollectionReport, Figures
from portal.i18n import translate

Format = Literal["csv", "xlsx"]
CONTENT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Money:
    fen: int


Value = str | int | Money | Decimal | None


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    totals: tuple[Value, ...]


def _h(key: str, lang: str) -> str:
    return translate(f"collection.export.{key}", lang)


def _rate(value: Decimal | None) -> Value:
    return value if value is not None else ""


def _figures(f: Figures) -> tuple[Value, ...]:
    return (Money(f.billed_fen), Money(f.paid_fen), Money(f.outstanding_fen), _rate(f.rate_amount),
            f.households, f.paid_households, _rate(f.rate_households))  # fmt: skip


FIGURE_HEADERS = ("billed", "paid", "outstanding", "rate_amount", "households",
                  "paid_households", "rate_households")  # fmt: skip


def collection_table(r: CollectionReport, lang: str = "zh-CN") -> Table:
    """The period's collection by building (a building's drill-down: by unit), with totals."""
    if r.units:
        head = (_h("unit", lang), *(_h(k, lang) for k in FIGURE_HEADERS), _h("arrears", lang))
        rows = tuple((u.unit.unit_id, *_figures(u.figures), Money(u.arrears_fen)) for u in r.units)
        totals = (_h("total", lang), *_figures(r.total),
                  Money(sum(u.arrears_fen for u in r.units)))  # fmt: skip
    else:
        head = (_h("building", lang), *(_h(k, lang) for k in FIGURE_HEADERS))
        rows = tuple((b, *_figures(f)) for b, f in r.buildings.items())
        totals = (_h("total", lang), *_figures(r.total))
    title = translate("collection.export.collection_title", lang, estate=r.estate, period=r.period)
    return Table(title, head, rows, totals)


def arrears_table(a: ArrearsList, lang: str = "zh-CN") -> Table:
    """The arrears list: a unit a row, its debt by age bucket, the owners (masked phones)."""
    buckets = tuple(name for name, _, _ in BUCKETS)
    head: tuple[str, ...] = (_h("unit", lang), _h("owners", lang), *(_h(f"bucket_{b}", lang) for b in buckets),
            _h("arrears", lang), _h("oldest_days", lang))  # fmt: skip
    rows: tuple[tuple[Value, ...], ...] = tuple((u.unit_id, "；".join(u.owners), *(Money(u.by_bucket[b]) for b in buckets),
                  Money(u.total_fen), u.oldest_days) for u in a.units)  # fmt: skip
    by_bucket = a.by_bucket
    totals: tuple[Value, ...] = (
        _h("total", lang),
        "",
        *(Money(by_bucket[b]) for b in buckets),
        Money(a.total_fen),
        "",
    )
    title = translate("collection.export.arrears_title", lang, estate=a.estate, day=a.today)
    return Table(title, head, rows, totals)


def _text(v: Value) -> str:
    if isinstance(v, Money):
        return yuan(v.fen)
    if v is None:
        return ""
    return str(v)


def to_csv(t: Table) -> bytes:
    """UTF-8 with a BOM (Excel on Windows then reads the Chinese), CRLF line ends."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(t.headers)
    for row in (*t.rows, t.totals):
        w.writerow([_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(t: Table) -> bytes:
    """One sheet: the title, the headers, the rows and the totals (amounts as ``0.00``)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(t.title[:31].replace("/", "-") or "sheet")
    bold = Font(bold=True)

    def cells(row: Sequence[Value], strong: bool = False) -> list[WriteOnlyCell]:
        out = []
        for v in row:
            if isinstance(v, Money):
                cell = WriteOnlyCell(ws, value=Decimal(v.fen) / 100)
                cell.number_format = "0.00"
            else:
                cell = WriteOnlyCell(ws, value=v)
            if strong:
                cell.font = bold
            out.append(cell)
        return out

    ws.append(cells((t.title,), strong=True))
    ws.append(cells(t.headers, strong=True))
    for row in t.rows:
        ws.append(cells(row))
    ws.append(cells(t.totals, strong=True))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(t: Table, fmt: Format) -> bytes:
    return to_xlsx(t) if fmt == "xlsx" else to_csv(t)
