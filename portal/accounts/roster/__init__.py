"""Owner roster import (业主名册导入): CSV or XLSX in, owners and unit bindings out.

Property companies keep the roster in a spreadsheet with the columns 楼栋,
单元/房号 (or 单元 + 房号), 姓名, 手机, 关系, 入伙日期, 入住状态. Staff upload it
through ``POST /api/owners/import`` or ``portal owners import``; both call
:meth:`RosterImporter.run`.

Reading
    CSV in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
    text"), or GB18030/GBK (Excel on Chinese Windows), separated by commas, tabs
    or semicolons; XLSX (the first sheet; merged cells are filled from their
    top-left cell). The header row is found by its column names within the first
    :data:`HEADER_SEARCH_ROWS` rows, so a title row above it is fine. Column
    names tolerate the usual variants (:data:`COLUMN_ALIASES`). Row numbers in the
    report are the ones staff see in their spreadsheet.
Validating
    Every row against the estate from ``company.yaml``: the building (``2``,
    ``2栋``, ``2号楼``, ``二栋``), the unit (``2-1503``, ``2单元1503``, or 单元 ``2`` +
    房号 ``1503``), the mobile number, relationship, 入伙 date and occupancy. The
    same phone twice on the same unit is a duplicate (the later row is the error
    and names the earlier one); one phone on several units is one owner with
    several units; a unit may have several residents. Rows with nothing in the
    roster's columns are skipped.
Writing
    All or nothing by default: any row error and nothing is written.
    ``allow_partial`` writes the good rows; ``dry_run`` writes nothing and reports
    what would happen. Owners are keyed by their phone's keyed hash and bindings
    by owner + unit, so importing the same file twice creates nothing new: an
    existing owner gets missing bindings added, keeps a name already on file, and
    a binding's relationship, date and occupancy are updated only by non-blank
    values. Writes go through :meth:`portal.accounts.owners.OwnerRepo.apply` (transactions
    of at most 100 items). The file's SHA-256 is recorded (``keys.roster_import``)
    so that uploading the same file again is reported as already imported.
Auditing
    Every import that gets as far as a report (dry runs and rejected files
    included) is one ``owners.import`` event in the audit log: who, the estate,
    file name, SHA-256, mode, outcome and counts; never a phone number.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from portal import phones
from portal.accounts.audit import AuditLog, Event
from portal.accounts.identity import Relationship, UnitRef
from portal.accounts.owners import Binding, OwnerChange, OwnerRepo, owner_id_for
from portal.clock import Clock, iso, parse_iso, system_clock
from portal.errors import InvalidInput, NotFound, Unavailable
from portal.estates import Company, Estate, load_company
from portal.i18n import translate
from portal.store import keys

MAX_ROWS = 5000
"""Data rows accepted in one file (an estate of ~1,000 households, several residents each)."""
HEADER_SEARCH_ROWS = 10
"""The header row must be among the first rows of the sheet."""
MAX_COLUMNS = 60
MAX_XLSX_UNCOMPRESSED = 16 * 1024 * 1024
"""Refuse an XLSX whose parts unpack to more than this (a 1 MiB upload can hide a zip bomb)."""
MAX_NAME_LENGTH = 40

Cell = str | int | float | date | datetime | time | bool | None
Field = Literal[
    "building",
    "unit_room",
    "unit",
    "room",
    "name",
    "phone",
    "relationship",
    "move_in_date",
    "occupancy",
]
RowStatus = Literal["ok", "error", "skipped"]
RowResult = Literal["", "created", "updated", "unchanged"]
Outcome = Literal["imported", "partially_imported", "rejected"]
Mode = Literal["all_or_nothing", "allow_partial"]

OCCUPANCIES: tuple[str, ...] = ("moved_in", "decorated_not_moved_in", "not_decorated")


def _compact(value: str) -> str:
    """NFKC (full-width → ASCII), lower case, no whitespace, no zero-width characters."""
    text = unicodedata.normalize("NFKC", value).lower()
    return re.sub(r"[\s\u200b\u200c\u200d\ufeff]+", "", text)


def _header_key(value: str) -> str:
    """A column name as compared: compact, without notes in brackets, ``*`` or ``:``."""
    text = re.sub(r"[(\[【].*?[)\]】]", "", _compact(value))
    return re.sub(r"[*:_\-]", "", text)


COLUMN_ALIASES: dict[Field, tuple[str, ...]] = {
    "building": ("楼栋", "楼号", "栋", "栋号", "楼栋号", "幢", "楼宇", "building"),
    "unit_room": ("单元/房号", "单元房号", "单元号/房号", "房屋", "房屋编号", "unit/room"),
    "unit": ("单元", "单元号", "unit", "entrance"),
    "room": ("房号", "房间号", "室号", "门牌号", "room"),
    "name": ("姓名", "业主姓名", "住户姓名", "名字", "name"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "phone", "mobile"),
    "relationship": ("关系", "与业主关系", "身份", "relationship"),
    "move_in_date": ("入伙日期", "入伙时间", "交房日期", "move-in date", "move_in_date"),
    "occupancy": ("入住状态", "状态", "occupancy"),
}
"""The names a column goes by (compared after :func:`_header_key`)."""

_HEADER_INDEX: dict[str, Field] = {
    _header_key(alias): name for name, aliases in COLUMN_ALIASES.items() for alias in aliases
}

RELATIONSHIP_ALIASES: dict[str, Relationship] = {
    **dict.fromkeys(("业主", "产权人", "户主", "owner"), "owner"),
    **dict.fromkeys(("家属", "家庭成员", "亲属", "配偶", "子女", "父母", "family"), "family"),
    **dict.fromkeys(("租户", "租客", "承租人", "tenant"), "tenant"),
}
OCCUPANCY_ALIASES: dict[str, str] = {
    **dict.fromkeys(("已入住", "入住", "moved_in", "movedin"), "moved_in"),
    **dict.fromkeys(
        ("已装修未入住", "装修未入住", "decorated_not_moved_in", "decoratednotmovedin"),
        "decorated_not_moved_in",
    ),
    **dict.fromkeys(("未装修", "毛坯", "not_decorated", "notdecorated"), "not_decorated"),
}


# --------------------------------------------------------------------------- the estate


_COMPANIES: dict[Path, Company] = {}


def load_estate(content_dir: Path, slug: str) -> Estate:
    """The estate ``slug`` from ``company.yaml`` (read once per process, once it reads well)."""
    company = _COMPANIES.get(content_dir)
    if company is None:
        company, _errors = load_company(content_dir)
        if company is None:
            raise Unavailable("company_unavailable")
        _COMPANIES[content_dir] = company
    estate = company.estate(slug)
    if estate is None:
        raise NotFound("unknown_estate", estate=slug)
    return estate


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Sheet:
    """The raw rows of a roster file, each with its row number as staff see it."""

    format: Literal["csv", "xlsx"]
    encoding: str  # CSV: the detected encoding; XLSX: ""
    rows: list[tuple[int, list[Cell]]]


@dataclass(frozen=True)
class Header:
    row: int
    """Row number of the header in the sheet."""
    columns: dict[Field, int]
    """Field → column index."""


def read_sheet(data: bytes, max_rows: int = MAX_ROWS) -> Sheet:
    """The rows of a CSV or XLSX file; ``InvalidInput`` when it is neither or unreadable.

    Blank rows are kept near the top (they count for the row numbers staff see and
    are reported as skipped); far down a sheet, only rows with content are kept.
    """
    if not data.strip():
        raise InvalidInput("roster_empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, max_rows)
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: the old binary .xls
        raise InvalidInput("roster_xls_unsupported")
    return _read_csv(data, max_rows)


class _Rows:
    """Collects rows, refusing more than ``max_rows`` with content (plus the header area)."""

    def __init__(self, max_rows: int) -> None:
        self.limit = max_rows + HEADER_SEARCH_ROWS
        self.rows: list[tuple[int, list[Cell]]] = []
        self.filled = 0

    def add(self, number: int, cells: Iterable[Cell]) -> None:
        values: list[Cell] = list(cells)[:MAX_COLUMNS]
        if any(cell_text(v) for v in values):
            self.filled += 1
            if self.filled > self.limit:
                raise InvalidInput("roster_too_many_rows", max=self.limit - HEADER_SEARCH_ROWS)
        elif number > self.limit:
            return
        self.rows.append((number, values))


def _decode(data: bytes) -> tuple[str, str]:
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
    raise InvalidInput("roster_unreadable")


def _read_csv(data: bytes, max_rows: int) -> Sheet:
    text, encoding = _decode(data)
    first: list[tuple[int, list[Cell]]] | None = None
    for delimiter in (",", "\t", ";"):
        rows = _Rows(max_rows)
        try:
            for number, record in enumerate(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
            ):
                rows.add(number, record)
        except csv.Error as exc:
            raise InvalidInput("roster_unreadable") from exc
        if find_header(rows.rows) is not None:
            return Sheet("csv", encoding, rows.rows)
        first = rows.rows if first is None else first
    assert first is not None
    return Sheet("csv", encoding, first)


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def _read_xlsx(data: bytes, max_rows: int) -> Sheet:
    import openpyxl  # lazily: only the import needs it
    from openpyxl.utils.cell import range_boundaries

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InvalidInput("roster_unreadable") from exc
    if unpacked > MAX_XLSX_UNCOMPRESSED:
        raise InvalidInput("roster_too_large")
    try:
        # Read-only mode streams the cells; the normal mode would also build one object
        # per cell of every merged range, which a tiny hostile file can make enormous.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged file
        raise InvalidInput("roster_unreadable") from exc
    rows = _Rows(max_rows)
    merged: list[tuple[int, int, int, int]] = []
    try:
        if not workbook.worksheets:
            raise InvalidInput("roster_empty")
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
        raise InvalidInput("roster_unreadable") from exc
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


def find_header(rows: Sequence[tuple[int, list[Cell]]]) -> Header | None:
    """The first row (of the first few) naming building, unit/room and phone columns."""
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        columns: dict[Field, int] = {}
        for i, cell in enumerate(cells):
            name = _HEADER_INDEX.get(_header_key(cell_text(cell)))
            if name is not None and name not in columns:
                columns[name] = i
        has_unit = "unit_room" in columns or "room" in columns
        if "building" in columns and has_unit and "phone" in columns:
            return Header(number, columns)
    return None


# --------------------------------------------------------------------------- validating


@dataclass(frozen=True)
class RowError:
    code: str
    params: tuple[tuple[str, str], ...] = ()

    def message(self, lang: str = "zh-CN") -> str:
        return translate(f"roster.errors.{self.code}", lang, **dict(self.params))


def _err(code: str, **params: object) -> RowError:
    # Values echo what staff typed: a phone number in the wrong column stays masked.
    return RowError(code, tuple((k, phones.mask_text(str(v))) for k, v in params.items()))


@dataclass
class RowReport:
    row: int
    status: RowStatus
    unit_id: str = ""
    building: str = ""
    room: str = ""
    name: str = ""
    phone: str = ""  # always masked
    relationship: str = ""
    errors: list[RowError] = field(default_factory=list)
    result: RowResult = ""
    """For a good row: what the import did (or, in a dry run, would do) to its binding."""


@dataclass(frozen=True)
class RosterRow:
    """A validated row: one person on one unit."""

    row: int
    phone: str
    name: str
    unit: UnitRef
    relationship: Relationship | None  # None: not given (a new binding is the owner's)
    move_in_date: str
    occupancy: str


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _number(text: str) -> int | None:
    """``12`` or a Chinese numeral up to 99 (``十二``, ``二十``) as an int."""
    if re.fullmatch(r"[0-9]{1,6}", text):
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


_BUILDING_RE = re.compile(r"(?:第|building|bldg\.?|no\.?)?(.+?)(?:号楼|号栋|栋|幢|座|号|楼|#)?")


def resolve_building(raw: str, estate: Estate) -> str | None:
    """The estate's building code for ``2``, ``2栋``, ``2号楼``, ``二栋``, ``Building 2``."""
    text = _compact(raw)
    for b in estate.buildings:
        if text in {_compact(b.code), _compact(b.name.zh), _compact(b.name.en)} - {""}:
            return b.code
    match = _BUILDING_RE.fullmatch(text)
    if match is None:
        return None
    core = match.group(1)
    number = _number(core)
    for b in estate.buildings:
        code = _compact(b.code)
        if code == core or (number is not None and code.isdigit() and int(code) == number):
            return b.code
    return None


