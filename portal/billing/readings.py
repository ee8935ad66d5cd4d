"""Meter readings import (抄表导入): water and electricity readings of a period, per-row report.

Finance uploads the readings as CSV or XLSX (read by :mod:`portal.tabular`), one
row per meter: 楼栋, 单元/房号 (or 单元 + 房号), 表类 (水/电), 上期读数, 本期读数.
The header row is found among the first rows by its column names
(:data:`COLUMNS`). Every row is checked against the estate (building, unit, a
fee standard for the item), the numbers (not negative, at most three decimals,
本期 ≥ 上期) and the rest of the file (one reading per unit and item); a unit
whose bill of that item and period is already issued cannot change it. Each
problem names its row and column, as staff see them in their spreadsheet.

Like the roster import: all or nothing by default; ``allow_partial`` writes the
good rows and reports the others; ``dry_run`` writes nothing. Readings are
stored per estate and period (``billing_keys.reading``); the billing run turns them into
water and electricity bills. Every import that gets as far as a report is one
``billing.readings`` audit event.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from portal.accounts.audit import AuditLog, Event
from portal.accounts.roster.validate import resolve_building
from portal.billing.model import ITEM_UNITS, METERED, bill_id, check_period
from portal.clock import Clock, iso
from portal.errors import InvalidInput
from portal.estates.model import Estate
from portal.i18n import translate
from portal.store import billing_keys, keys
from portal.store.items import text
from portal.store.table import Table
from portal.tabular import HEADER_SEARCH_ROWS, Cell, cell_text, read_sheet

MAX_ROWS = 20_000
MAX_USAGE = Decimal(100_000)
Field = Literal["building", "unit_room", "unit", "room", "item", "previous", "current"]
COLUMNS: dict[Field, tuple[str, ...]] = {
    "building": ("楼栋", "楼号", "栋", "栋号", "building"),
    "unit_room": ("单元/房号", "单元房号", "房屋", "unit/room"),
    "unit": ("单元", "单元号", "unit"),
    "room": ("房号", "房间号", "室号", "room"),
    "item": ("表类", "表类型", "类型", "项目", "meter"),
    "previous": ("上期读数", "上次读数", "起度", "上期", "previous"),
    "current": ("本期读数", "本次读数", "止度", "本期", "current"),
}
ITEM_NAMES: dict[str, str] = {
    **dict.fromkeys(("水", "水表", "水费", "water"), "water"),
    **dict.fromkeys(("电", "电表", "电费", "electricity"), "electricity"),
}
RowStatus = Literal["ok", "error", "skipped"]
Outcome = Literal["imported", "partially_imported", "rejected"]


def column_key(value: str) -> str:
    """A header or item name as compared: NFKC, lower case, no spaces or punctuation."""
    text_ = unicodedata.normalize("NFKC", value).lower()
    return re.sub(r"[\s*:_\-()（）]", "", text_)


_INDEX = {column_key(a): name for name, aliases in COLUMNS.items() for a in aliases}


@dataclass(frozen=True)
class RowError:
    code: str
    column: str
    """The column's header as written in the file (empty for the row as a whole)."""
    value: str = ""

    def message(self, lang: str = "zh-CN") -> str:
        return translate(f"billing.readings.errors.{self.code}", lang, column=self.column,
                         value=self.value)  # fmt: skip


@dataclass
class RowReport:
    row: int
    status: RowStatus
    unit_id: str = ""
    item: str = ""
    previous: str = ""
    current: str = ""
    usage: str = ""
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ReadingsReport:
    estate: str
    period: str
    file_name: str
    sha256: str
    format: str
    header_row: int
    dry_run: bool
    outcome: Outcome
    written: int
    rows: list[RowReport]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.rows) for s in ("ok", "error", "skipped")}

    @property
    def has_errors(self) -> bool:
        return self.counts["error"] > 0

    def message(self, lang: str = "zh-CN") -> str:
        c = self.counts
        area = "dry_run" if self.dry_run else "outcome"
        return translate(f"billing.readings.{area}.{self.outcome}", lang, rows=len(self.rows),
                         ok=c["ok"], errors=c["error"], written=self.written)  # fmt: skip


def locate_header(rows: Sequence[tuple[int, list[Cell]]], index: Mapping[str, str],
                  required: set[str]) -> tuple[int, dict[str, int], list[str]] | None:  # fmt: skip
    """The first row (among the first :data:`HEADER_SEARCH_ROWS`) naming every ``required``
    column and a unit (单元/房号, or 房号): its number, column → position, and its texts.
    ``index`` maps a header (as :func:`column_key` makes it) to its column."""
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        columns: dict[str, int] = {}
        for i, cell in enumerate(cells):
            name = index.get(column_key(cell_text(cell)))
            if name is not None and name not in columns:
                columns[name] = i
        if required <= set(columns) and ("unit_room" in columns or "room" in columns):
            return number, columns, [cell_text(c) for c in cells]
    return None


def find_header(rows: Sequence[tuple[int, list[Cell]]]) -> tuple[int, dict[Field, int], list[str]] | None:
    found = locate_header(rows, _INDEX, {"building", "item", "previous", "current"})
    return found  # type: ignore[return-value]  # the keys are the Field names of _INDEX


UNIT_ROOM = re.compile(r"(\d{1,2})(?:-|单元)(\d{1,5})(?:室|号)?")
"""A unit as staff write it: ``1-1503``, ``1单元1503``, ``1单元1503室``."""


def parse_room(raw: str) -> str:
    """``1单元1503室`` → ``1-1503``; empty when it is not a unit."""
    m = UNIT_ROOM.fullmatch(re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)))
    return f"{int(m[1])}-{m[2]}" if m else ""


