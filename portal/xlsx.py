"""A streaming reader of an XLSX file's first sheet: cost proportional to the cells present.

openpyxl, even in read-only mode, yields every empty row up to the last one, so a 1.7 KB
file with one cell at row 1,048,576 costs seconds; a few thousand ``mergeCell`` entries
cost as much again. This reader parses the sheet's XML with the standard library's
incremental parser and yields only the rows that exist, with at most :data:`MAX_COLUMNS`
cells each; shared strings and merged ranges are capped; a part that declares a DTD is
refused (entity expansion). Dates stay Excel serial numbers (``cell_text`` gives
``44270``; the callers that expect dates read serials).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from posixpath import dirname, join, normpath
from typing import Any
from xml.etree.ElementTree import XMLPullParser

MAX_COLUMNS = 60
MAX_SHARED_STRINGS = 50_000
"""A roster of 5,000 rows has far fewer distinct texts; more is not a roster."""
MAX_MERGES = 10_000
MAX_ROW_ELEMENTS = 50_000
"""``<row>`` elements in the sheet, empty ones included (formatted but blank rows)."""
MAX_ELEMENTS = 400_000
"""Elements parsed in one part: bounds the time any file can take (about 0.3 s)."""
CHUNK = 64 * 1024

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_RANGE = re.compile(r"^([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})$")

Value = str | int | float | bool | None


class XlsxProblem(Exception):
    """The file is not a readable workbook (``unreadable``) or exceeds a cap (``too_large``)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(kind)


@dataclass(frozen=True)
class Merge:
    min_col: int
    min_row: int
    max_col: int
    max_row: int


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _events(archive: zipfile.ZipFile, name: str) -> Iterator[tuple[str, Any]]:
    """``(event, element)`` of a part, read in chunks; a DTD is refused."""
    parser: Any = XMLPullParser(events=("start", "end"))
    elements = 0
    with archive.open(name) as part:
        head = True
        while chunk := part.read(CHUNK):
            if head and b"<!DOCTYPE" in chunk.upper():
                raise XlsxProblem("unreadable")
            head = False
            parser.feed(chunk)
            for event in parser.read_events():
                elements += event[0] == "start"
                if elements > MAX_ELEMENTS:
                    raise XlsxProblem("too_large")
                yield event
    parser.close()
    yield from parser.read_events()


def _first_sheet(archive: zipfile.ZipFile) -> str:
    workbook = "xl/workbook.xml"
    rid = ""
    for event, el in _events(archive, workbook):
        if event == "start" and el.tag == f"{_NS_MAIN}sheet":
            rid = el.get(f"{_NS_REL}id", "")
            break
    if not rid:
        raise XlsxProblem("empty")
    rels = "xl/_rels/workbook.xml.rels"
    for event, el in _events(archive, rels):
        if event == "start" and el.tag == f"{_NS_PKG_REL}Relationship" and el.get("Id") == rid:
            target: str = el.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else join(dirname(workbook), target)
            return normpath(path)
    raise XlsxProblem("unreadable")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    name = "xl/sharedStrings.xml"
    if name not in archive.namelist():
        return []
    strings: list[str] = []
    parts: list[str] = []
    for event, el in _events(archive, name):
        tag = el.tag
        if event == "end" and tag == f"{_NS_MAIN}t":
            parts.append(el.text or "")
        elif event == "end" and tag == f"{_NS_MAIN}si":
            strings.append("".join(parts))
            parts = []
            el.clear()
            if len(strings) > MAX_SHARED_STRINGS:
                raise XlsxProblem("too_large")
    return strings


def _value(kind: str, raw: str | None, inline: str, strings: list[str]) -> Value:
    if kind == "inlineStr":
        return inline
    if raw is None:
        return None
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            return None
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw.strip() == "1"
    try:
        number = float(raw)
    except ValueError:
        return raw
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def read_first_sheet(data: bytes, add: Callable[[int, list[Value]], None]) -> list[Merge]:
    """Call ``add(row number, cells)`` for each row that exists in the first sheet, in order
    (``add`` may raise to stop early); return the sheet's merged ranges."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise XlsxProblem("unreadable") from exc
    with archive:
        try:
            sheet = _first_sheet(archive)
            strings = _shared_strings(archive)
            return _rows(archive, sheet, strings, add)
        except XlsxProblem:
            raise
        except Exception as exc:  # a damaged part: ParseError, KeyError, zlib errors ...
            raise XlsxProblem("unreadable") from exc


def _rows(
    archive: zipfile.ZipFile, sheet: str, strings: list[str], add: Callable[[int, list[Value]], None]
) -> list[Merge]:
    merges: list[Merge] = []
    row_elements = 0
    cells: dict[int, Value] = {}
    row_number = 0
    ref = kind = ""
    raw: str | None = None
    inline: list[str] = []
    for event, el in _events(archive, sheet):
        tag = el.tag
        if event == "start":
            if tag == f"{_NS_MAIN}row":
                row_elements += 1
                if row_elements > MAX_ROW_ELEMENTS:
                    raise XlsxProblem("too_large")
                row_number = int(el.get("r") or row_number + 1)
                cells = {}
            elif tag == f"{_NS_MAIN}c":
                ref, kind = el.get("r", ""), el.get("t", "n")
                raw, inline = None, []
            continue
        if tag == f"{_NS_MAIN}v":
            raw = el.text
        elif tag == f"{_NS_MAIN}t":
            inline.append(el.text or "")
        elif tag == f"{_NS_MAIN}c":
            match = _CELL_REF.match(ref)
            col = column_number(match.group(1)) if match else len(cells) + 1
            if col <= MAX_COLUMNS:
                cells[col] = _value(kind, raw, "".join(inline), strings)
            el.clear()
        elif tag == f"{_NS_MAIN}row":
            if cells:
                width = max(cells)
                add(row_number, [cells.get(c) for c in range(1, width + 1)])
            el.clear()
        elif tag == f"{_NS_MAIN}mergeCell":
            m = _RANGE.match(el.get("ref", ""))
            if m:
                if len(merges) >= MAX_MERGES:
                    raise XlsxProblem("too_large")
                a, r1, b, r2 = column_number(m[1]), int(m[2]), column_number(m[3]), int(m[4])
                merges.append(Merge(min(a, b), min(r1, r2), max(a, b), max(r1, r2)))
    return merges