_ROOM_SUFFIX = re.compile(r"(?:室|号|房|户)$")
_UNIT_WORD = re.compile(
    r"(?:(?P<b>.+?)(?:号楼|栋|幢|座))?(?P<e>[0-9]+|[一二两三四五六七八九十]+)单元(?P<r>[0-9]+)"
)
_UNIT_DASHED = re.compile(r"(?:(?P<b>[0-9a-z]+)-)?(?P<e>[0-9]+)-(?P<r>[0-9]+)")


def _parse_unit_text(text: str) -> tuple[str, int | None, int] | None:
    """``(building prefix, entrance, room number)`` of ``2-1503``, ``2单元1503``, ``1503``."""
    t = _ROOM_SUFFIX.sub("", _compact(text))
    t = re.sub(r"[_/\\·—–‐‑]", "-", t)
    if m := _UNIT_WORD.fullmatch(t) or _UNIT_DASHED.fullmatch(t):
        entrance = _number(m.group("e"))
        return (m.group("b") or "", entrance, int(m.group("r"))) if entrance else None
    if re.fullmatch(r"[0-9]{1,6}", t):
        return "", None, int(t)
    return None


def _parse_entrance(text: str) -> int | None:
    return _number(re.sub(r"(?:单元|号)$", "", _compact(text)))


