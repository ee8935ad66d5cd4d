"""The roster's columns: the names each goes by, and finding the header row."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from portal.accounts.identity import Relationship
from portal.tabular import HEADER_SEARCH_ROWS, Cell, Sheet, cell_text, read_sheet

MAX_ROWS = 5000
"""Data rows accepted in one file (an estate of ~1,000 households, several residents each)."""
MAX_NAME_LENGTH = 40

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

TEMPLATE_HEADERS: tuple[str, ...] = tuple(COLUMN_ALIASES[f][0] for f in (
    "building", "unit_room", "name", "phone", "relationship", "move_in_date", "occupancy"))
"""The header row of the downloadable roster template (the first name of each column)."""

ERROR_COLUMNS: dict[str, Field] = {
    **dict.fromkeys(("missing_building", "unknown_building", "building_outside_scope"),
                    "building"),
    **dict.fromkeys(("missing_room", "bad_room", "missing_unit", "building_mismatch",
                     "unknown_unit"), "unit_room"),
    **dict.fromkeys(("missing_phone", "invalid_phone"), "phone"),
    "name_too_long": "name",
    "bad_relationship": "relationship",
    "bad_date": "move_in_date",
    "bad_occupancy": "occupancy",
}
"""A row problem → the column staff fix it in (``duplicate`` is about the whole row)."""

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



@dataclass(frozen=True)
class Header:
    row: int
    """Row number of the header in the sheet."""
    columns: dict[Field, int]
    """Field → column index."""


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



def read_roster_sheet(data: bytes, max_rows: int = MAX_ROWS) -> Sheet:
    """The rows of a roster file (CSV delimiters tried until the header is found)."""
    return read_sheet(data, max_rows, "roster", lambda rows: find_header(rows) is not None)
