"""Key shapes for the main table, and the access patterns they serve.

Every DynamoDB key in the code base is built here and nowhere else.

=====================================  =======  ===================================  ===========================
access pattern                         where    key condition                        item
=====================================  =======  ===================================  ===========================
get the company                        main     pk=COMPANY           sk=META         company profile
list estates of the company            main     pk=COMPANY           sk^=ESTATE#     estate summary
get an estate                          main     pk=ESTATE#<e>        sk=META         estate profile
list buildings of an estate            main     pk=ESTATE#<e>        sk^=BUILDING#   building
list units of an estate                main     pk=ESTATE#<e>        sk^=UNIT#       unit
list units of one building             main     pk=ESTATE#<e>        sk^=UNIT#<b>#   unit
get one unit                           main     pk=ESTATE#<e>        sk=UNIT#<b>#<r> unit
=====================================  =======  ===================================  ===========================

Identifiers: an estate is its slug (``lanting``); a building its code within the
estate (``1``); a room its number within the building (``2-1503``: entrance 2,
floor 15, room 03). A unit's id is ``<estate>/<building>/<room>``.
No Scan is used on a request path; `gsi1` is reserved for the cross-partition
patterns of later features (owner by phone hash, work orders by status).
"""

from __future__ import annotations

from typing import TypedDict

SEP = "#"


class Key(TypedDict):
    pk: str
    sk: str


def company() -> Key:
    return {"pk": "COMPANY", "sk": "META"}


def company_estate(estate: str) -> Key:
    return {"pk": "COMPANY", "sk": f"ESTATE{SEP}{estate}"}


def estate(estate: str) -> Key:
    return {"pk": f"ESTATE{SEP}{estate}", "sk": "META"}


def building(estate: str, building: str) -> Key:
    return {"pk": f"ESTATE{SEP}{estate}", "sk": f"BUILDING{SEP}{building}"}


def unit(estate: str, building: str, room: str) -> Key:
    return {"pk": f"ESTATE{SEP}{estate}", "sk": f"UNIT{SEP}{building}{SEP}{room}"}


def estate_partition(estate: str) -> str:
    return f"ESTATE{SEP}{estate}"


def units_prefix(building: str | None = None) -> str:
    return f"UNIT{SEP}" if building is None else f"UNIT{SEP}{building}{SEP}"


BUILDINGS_PREFIX = f"BUILDING{SEP}"
ESTATES_PREFIX = f"ESTATE{SEP}"


def unit_id(estate: str, building: str, room: str) -> str:
    return f"{estate}/{building}/{room}"
