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
    The first sheet, streamed (openpyxl's read-only mode: a tiny hostile file
    cannot make it materialise a million rows); merged cells are filled from
    their top-left cell; the unpacked size is capped (zip bombs).
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
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from portal.errors import InvalidInput

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


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def _read_xlsx(data: bytes, max_rows: int, prefix: str) -> Sheet:
    import openpyxl  # lazily: only the import needs it
    from openpyxl.utils.cell import range_boundaries

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InvalidInput(f"{prefix}_unreadable") from exc
    if unpacked > MAX_XLSX_UNCOMPRESSED:
        raise InvalidInput(f"{prefix}_too_large")
    try:
        # Read-only mode streams the cells; the normal mode would also build one object
        # per cell of every merged range, which a tiny hostile file can make enormous.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged file
        raise InvalidInput(f"{prefix}_unreadable") from exc
    rows = _Rows(max_rows, prefix)
    merged: list[tuple[int, int, int, int]] = []
    try:
        if not workbook.worksheets:
            raise InvalidInput(f"{prefix}_empty")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # do not trust the file's own idea of its size
        path = getattr(sheet, "_worksheet_path", None)
        if isinstance(path, str):
            with workbook._archive.open(path) as xml:
                for ref in _MERGE_REF.findall(xml.read()):
                    merged.append(range_boundaries(ref.decode()))
        for number, values in enumerate(
            sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            rows.add(number, values)
    except InvalidInput:
        raise
    except Exception as exc:
        raise InvalidInput(f"{prefix}_unreadable") from exc
    finally:
        workbook.close()
    # A merged cell (a 楼栋 spanning its rows) holds its value in the top-left cell only.
    by_number = {number: cells for number, cells in rows.rows}
    for min_col, min_row, max_col, max_row in merged:
        top = by_number.get(min_row)
        if top is None or min_col > len(top):
            continue
        value = top[min_col - 1]
        for number, cells in rows.rows:
            if min_row <= number <= max_row:
                for c in range(min_col, min(max_col, len(cells)) + 1):
                    cells[c - 1] = value
    return Sheet("xlsx", "", rows.rows)


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