_DATE_RE = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)  # whitespace already removed: "2021-03-15 00:00:00" arrives as "2021-03-1500:00:00"
_DATE_DIGITS_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def parse_date(value: Cell) -> str | None:
    """ISO date of an Excel date, ``2021-03-15``, ``2021/3/15``, ``2021年3月15日``, ``20210315``."""
    if isinstance(value, datetime):
        found: date | None = value.date()
    elif isinstance(value, date):
        found = value
    else:
        text = _compact(cell_text(value))
        found = None
        if m := _DATE_RE.fullmatch(text) or _DATE_DIGITS_RE.fullmatch(text):
            y, mo, d = (int(g) for g in m.groups())
        elif re.fullmatch(r"\d{5}", text):  # an Excel serial day number that lost its format
            serial = date(1899, 12, 30) + timedelta(days=int(text))
            y, mo, d = serial.year, serial.month, serial.day
        else:
            return None
        try:
            found = date(y, mo, d)
        except ValueError:
            return None
    if found is None or not 1949 <= found.year <= 2100:
        return None
    return found.isoformat()


class _RowValidator:
    def __init__(self, estate: Estate, header: Header) -> None:
        self.estate, self.header = estate, header
        self.units = {(u.building, u.room) for u in estate.units()}
        self.entrances = {b.code: b.entrances for b in estate.buildings}
        self.seen: dict[tuple[str, str, str], int] = {}

    def cell(self, cells: list[Cell], name: Field) -> Cell:
        i = self.header.columns.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    def text(self, cells: list[Cell], name: Field) -> str:
        return cell_text(self.cell(cells, name))

    def validate(self, number: int, cells: list[Cell]) -> tuple[RowReport, RosterRow | None]:
        if not any(self.text(cells, name) for name in self.header.columns):
            return RowReport(number, "skipped"), None
        report = RowReport(number, "ok")
        errors = report.errors
        report.name = unicodedata.normalize("NFKC", self.text(cells, "name")).strip()
        if len(report.name) > MAX_NAME_LENGTH:
            errors.append(_err("name_too_long", max=MAX_NAME_LENGTH))
        phone = self._phone(cells, report)
        building, room = self._unit(cells, report)
        relationship = self._relationship(cells, errors)
        report.relationship = relationship or ""
        raw_date = self.cell(cells, "move_in_date")
        move_in = ""
        if cell_text(raw_date):
            move_in = parse_date(raw_date) or ""
            if not move_in:
                errors.append(_err("bad_date", value=cell_text(raw_date)))
        occupancy = ""
        raw_occupancy = self.text(cells, "occupancy")
        if raw_occupancy:
            occupancy = OCCUPANCY_ALIASES.get(_compact(raw_occupancy), "")
            if not occupancy:
                errors.append(_err("bad_occupancy", value=raw_occupancy))
        if phone and building and room:
            first = self.seen.setdefault((phone, building, room), number)
            if first != number:
                errors.append(_err("duplicate", row=first))
        if errors:
            report.status = "error"
            return report, None
        assert phone and building and room
        unit = UnitRef(self.estate.slug, building, room, relationship or "owner")
        return report, RosterRow(number, phone, report.name, unit, relationship, move_in, occupancy)

    def _phone(self, cells: list[Cell], report: RowReport) -> str:
        raw = unicodedata.normalize("NFKC", self.text(cells, "phone"))
        if not raw:
            report.errors.append(_err("missing_phone"))
            return ""
        try:
            phone = phones.normalise(raw)
        except InvalidInput:
            report.phone = phones.mask(re.sub(r"\D", "", raw))
            report.errors.append(_err("invalid_phone"))
            return ""
        report.phone = phones.mask(phone)
        return phone

    def _unit(self, cells: list[Cell], report: RowReport) -> tuple[str, str]:
        errors = report.errors
        raw_building = self.text(cells, "building")
        combined = self.text(cells, "unit_room")
        raw_unit = "" if combined else self.text(cells, "unit")
        raw_room = combined or self.text(cells, "room")
        shown = "-".join(v for v in (raw_unit, raw_room) if v)
        building = resolve_building(raw_building, self.estate) if raw_building else None
        if not raw_room:
            errors.append(_err("missing_room"))
            return "", ""
        parsed = _parse_unit_text(raw_room)
        if parsed is None:
            errors.append(_err("bad_room", value=shown))
            return "", ""
        prefix, entrance, number = parsed
        if prefix:
            in_cell = resolve_building(prefix, self.estate)
            if raw_building and in_cell != building:
                errors.append(_err("building_mismatch", value=shown, building=raw_building))
                return "", ""
            building, raw_building = in_cell, raw_building or prefix
        if raw_unit:
            given = _parse_entrance(raw_unit)
            if given is None or (entrance is not None and entrance != given):
                errors.append(_err("bad_room", value=shown))
                return "", ""
            entrance = given
        if not raw_building:
            errors.append(_err("missing_building"))
            return "", ""
        if building is None:
            errors.append(_err("unknown_building", value=raw_building))
            return "", ""
        report.building = building
        if entrance is None:
            if self.entrances.get(building) != 1:
                errors.append(_err("missing_unit", value=shown))
                return "", ""
            entrance = 1
        room = f"{entrance}-{number}"
        report.room = room
        report.unit_id = keys.unit_id(self.estate.slug, building, room)
        if (building, room) not in self.units:
            errors.append(_err("unknown_unit", unit=report.unit_id))
            return "", ""
        return building, room

    def _relationship(self, cells: list[Cell], errors: list[RowError]) -> Relationship | None:
        raw = self.text(cells, "relationship")
        if not raw:
            return None
        relationship = RELATIONSHIP_ALIASES.get(_compact(raw))
        if relationship is None:
            errors.append(_err("bad_relationship", value=raw))
        return relationship


