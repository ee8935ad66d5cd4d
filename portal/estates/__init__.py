"""The company and its estates: buildings, units, contacts, fee standards.

Read from ``site/content/company.yaml`` (format: ``site/content/README.md``).
The static site renders it; ``portal seed`` loads it into DynamoDB. Units are
derived from each building's shape (entrances × floors × rooms per floor), so
a 1,000-unit estate is a few lines of YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal.sourcefile import LineDict, SourceError, YamlProblem, error, load_yaml, read_text

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FEE_ITEMS = ("management", "parking", "water", "electricity", "other")
FEE_UNITS = ("per_m2_month", "per_month", "per_m3", "per_kwh", "per_time")
DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class Localised:
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.zh


@dataclass(frozen=True)
class Contact:
    role: Localised
    phone: str
    location: Localised


@dataclass(frozen=True)
class ServiceHours:
    what: Localised
    hours: str
    days: Localised


@dataclass(frozen=True)
class FeeStandard:
    item: str
    name: Localised
    price_fen: int
    unit: str
    note: Localised


@dataclass(frozen=True)
class Unit:
    estate: str
    building: str
    room: str  # "<entrance>-<floor><room:02d>", e.g. "2-1503"
    entrance: int
    floor: int
    area_m2: float


@dataclass(frozen=True)
class Building:
    code: str
    name: Localised
    entrances: int
    floors: int
    rooms_per_floor: int
    room_areas_m2: tuple[float, ...]

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
    name: Localised
    time_zone: str
    address: Localised
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


@dataclass(frozen=True)
class Company:
    name: Localised
    hotline: str
    intro: Localised
    estates: tuple[Estate, ...]

    def estate(self, slug: str) -> Estate | None:
        return next((e for e in self.estates if e.slug == slug), None)


class _Reader:
    """Typed field access that records errors instead of raising."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.errors: list[SourceError] = []

    def fail(self, line: int, code: str, **params: object) -> None:
        self.errors.append(error(self.rel, line, code, **params))

    def text(self, m: LineDict, key: str, required: bool = True) -> str:
        v = m.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.fail(m.line, "missing_field", field=key)
            return ""
        if not isinstance(v, str | int | float):
            self.fail(m.line_of(key), "wrong_type", field=key, expected="text")
            return ""
        return str(v).strip()

    def loc(self, m: LineDict, key: str, required: bool = True) -> Localised:
        return Localised(self.text(m, key, required), self.text(m, f"{key}_en", False))

    def integer(self, m: LineDict, key: str, minimum: int = 0) -> int:
        v = m.get(key)
        if v is None:
            self.fail(m.line, "missing_field", field=key)
            return minimum
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            self.fail(m.line_of(key), "bad_integer", field=key, minimum=minimum)
            return minimum
        return v

    def mappings(self, m: LineDict, key: str, required: bool = True) -> list[LineDict]:
        v = m.get(key)
        if v is None:
            if required:
                self.fail(m.line, "missing_field", field=key)
            return []
        if not isinstance(v, list) or not all(isinstance(x, LineDict) for x in v):
            self.fail(m.line_of(key), "wrong_type", field=key, expected="list of mappings")
            return []
        return v

    def choice(self, m: LineDict, key: str, allowed: tuple[str, ...]) -> str:
        v = self.text(m, key)
        if v and v not in allowed:
            self.fail(m.line_of(key), "bad_choice", field=key, value=v, allowed=", ".join(allowed))
        return v


def _building(r: _Reader, b: LineDict) -> Building:
    rooms = r.integer(b, "rooms_per_floor", 1)
    areas_raw: Any = b.get("room_areas_m2")
    areas: tuple[float, ...] = ()
    if (
        isinstance(areas_raw, list)
        and len(areas_raw) == rooms
        and all(isinstance(a, int | float) and not isinstance(a, bool) and a > 0 for a in areas_raw)
    ):
        areas = tuple(float(a) for a in areas_raw)
    else:
        r.fail(b.line_of("room_areas_m2"), "bad_room_areas", count=rooms)
        areas = (0.0,) * rooms
    return Building(
        code=r.text(b, "code"),
        name=r.loc(b, "name"),
        entrances=r.integer(b, "entrances", 1),
        floors=r.integer(b, "floors", 1),
        rooms_per_floor=rooms,
        room_areas_m2=areas,
    )


