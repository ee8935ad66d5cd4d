"""The company and its estates: buildings, units, contacts, fee standards.

Units are derived from each building's shape (entrances × floors × rooms per
floor), so a 1,000-unit estate is a few lines of YAML
(:mod:`portal.estates.source`) and a handful of items in the store
(:mod:`portal.estates.records`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from portal.i18n import Text

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FEE_ITEMS = ("management", "parking", "water", "electricity", "other")
FEE_UNITS = ("per_m2_month", "per_month", "per_m3", "per_kwh", "per_time")


@dataclass(frozen=True)
class Contact:
    role: Text
    phone: str
    location: Text


@dataclass(frozen=True)
class ServiceHours:
    what: Text
    hours: str
    days: Text


@dataclass(frozen=True)
class FeeStandard:
    item: str
    name: Text
    price_fen: int
    unit: str
    note: Text


@dataclass(frozen=True)
class Unit:
    estate: str
    building: str
    room: str  # "<entrance>-<floor><room:02d>", e.g. "2-1503"
    entrance: int
    floor: int
    area_m2: Decimal


@dataclass(frozen=True)
class Building:
    code: str
    name: Text
    entrances: int
    floors: int
    rooms_per_floor: int
    room_areas_m2: tuple[Decimal, ...]

    def units(self, estate: str) -> list[Unit]:
        return [
            Unit(estate, self.code, f"{e}-{f}{r:02d}", e, f, self.room_areas_m2[r - 1])
            for e in range(1, self.entrances + 1)
            for f in range(1, self.floors + 1)
            for r in range(1, self.rooms_per_floor + 1)
        ]

    @property
    def unit_count(self) -> int:
        return self.entrances * self.floors * self.rooms_per_floor


@dataclass(frozen=True)
class Estate:
    slug: str
    name: Text
    time_zone: str
    address: Text
    hotline: str
    contacts: tuple[Contact, ...]
    service_hours: tuple[ServiceHours, ...]
    buildings: tuple[Building, ...]
    fees: tuple[FeeStandard, ...]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def unit_count(self) -> int:
        return sum(b.unit_count for b in self.buildings)

    def units(self) -> list[Unit]:
        return [u for b in self.buildings for u in b.units(self.slug)]


SMS_SIGNATURE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]{2,12}")
"""A registered SMS signature (短信签名): 2 to 12 Chinese characters, letters or digits; the
carriers put it in 【】 in front of every text message."""


@dataclass(frozen=True)
class Company:
    name: Text
    hotline: str
    intro: Text
    estates: tuple[Estate, ...]
    sms_signature: str = ""
    """The signature registered with the SMS provider (``常青藤物业``); empty: the company's
    Chinese name (:meth:`signature`)."""

    def signature(self) -> str:
        """What every SMS is signed with: the registered signature, else the company's name."""
        return self.sms_signature or self.name.zh

    def estate(self, slug: str) -> Estate | None:
        return next((e for e in self.estates if e.slug == slug), None)