@dataclass(frozen=True)
class ParsedRoster:
    sheet: Sheet
    header: Header
    reports: list[RowReport]
    rows: list[RosterRow]


def parse_roster(data: bytes, estate: Estate, max_rows: int = MAX_ROWS) -> ParsedRoster:
    """Read and validate every row (nothing is written); ``InvalidInput`` for a bad file."""
    sheet = read_sheet(data, max_rows)
    header = find_header(sheet.rows)
    if header is None:
        raise InvalidInput("roster_no_header")
    body = [(n, cells) for n, cells in sheet.rows if n > header.row]
    while body and not any(cell_text(c) for c in body[-1][1]):
        body.pop()  # trailing blank rows (formatted but empty) are not worth reporting
    if len(body) > max_rows:
        raise InvalidInput("roster_too_many_rows", max=max_rows)
    validator = _RowValidator(estate, header)
    reports: list[RowReport] = []
    rows: list[RosterRow] = []
    for number, cells in body:
        report, row = validator.validate(number, cells)
        reports.append(report)
        if row is not None:
            rows.append(row)
    if all(r.status == "skipped" for r in reports):
        raise InvalidInput("roster_no_rows")
    return ParsedRoster(sheet, header, reports, rows)


# --------------------------------------------------------------------------- writing


@dataclass
class Counts:
    rows: int = 0
    ok: int = 0
    errors: int = 0
    skipped: int = 0
    owners_created: int = 0
    owners_updated: int = 0
    bindings_created: int = 0
    bindings_updated: int = 0
    unchanged: int = 0
    """Good rows whose binding was already stored exactly so."""