def _estate(r: _Reader, e: LineDict) -> Estate:
    slug = r.text(e, "slug")
    if slug and not SLUG_RE.match(slug):
        r.fail(e.line_of("slug"), "bad_slug", value=slug)
    tz = r.text(e, "time_zone", required=False) or DEFAULT_TZ
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        r.fail(e.line_of("time_zone"), "bad_time_zone", value=tz)
        tz = DEFAULT_TZ
    raw_buildings = r.mappings(e, "buildings")
    buildings = tuple(_building(r, b) for b in raw_buildings)
    codes = [b.code for b in buildings]
    for b, raw in zip(buildings, raw_buildings, strict=True):
        if codes.count(b.code) > 1:
            r.fail(raw.line, "duplicate", field="code", value=b.code)
    return Estate(
        slug=slug,
        name=r.loc(e, "name"),
        time_zone=tz,
        address=r.loc(e, "address"),
        hotline=r.text(e, "hotline"),
        contacts=tuple(
            Contact(r.loc(c, "role"), r.text(c, "phone"), r.loc(c, "location", False))
            for c in r.mappings(e, "contacts")
        ),
        service_hours=tuple(
            ServiceHours(r.loc(h, "what"), r.text(h, "hours"), r.loc(h, "days", False))
            for h in r.mappings(e, "service_hours", False)
        ),
        buildings=buildings,
        fees=tuple(
            FeeStandard(
                item=r.choice(f, "item", FEE_ITEMS),
                name=r.loc(f, "name"),
                price_fen=r.integer(f, "price_fen", 0),
                unit=r.choice(f, "unit", FEE_UNITS),
                note=r.loc(f, "note", False),
            )
            for f in r.mappings(e, "fees", False)
        ),
    )


def parse_company(text: str, rel: str = "company.yaml") -> tuple[Company | None, list[SourceError]]:
    r = _Reader(rel)
    try:
        data = load_yaml(text)
    except YamlProblem as exc:
        return None, [error(rel, exc.line, "bad_yaml", problem=exc.problem)]
    if not isinstance(data, LineDict):
        return None, [error(rel, 1, "front_matter_not_mapping")]
    c = data.get("company")
    if not isinstance(c, LineDict):
        r.fail(data.line_of("company"), "missing_field", field="company")
        return None, r.errors
    raws = r.mappings(data, "estates")
    estates = tuple(_estate(r, e) for e in raws)
    slugs = [e.slug for e in estates]
    for est, raw in zip(estates, raws, strict=True):
        if slugs.count(est.slug) > 1:
            r.fail(raw.line_of("slug"), "duplicate", field="slug", value=est.slug)
    company = Company(
        name=r.loc(c, "name"),
        hotline=r.text(c, "hotline"),
        intro=r.loc(c, "intro", False),
        estates=estates,
    )
    return company, r.errors


_LOADED: dict[Path, tuple[tuple[int, int], tuple[Company | None, list[SourceError]]]] = {}
"""The last parse of each company file in this process, by the file's (mtime, size)."""


def load_company(content_dir: Path) -> tuple[Company | None, list[SourceError]]:
    path = content_dir / "company.yaml"
    try:
        st = path.stat()
        sig = (st.st_mtime_ns, st.st_size)
    except OSError:
        sig = None
    cached = _LOADED.get(path)
    if sig is not None and cached is not None and cached[0] == sig:
        return cached[1][0], list(cached[1][1])
    text, err = read_text(path, "company.yaml")
    if err:
        return None, [err]
    assert text is not None
    result = parse_company(text)
    if sig is not None:
        _LOADED[path] = (sig, result)
    return result[0], list(result[1])