def _number(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -3:  # type: ignore[operator]
        return None
    return value


class ReadingsImporter:
    def __init__(self, table: Table, audit: AuditLog, clock: Clock) -> None:
        self.table, self.audit, self.clock = table, audit, clock

    def run(self, data: bytes, *, estate: Estate, period: str, file_name: str, actor: str,
            source_ip: str = "", dry_run: bool = False, allow_partial: bool = False,
            max_rows: int = MAX_ROWS) -> ReadingsReport:  # fmt: skip
        check_period(period)
        sheet = read_sheet(data, max_rows, "readings", lambda rows: find_header(rows) is not None)
        header = find_header(sheet.rows)
        if header is None:
            raise InvalidInput("readings_no_header")
        header_row, columns, names = header
        units = {(text(u, "building"), text(u, "room")) for u in self.table.iter_query(
            keys.estate_partition(estate.slug), prefix=keys.units_prefix(),
            attributes=("building", "room"))}  # fmt: skip
        priced = {f.item for f in estate.fees if f.item in ITEM_UNITS and f.unit == ITEM_UNITS[f.item]}
        seen: dict[tuple[str, str, str], int] = {}
        reports: list[RowReport] = []
        good: list[tuple[RowReport, tuple[str, str, str], Decimal, Decimal]] = []

        def col(field_: Field) -> str:
            i = columns.get(field_)
            return names[i] if i is not None and i < len(names) else field_

        for number, cells in sheet.rows:
            if number <= header_row:
                continue

            def get(field_: Field, cells: list[Cell] = cells) -> str:
                i = columns.get(field_)
                return cell_text(cells[i]) if i is not None and i < len(cells) else ""

            if not any(get(f) for f in columns):
                if any(cell_text(c) for c in cells):
                    reports.append(RowReport(number, "skipped"))
                continue
            report = RowReport(number, "ok")
            errs = report.errors
            building = resolve_building(get("building"), estate) if get("building") else None
            if building is None:
                errs.append(RowError("unknown_building" if get("building") else "missing",
                                     col("building"), get("building")))  # fmt: skip
            raw_room = get("unit_room") or "-".join(v for v in (get("unit"), get("room")) if v)
            room = parse_room(raw_room)
            if not room:
                errs.append(RowError("bad_room", col("unit_room" if "unit_room" in columns else "room"),
                                     raw_room))  # fmt: skip
            elif building is not None and (building, room) not in units:
                errs.append(RowError("unknown_unit", col("unit_room" if "unit_room" in columns else "room"),
                                     f"{building}/{room}"))  # fmt: skip
            item = ITEM_NAMES.get(column_key(get("item")), "")
            if item not in METERED:
                errs.append(RowError("bad_item", col("item"), get("item")))
            elif item not in priced:
                errs.append(RowError("no_fee_standard", col("item"), get("item")))
            previous, current = _number(get("previous")), _number(get("current"))
            if previous is None:
                errs.append(RowError("bad_number", col("previous"), get("previous")))
            if current is None:
                errs.append(RowError("bad_number", col("current"), get("current")))
            if previous is not None and current is not None:
                if current < previous:
                    errs.append(RowError("went_backwards", col("current"), get("current")))
                elif current - previous > MAX_USAGE:
                    errs.append(RowError("too_large", col("current"), get("current")))
            if building and room and item:
                report.unit_id, report.item = keys.unit_id(estate.slug, building, room), item
                first = seen.setdefault((building, room, item), number)
                if first != number:
                    errs.append(RowError("duplicate", "", str(first)))
            if errs:
                report.status = "error"
            else:
                assert building and previous is not None and current is not None
                report.previous, report.current = get("previous"), get("current")
                report.usage = format(current - previous, "f")
                good.append((report, (building, room, item), previous, current))
            reports.append(report)
        self._already_billed(estate.slug, period, good)
        good = [g for g in good if g[0].status == "ok"]
        if not reports:
            raise InvalidInput("readings_no_rows")
        errors = sum(r.status == "error" for r in reports)
        outcome: Outcome = ("rejected" if not good or (errors and not allow_partial)
                            else "partially_imported" if errors else "imported")  # fmt: skip
        written = 0
        if outcome != "rejected" and not dry_run:
            at = iso(self.clock())
            digest = hashlib.sha256(data).hexdigest()
            written = self.table.batch_put([
                {**billing_keys.reading(estate.slug, period, b, r, i), "type": "reading",
                 "estate": estate.slug, "period": period, "building": b, "room": r, "item": i,
                 "previous": prev, "current": cur, "imported_at": at, "imported_by": actor,
                 "sha256": digest, "row": rep.row}
                for rep, (b, r, i), prev, cur in good
            ])  # fmt: skip
        done = ReadingsReport(estate.slug, period, file_name, hashlib.sha256(data).hexdigest(),
                              sheet.format, header_row, dry_run, outcome, written, reports)  # fmt: skip
        self.audit.record(Event(actor, "billing.readings", f"{estate.slug}/{period}", source_ip, {
            "file_name": file_name, "sha256": done.sha256, "outcome": outcome,
            "dry_run": dry_run, "written": written, "counts": done.counts}))  # fmt: skip
        return done

    def _already_billed(self, estate: str, period: str,
                        good: list[tuple[RowReport, tuple[str, str, str], Decimal, Decimal]]) -> None:  # fmt: skip
        wanted = [billing_keys.bill(estate, b, r, bill_id(period, i)) for _, (b, r, i), _, _ in good]
        issued = {(text(x, "building"), text(x, "room"), text(x, "item"))
                  for x in self.table.batch_get(wanted)}  # fmt: skip
        for report, where, _, _ in good:
            if where in issued:
                report.status = "error"
                report.errors.append(RowError("already_billed", "", bill_id(period, where[2])))