@dataclass(frozen=True)
class PreviousImport:
    first_at: str
    last_at: str
    by: str
    estate: str
    file_name: str
    times: int


@dataclass
class ImportReport:
    estate: str
    file_name: str
    sha256: str
    format: str
    encoding: str
    header_row: int
    mode: Mode
    dry_run: bool
    outcome: Outcome
    written: bool
    counts: Counts
    rows: list[RowReport]
    previous_import: PreviousImport | None = None
    time_zone: str = "Asia/Shanghai"

    @property
    def already_imported(self) -> bool:
        return self.previous_import is not None

    @property
    def has_errors(self) -> bool:
        return self.counts.errors > 0

    def message(self, lang: str = "zh-CN") -> str:
        """One paragraph: what happened (or would happen), and whether this file was seen."""
        c = self.counts
        area = "dry_run" if self.dry_run else "outcome"
        text = translate(
            f"roster.{area}.{self.outcome}",
            lang,
            rows=c.rows,
            ok=c.ok,
            errors=c.errors,
            skipped=c.skipped,
            owners_created=c.owners_created,
            owners_updated=c.owners_updated,
            bindings_created=c.bindings_created,
            bindings_updated=c.bindings_updated,
            unchanged=c.unchanged,
        )
        if self.previous_import is not None:
            at = parse_iso(self.previous_import.last_at).astimezone(ZoneInfo(self.time_zone))
            text += translate(
                "roster.already_imported",
                lang,
                at=at.strftime("%Y-%m-%d %H:%M"),
                times=self.previous_import.times,
            )
        return text

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the API's response, ``portal owners import --json``)."""
        p = self.previous_import
        return {
            "estate": self.estate,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "format": self.format,
            "encoding": self.encoding,
            "header_row": self.header_row,
            "mode": self.mode,
            "dry_run": self.dry_run,
            "outcome": self.outcome,
            "written": self.written,
            "already_imported": p is not None,
            "previous_import": None
            if p is None
            else {"first_at": p.first_at, "last_at": p.last_at, "by": p.by, "times": p.times},
            "message": self.message("zh-CN"),
            "message_en": self.message("en"),
            "counts": vars(self.counts).copy(),
            "rows": [
                {
                    "row": r.row,
                    "status": r.status,
                    "unit_id": r.unit_id,
                    "building": r.building,
                    "room": r.room,
                    "name": r.name,
                    "phone": r.phone,
                    "relationship": r.relationship,
                    "result": r.result,
                    "errors": [
                        {
                            "code": e.code,
                            "message": e.message("zh-CN"),
                            "message_en": e.message("en"),
                        }
                        for e in r.errors
                    ],
                }
                for r in self.rows
            ],
        }


