"""A sample bank statement read for its header (the column-mapping form, once per bank).

Finance uploads one statement of a bank; the page shows its header's columns and the first
rows under it, with a guess of which column is which (:data:`GUESSES`, the names Chinese
banks' exports use), and finance picks and saves the mapping
(:class:`~portal.finance.reconcile.bank.BankMapping`) that every later statement of that bank
is read with. The header is the row, among the first rows, with the most filled cells (a
bank's export often starts with its name, the account and the period in one cell each).
Nothing is stored: a file that cannot be read is a problem in the answer, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.errors import InvalidInput
from portal.finance.reconcile.lines import Problem, normal
from portal.tabular import HEADER_SEARCH_ROWS, cell_text, read_sheet

SAMPLE_ROWS = 5
"""Rows under the header shown, so finance sees what each column holds."""
SAMPLE_MAX_ROWS = 100_000
MAX_COLUMN_NAME = 40

FIELDS: tuple[str, ...] = ("date", "credit", "amount", "debit", "counterparty", "serial", "memo")
"""The mapping's fields, in the form's order (:class:`~portal.finance.reconcile.bank.BankMapping`)."""
GUESSES: dict[str, tuple[str, ...]] = {
    "date": ("交易日期", "记账日期", "入账日期", "交易日", "交易时间", "日期", "date"),
    "credit": ("贷方发生额", "贷方金额", "收入金额", "存入金额", "收入", "贷方", "credit"),
    "debit": ("借方发生额", "借方金额", "支出金额", "支取金额", "支出", "借方", "debit"),
    "amount": ("交易金额", "发生额", "金额", "amount"),
    "counterparty": ("对方户名", "对方账户名称", "对方账户名", "对方名称", "对方单位", "收付款人",
                     "counterparty"),
    "serial": ("交易流水号", "银行流水号", "流水号", "交易参考号", "凭证号", "serial"),
    "memo": ("摘要", "用途", "附言", "备注", "memo"),
}  # fmt: skip
"""Field → the header words that suggest it, best first (a column is guessed for one field)."""


@dataclass(frozen=True)
class Sample:
    header_row: int = 0
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    guess: dict[str, str] = field(default_factory=dict)
    problem: Problem | None = None


def guess(columns: tuple[str, ...]) -> dict[str, str]:
    """Field → the column that looks like it (by :data:`GUESSES`); ``amount`` only without a
    credit column (a signed amount is the other way to give the deposits)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in FIELDS:
        if name == "amount" and "credit" in out:
            continue
        for word in GUESSES[name]:
            hit = next((c for c in columns if c not in taken and normal(word) in normal(c).lower()), None)
            if hit is not None:
                out[name] = hit
                taken.add(hit)
                break
    return out


def sample(data: bytes) -> Sample:
    """The header of a bank statement and the first rows under it, with the guessed mapping."""
    try:
        sheet = read_sheet(data, SAMPLE_MAX_ROWS, "statement")
    except InvalidInput as exc:
        return Sample(problem=Problem(1, "", exc.code.removeprefix("statement_")))
    top = sheet.rows[:HEADER_SEARCH_ROWS]
    filled = [(sum(1 for c in cells if cell_text(c)), -number, number, cells) for number, cells in top]
    if not filled or max(f[0] for f in filled) == 0:
        return Sample(problem=Problem(1, "", "no_header"))
    _, _, header_row, cells = max(filled, key=lambda f: (f[0], f[1]))  # the fullest, then the first
    columns = tuple(cell_text(c)[:MAX_COLUMN_NAME] for c in cells)
    width = len(columns)
    rows = tuple(
        tuple(cell_text(c) for c in (list(row) + [None] * width)[:width])
        for number, row in sheet.rows if number > header_row and any(cell_text(c) for c in row)
    )[:SAMPLE_ROWS]
    named = tuple(c for c in columns if c)
    return Sample(header_row, columns, rows, guess(named))
