"""Reading tabular uploads: CSV and XLSX, with bounded cost, for every import.

One reader for the owner roster now, and meter readings, unit lists and bank
statements later. It returns the raw rows, each with the row number people see
in their spreadsheet; what the columns mean is the caller's business.

CSV
    UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), or
    GB18030/GBK (Excel on Chinese Windows), separated by commas, tabs or
    semicolons: the first delimiter whose rows the caller's ``accept`` likes
    (its header is found) wins.
XLSX
    The first sheet, streamed by :mod:`portal.xlsx` (only the rows present are
    made: a tiny hostile file cannot make a million); merged cells are filled
    from their top-left cell in the rows that exist; the unpacked size, rows,
    elements, merges and shared strings are capped (zip bombs, XML bombs).
Limits
    At most ``max_rows`` rows with content (plus the header area),
    :data:`MAX_COLUMNS` columns, :data:`MAX_XLSX_UNCOMPRESSED` unpacked bytes.

Errors are ``InvalidInput("<prefix>_<problem>")`` with the caller's prefix
(``roster_unreadable``), so each import keeps its own messages.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Literal

from portal.errors import InvalidInput

if TYPE_CHECKING:
    from portal.xlsx import Merge, Value

MAX_COLUMNS = 60
MAX_XLSX_UNCOMPRESSED = 16 * 1024 * 1024
"""Refuse an XLSX whose parts unpack to more than this (a 1 MiB upload can hide a zip bomb)."""
HEADER_SEARCH_ROWS = 10
"""The header row must be among the first rows of the sheet."""

Cell = str | int | float | date | datetime | time | bool | None
Rows = Sequence[tuple[int, list[Cell]]]


@dataclass(frozen=True)
class Sheet:
    """The raw rows of an uploaded file, each with its row number as staff see it."""

    format: Literal["csv", "xlsx"]
    encoding: str  # CSV: the detected encoding; XLSX: ""
    rows: list[tuple[int, list[Cell]]]


def read_sheet(
    data: bytes, max_rows: int, prefix: str, accept: Callable[[Rows], bool] = lambda _rows: True
) -> Sheet:
    """The rows of a CSV or XLSX file; ``InvalidInput`` when it is neither or unreadable.

    Blank rows are kept near the top (they count for the row numbers staff see and
    are reported as skipped); far down a sheet, only rows with content are kept.
    """
    if not data.strip():
        raise InvalidInput(f"{prefix}_empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, max_rows, prefix)
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: the old binary .xls
        raise InvalidInput(f"{prefix}_xls_unsupported")
    return _read_csv(data, max_rows, prefix, accept)


class _Rows:
    """Collects rows, refusing more than ``max_rows`` with content (plus the header area)."""

    def __init__(self, max_rows: int, prefix: str) -> None:
        self.prefix = prefix
        self.limit = max_rows + HEADER_SEARCH_ROWS
        self.rows: list[tuple[int, list[Cell]]] = []
        self.filled = 0

    def add(self, number: int, cells: Iterable[Cell]) -> None:
        values: list[Cell] = list(cells)[:MAX_COLUMNS]
        if any(cell_text(v) for v in values):
            self.filled += 1
            if self.filled > self.limit:
                raise InvalidInput(f"{self.prefix}_too_many_rows", max=self.limit - HEADER_SEARCH_ROWS)
        elif number > self.limit:
            return
        self.rows.append((number, values))


def _decode(data: bytes, prefix: str) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]  # GB18030 is a superset of GBK and GB2312
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, encoding
    raise InvalidInput(f"{prefix}_unreadable")


def _read_csv(data: bytes, max_rows: int, prefix: str, accept: Callable[[Rows], bool]) -> Sheet:
    text, encoding = _decode(data, prefix)
    first: list[tuple[int, list[Cell]]] | None = None
    for delimiter in (",", "\t", ";"):
        rows = _Rows(max_rows, prefix)
        try:
            for number, record in enumerate(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
            ):
                rows.add(number, record)
        except csv.Error as exc:
            raise InvalidInput(f"{prefix}_unreadable") from exc
        if accept(rows.rows):
            return Sheet("csv", encoding, rows.rows)
        first = rows.rows if first is None else first
    assert first is not None
    return Sheet("csv", encoding, first)


def _read_xlsx(data: bytes, max_rows: int, prefix: str) -> Sheet:
    from portal.xlsx import XlsxProblem, read_first_sheet  # only when a file is XLSX

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InvalidInput(f"{prefix}_unreadable") from exc
    if unpacked > MAX_XLSX_UNCOMPRESSED:
        raise InvalidInput(f"{prefix}_too_large")
    rows = _Rows(max_rows, prefix)
    last = 0

    def add(number: int, cells: list[Value]) -> None:
        nonlocal last
        if number <= last:
            raise XlsxProblem("unreadable")  # rows out of order: not a sheet Excel wrote
        # Blank rows between rows near the top are kept (reported as skipped, as in a CSV);
        # none is made up to reach a row far down (one stray cell at row 1,048,576).
        if number <= rows.limit:
            for blank in range(last + 1, number):
                rows.add(blank, [])
        rows.add(number, cells)
        last = number

    try:
        merges = read_first_sheet(data, add)
    except XlsxProblem as exc:
        raise InvalidInput(f"{prefix}_{exc.kind}") from exc
    _fill_merges(rows.rows, merges)
    return Sheet("xlsx", "", rows.rows)


def _fill_merges(rows: list[tuple[int, list[Cell]]], merges: Sequence[Merge]) -> None:
    """A merged cell (a 楼栋 spanning its rows) holds its value in the top-left cell only:
    copy it into the merged cells of the rows that exist (cost: the cells filled)."""
    numbers = [n for n, _ in rows]
    by_number = dict(rows)
    for m in merges:
        top = by_number.get(m.min_row)
        if top is None or m.min_col > len(top) or m.min_col > MAX_COLUMNS:
            continue
        value = top[m.min_col - 1]
        for i in range(bisect_left(numbers, m.min_row), bisect_right(numbers, m.max_row)):
            cells = by_number[numbers[i]]
            for c in range(m.min_col, min(m.max_col, len(cells)) + 1):
                cells[c - 1] = value


def cell_text(value: Cell) -> str:
    """A cell as text: whole numbers without ``.0``, dates as ISO, strings stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()