class ImportLog:
    """The idempotency record of imported files (``keys.roster_import``): counts, never rows."""

    def __init__(self, client: Any, table: str) -> None:
        self.client, self.table = client, table

    def get(self, digest: str) -> PreviousImport | None:
        key = keys.roster_import(digest)
        item = self.client.get_item(
            TableName=self.table,
            Key={k: {"S": v} for k, v in key.items()},
            ConsistentRead=True,
        ).get("Item")
        if not item:
            return None

        def s(name: str) -> str:
            v = item.get(name)
            return str(v["S"]) if v and "S" in v else ""

        return PreviousImport(
            first_at=s("first_imported_at"),
            last_at=s("last_imported_at"),
            by=s("last_imported_by"),
            estate=s("estate"),
            file_name=s("file_name"),
            times=int(item.get("times", {}).get("N", "0")),
        )

    def record(
        self, digest: str, *, estate: str, file_name: str, actor: str, at: str, counts: Counts
    ) -> None:
        key = keys.roster_import(digest)
        values = {
            "estate": {"S": estate},
            "file_name": {"S": file_name},
            "last_imported_at": {"S": at},
            "last_imported_by": {"S": actor},
            "counts": {"M": {k: {"N": str(v)} for k, v in vars(counts).items()}},
        }
        sets = [f"#{name} = :{name}" for name in values]
        sets.append("#first_imported_at = if_not_exists(#first_imported_at, :last_imported_at)")
        self.client.update_item(
            TableName=self.table,
            Key={k: {"S": v} for k, v in key.items()},
            UpdateExpression=f"SET {', '.join(sets)} ADD #times :one",
            ExpressionAttributeNames={
                **{f"#{name}": name for name in values},
                "#first_imported_at": "first_imported_at",
                "#times": "times",
            },
            ExpressionAttributeValues={
                **{f":{name}": value for name, value in values.items()},
                ":one": {"N": "1"},
            },
        )


