"""Bank statements (银行流水) as CSV or XLSX, read with the column mapping finance saves per bank.

Every bank exports its own columns; finance names them once per bank
(:class:`BankMapping`: which column holds the date, the credit amount — or one signed
amount —, the counterparty, the bank's serial number and the memo) and every later
statement of that bank is read with it. The file is read by :mod:`portal.tabular`
(UTF-8/GBK CSV or the first sheet of an XLSX, bounded cost); the header row is found
among the first rows by the mapped names. Only credits (deposits) are kept: a
settlement arrives as one; debits are counted as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.errors import InvalidInput
from portal.finance.reconcile.lines import MAX_LINES, Bad, Parsed, day_of, fen, normal
from portal.tabular import HEADER_SEARCH_ROWS, Cell, cell_text, read_sheet

MAX_BANK_ROWS = 100_000
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class BankMapping:
    """Which column of a bank's statement means what (the names as the bank writes them)."""

    bank: str
    date: str
    counterparty: str
    credit: str = ""
    """The credit (收入/贷方) column; or leave empty and name a signed ``amount`` column."""
    amount: str = ""
    debit: str = ""
    serial: str = ""
    memo: str = ""

    def columns(self) -> dict[str, str]:
        return {k: v for k, v in (("date", self.date), ("credit", self.credit),
                                  ("amount", self.amount), ("debit", self.debit),
                                  ("counterparty", self.counterparty), ("serial", self.serial),
                                  ("memo", self.memo)) if v}  # fmt: skip


def _date(value: Cell) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return (_EXCEL_EPOCH + timedelta(days=int(value))).isoformat()  # an XLSX date serial
    return day_of(cell_text(value))


def _amount(value: Cell) -> int:
    if isinstance(value, float):
        return fen(repr(value)) if "e" not in repr(value) else fen(f"{value:.2f}")
    return fen(cell_text(value) or "0")


def parse(data: bytes, mapping: BankMapping, max_rows: int = MAX_BANK_ROWS) -> Parsed:
    """The credits of a bank statement read with ``mapping``, or the problems found."""
    out = Parsed("bank")
    wanted = {field: normal(name) for field, name in mapping.columns().items()}
    if "credit" not in wanted and "amount" not in wanted:
        out.problem(0, "", "mapping_incomplete")
        return out

    def has_header(rows: object) -> bool:
        return _header(rows, wanted) is not None  # type: ignore[arg-type]

    try:
        sheet = read_sheet(data, max_rows, "statement", has_header)
    except InvalidInput as exc:
        out.problem(0, "", exc.code.removeprefix("statement_"))
        return out
    found = _header(sheet.rows, wanted)
    if found is None:
        out.problem(1, next(iter(mapping.columns().values())), "column_missing")
        return out
    header_row, col = found
    for number, cells in sheet.rows:
        if number <= header_row or not any(cell_text(c) for c in cells):
            continue
        def get(f: str, cells: list[Cell] = cells) -> Cell:
            return cells[col[f]] if f in col and col[f] < len(cells) else None

        try:
            day = _date(get("date"))
        except Bad as exc:
            out.problem(number, mapping.date, exc.code, cell_text(get("date")))
            continue
        try:
            credit = _amount(get("credit")) if "credit" in col else _amount(get("amount"))
        except Bad as exc:
            out.problem(number, mapping.credit or mapping.amount, exc.code,
                        cell_text(get("credit") if "credit" in col else get("amount")))  # fmt: skip
            continue
        if credit <= 0:
            out.skipped += 1
            continue
        out.bank_lines.append((cell_text(get("serial")), day, credit,
                               cell_text(get("counterparty")), cell_text(get("memo")), number))  # fmt: skip
        if len(out.bank_lines) > MAX_LINES:
            out.problem(number, "", "too_many_lines", str(MAX_LINES))
            break
    return out


def _header(rows: list[tuple[int, list[Cell]]], wanted: dict[str, str]
            ) -> tuple[int, dict[str, int]] | None:  # fmt: skip
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        names = {normal(cell_text(c)): i for i, c in enumerate(cells) if cell_text(c)}
        if all(w in names for w in wanted.values()):
            return number, {f: names[w] for f, w in wanted.items()}
    return None
