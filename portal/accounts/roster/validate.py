"""Validating roster rows against the estate: building, unit, phone, relationship, dates."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from portal import phones
from portal.accounts.identity import Relationship, UnitRef
from portal.accounts.roster.columns import (
    MAX_NAME_LENGTH,
    MAX_ROWS,
    OCCUPANCY_ALIASES,
    RELATIONSHIP_ALIASES,
    Field,
    Header,
    RowResult,
    RowStatus,
    _compact,
    find_header,
    read_roster_sheet,
)
from portal.errors import InvalidInput
from portal.estates.model import Estate
from portal.i18n import translate
from portal.store import keys
from portal.tabular import Cell, Sheet, cell_text

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
        if text in {_compact(b.code), _compact(b.name.zh), _compact(b.name.en or "")} - {""}:
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
    def __init__(
        self, estate: Estate, header: Header, buildings: frozenset[str] | None = None
    ) -> None:
        self.estate, self.header = estate, header
        self.buildings = buildings
        """The buildings the importer may write to (``None``: the whole estate)."""
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
        if self.buildings is not None and building not in self.buildings:
            allowed = "、".join(sorted(self.buildings)) or "—"
            errors.append(_err("building_outside_scope", building=building, allowed=allowed))
            return "", ""
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


def parse_roster(
    data: bytes, estate: Estate, max_rows: int = MAX_ROWS, buildings: frozenset[str] | None = None
) -> ParsedRoster:
    """Read and validate every row (nothing is written); ``InvalidInput`` for a bad file."""
    sheet = read_roster_sheet(data, max_rows)
    header = find_header(sheet.rows)
    if header is None:
        raise InvalidInput("roster_no_header")
    body = [(n, cells) for n, cells in sheet.rows if n > header.row]
    while body and not any(cell_text(c) for c in body[-1][1]):
        body.pop()  # trailing blank rows (formatted but empty) are not worth reporting
    if len(body) > max_rows:
        raise InvalidInput("roster_too_many_rows", max=max_rows)
    validator = _RowValidator(estate, header, buildings)
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