@dataclass(frozen=True)
class _Plan:
    changes: list[OwnerChange]
    results: dict[int, RowResult]  # row number → result
    counts: Counts


def plan_changes(rows: Sequence[RosterRow], repo: OwnerRepo, phone_key: bytes) -> _Plan:
    """What writing ``rows`` changes, compared with what is stored (read in bulk)."""
    by_owner: dict[str, list[RosterRow]] = {}
    for row in rows:
        by_owner.setdefault(owner_id_for(row.phone, phone_key), []).append(row)
    snapshot = repo.snapshot(by_owner, ((o, r.unit) for o, rs in by_owner.items() for r in rs))
    counts = Counts()
    results: dict[int, RowResult] = {}
    changes: list[OwnerChange] = []
    for owner_id, owner_rows in by_owner.items():
        name = next((r.name for r in owner_rows if r.name), "")
        stored_name = snapshot.names.get(owner_id)
        create = stored_name is None
        set_name = not create and not stored_name and bool(name)
        writes: list[Binding] = []
        for r in owner_rows:
            u = r.unit
            old = snapshot.bindings.get((owner_id, u.estate, u.building, u.room))
            relationship = r.relationship or (old.unit.relationship if old else "owner")
            new = Binding(
                UnitRef(u.estate, u.building, u.room, relationship),
                move_in_date=r.move_in_date or (old.move_in_date if old else ""),
                occupancy=r.occupancy or (old.occupancy if old else ""),
            )
            if old is None:
                results[r.row] = "created"
                counts.bindings_created += 1
            elif new != old:
                results[r.row] = "updated"
                counts.bindings_updated += 1
            else:
                results[r.row] = "unchanged"
                counts.unchanged += 1
                continue
            writes.append(new)
        if create:
            counts.owners_created += 1
        elif set_name or writes:
            counts.owners_updated += 1
        if create or set_name or writes:
            phone = owner_rows[0].phone
            changes.append(OwnerChange(owner_id, phone, name, create, set_name, tuple(writes)))
    return _Plan(changes, results, counts)


