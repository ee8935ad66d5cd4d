"""Unit areas import (房屋面积导入): the area each management fee is computed from.

The unit list of ``company.yaml`` gives every unit a typical area; the property company's
own records (the 房屋清册, as it comes from the developer's handover) are what bills must
use. Finance uploads them as CSV or XLSX: 楼栋, 单元/房号 (or 单元 + 房号), 建筑面积.
Each row is checked (a building and unit of the estate, an area above 0 and at most
:data:`MAX_AREA` m² with at most two decimals, one row per unit); every problem names its
row and column, as staff see them. All or nothing by default; ``allow_partial`` writes the
good rows; ``dry_run`` writes nothing.

The areas are kept per estate (``billing_keys.unit_area``), beside the unit list rather
than in it, so that syncing ``company.yaml`` again never overwrites them; the billing run
takes a unit's imported area over the listed one. A bill already issued keeps the area it
was computed from (its ``basis``). Every import that reaches a report is one
``billing.areas`` audit event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from portal.accounts.audit import AuditLog, Event
from portal.accounts.roster.validate import resolve_building
from portal.billing.readings import column_key, locate_header, parse_room
from portal.clock import Clock, iso
from portal.errors import InvalidInput
from portal.estates.model import Estate
from portal.i18n import translate
from portal.store import billing_keys, keys
from portal.store.items import text
from portal.store.table import Table
from portal.tabular import Cell, cell_text, read_sheet

MAX_ROWS = 20_000
MAX_AREA = Decimal(2000)
Column = Literal["building", "unit_room", "unit", "room", "area"]
COLUMNS: dict[Column, tuple[str, ...]] = {
    "building": ("楼栋", "楼号", "栋", "栋号", "building"),
    "unit_room": ("单元/房号", "单元房号", "房屋", "unit/room"),
    "unit": ("单元", "单元号", "unit"),
    "room": ("房号", "房间号", "室号", "room"),
    "area": ("建筑面积", "面积", "建筑面积(㎡)", "建筑面积(m2)", "计费面积", "area"),
}
_INDEX = {column_key(a): name for name, aliases in COLUMNS.items() for a in aliases}
Outcome = Literal["imported", "partially_imported", "rejected"]


@dataclass(frozen=True)
class AreaError:
    code: str
    column: str
    value: str = ""

    def message(self, lang: str = "zh-CN") -> str:
        return translate(f"billing.areas.errors.{self.code}", lang, column=self.column,
                         value=self.value)  # fmt: skip


@dataclass
class AreaRow:
    row: int
    ok: bool = True
    unit_id: str = ""
    area: str = ""
    errors: list[AreaError] = field(default_factory=list)


@dataclass
class AreasReport:
    estate: str
    file_name: str
    sha256: str
    dry_run: bool
    outcome: Outcome
    written: int
    rows: list[AreaRow]

    @property
    def errors(self) -> int:
        return sum(not r.ok for r in self.rows)

    def message(self, lang: str = "zh-CN") -> str:
        area = "dry_run" if self.dry_run else "outcome"
        return translate(f"billing.areas.{area}.{self.outcome}", lang, rows=len(self.rows),
                         errors=self.errors, written=self.written)  # fmt: skip


def find_header(rows: Sequence[tuple[int, list[Cell]]]) -> tuple[int, dict[Column, int], list[str]] | None:
    found = locate_header(rows, _INDEX, {"building", "area"})
    return found  # type: ignore[return-value]  # the keys are the Column names of _INDEX


def parse_area(raw: str) -> Decimal | None:
    """``132.5``, ``132.50㎡`` → 132.5; None unless 0 < area ≤ MAX_AREA with ≤ 2 decimals."""
    cleaned = raw.replace(",", "").removesuffix("㎡").removesuffix("m2").removesuffix("平方米").strip()
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        return None
    if not value.is_finite() or not 0 < value <= MAX_AREA or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return value


class AreasImporter:
    def __init__(self, table: Table, audit: AuditLog, clock: Clock) -> None:
        self.table, self.audit, self.clock = table, audit, clock

    def run(self, data: bytes, *, estate: Estate, file_name: str, actor: str,
            source_ip: str = "", dry_run: bool = False, allow_partial: bool = False) -> AreasReport:  # fmt: skip
        sheet = read_sheet(data, MAX_ROWS, "areas", lambda rows: find_header(rows) is not None)
        header = find_header(sheet.rows)
        if header is None:
            raise InvalidInput("areas_no_header")
        header_row, columns, names = header
        units = {(text(u, "building"), text(u, "room")) for u in self.table.iter_query(
            keys.estate_partition(estate.slug), prefix=keys.units_prefix(),
            attributes=("building", "room"))}  # fmt: skip
        rows: list[AreaRow] = []
        good: dict[tuple[str, str], tuple[int, Decimal]] = {}
        for number, cells in sheet.rows:
            if number <= header_row:
                continue

            def get(column: Column, cells: list[Cell] = cells) -> str:
                i = columns.get(column)
                return cell_text(cells[i]) if i is not None and i < len(cells) else ""

            def name(column: Column) -> str:
                i = columns.get(column)
                return names[i] if i is not None and i < len(names) else column

            if not any(get(c) for c in columns):
                continue
            row = AreaRow(number)
            building = resolve_building(get("building"), estate) if get("building") else None
            if building is None:
                row.errors.append(AreaError("unknown_building" if get("building") else "missing",
                                            name("building"), get("building")))  # fmt: skip
            where: Column = "unit_room" if "unit_room" in columns else "room"
            raw_room = get("unit_room") or "-".join(v for v in (get("unit"), get("room")) if v)
            room = parse_room(raw_room)
            if not room:
                row.errors.append(AreaError("bad_room", name(where), raw_room))
            elif building is not None and (building, room) not in units:
                row.errors.append(AreaError("unknown_unit", name(where), f"{building}/{room}"))
            area = parse_area(get("area"))
            if area is None:
                row.errors.append(AreaError("bad_area", name("area"), get("area")))
            if building and room:
                row.unit_id = keys.unit_id(estate.slug, building, room)
                first = good.get((building, room))
                if first is not None:
                    row.errors.append(AreaError("duplicate", "", str(first[0])))
            if row.errors:
                row.ok = False
            else:
                assert building is not None and area is not None
                row.area = format(area, "f")
                good[(building, room)] = (number, area)
            rows.append(row)
        if not rows:
            raise InvalidInput("areas_no_rows")
        errors = sum(not r.ok for r in rows)
        outcome: Outcome = ("rejected" if not good or (errors and not allow_partial)
                            else "partially_imported" if errors else "imported")  # fmt: skip
        written = 0
        digest = hashlib.sha256(data).hexdigest()
        if outcome != "rejected" and not dry_run:
            at = iso(self.clock())
            written = self.table.batch_put([
                {**billing_keys.unit_area(estate.slug, b, r), "type": "unit_area",
                 "estate": estate.slug, "building": b, "room": r, "area_m2": area,
                 "imported_at": at, "imported_by": actor, "sha256": digest, "row": n}
                for (b, r), (n, area) in good.items()
            ])  # fmt: skip
        report = AreasReport(estate.slug, file_name, digest, dry_run, outcome, written, rows)
        self.audit.record(Event(actor, "billing.areas", estate.slug, source_ip, {
            "file_name": file_name, "sha256": digest, "outcome": outcome, "dry_run": dry_run,
            "written": written, "errors": errors}))  # fmt: skip
        return report