class RosterImporter:
    """Validate a roster file against an estate and write its good rows (see the module doc)."""

    def __init__(
        self, client: Any, table: str, phone_key: bytes, clock: Clock = system_clock
    ) -> None:
        self.owners = OwnerRepo(client, table, phone_key)
        self.imports = ImportLog(client, table)
        self.phone_key, self.clock = phone_key, clock

    def run(
        self,
        data: bytes,
        *,
        estate: Estate,
        file_name: str,
        actor: str,
        source_ip: str,
        audit: AuditLog,
        dry_run: bool = False,
        allow_partial: bool = False,
        max_rows: int = MAX_ROWS,
    ) -> ImportReport:
        parsed = parse_roster(data, estate, max_rows)
        digest = hashlib.sha256(data).hexdigest()
        reports = parsed.reports
        counts = Counts(
            rows=len(reports),
            ok=sum(r.status == "ok" for r in reports),
            errors=sum(r.status == "error" for r in reports),
            skipped=sum(r.status == "skipped" for r in reports),
        )
        previous = self.imports.get(digest)
        if previous is not None and previous.estate != estate.slug:
            previous = None  # the same bytes into another estate is another import
        outcome: Outcome
        if counts.ok == 0 or (counts.errors and not allow_partial):
            outcome = "rejected"
        else:
            outcome = "partially_imported" if counts.errors else "imported"
        report = ImportReport(
            estate=estate.slug,
            file_name=file_name,
            sha256=digest,
            format=parsed.sheet.format,
            encoding=parsed.sheet.encoding,
            header_row=parsed.header.row,
            mode="allow_partial" if allow_partial else "all_or_nothing",
            dry_run=dry_run,
            outcome=outcome,
            written=False,
            counts=counts,
            rows=reports,
            previous_import=previous,
            time_zone=estate.time_zone,
        )
        try:
            if outcome != "rejected":
                plan = plan_changes(parsed.rows, self.owners, self.phone_key)
                for r in reports:
                    r.result = plan.results.get(r.row, "")
                for name in (
                    "owners_created",
                    "owners_updated",
                    "bindings_created",
                    "bindings_updated",
                    "unchanged",
                ):
                    setattr(counts, name, getattr(plan.counts, name))
                if not dry_run:
                    self.owners.apply(plan.changes)
                    report.written = True
                    self.imports.record(
                        digest,
                        estate=estate.slug,
                        file_name=file_name,
                        actor=actor,
                        at=iso(self.clock()),
                        counts=counts,
                    )
        except Exception:
            self._audit(audit, report, actor, source_ip, failed=True)
            raise
        self._audit(audit, report, actor, source_ip)
        return report

    def _audit(
        self,
        audit: AuditLog,
        report: ImportReport,
        actor: str,
        source_ip: str,
        failed: bool = False,
    ) -> None:
        audit.record(
            Event(
                actor=actor,
                action="owners.import",
                target=report.estate,
                source_ip=source_ip,
                details={
                    "file_name": report.file_name,
                    "sha256": report.sha256,
                    "format": report.format,
                    "mode": report.mode,
                    "dry_run": report.dry_run,
                    "outcome": "failed" if failed else report.outcome,
                    "written": report.written,
                    "already_imported": report.already_imported,
                    "counts": vars(report.counts).copy(),
                },
            )
        )
