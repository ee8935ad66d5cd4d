"""Reading ``company.yaml`` (format: ``site/content/README.md``) into the estate model.

The static site renders the company from this file; ``portal estates sync``
(and ``portal seed`` for the demo) writes it into the store, where the API
reads it (:mod:`portal.estates.directory`). Problems are collected as
``file:line`` errors, never raised.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal.clock import DEFAULT_TIME_ZONE
from portal.estates.model import (
    FEE_ITEMS,
    FEE_UNITS,
    SLUG_RE,
    SMS_SIGNATURE,
    Building,
    Company,
    Contact,
    Estate,
    FeeStandard,
    ServiceHours,
)
from portal.sourcefile import (
    FieldReader,
    LineDict,
    SourceError,
    YamlProblem,
    error,
    load_yaml,
    read_text,
)


def _building(r: FieldReader, b: LineDict) -> Building:
    rooms = r.integer(b, "rooms_per_floor", 1)
    areas_raw: Any = b.get("room_areas_m2")
    areas: tuple[Decimal, ...] = ()
    if (
        isinstance(areas_raw, list)
        and len(areas_raw) == rooms
        and all(isinstance(a, int | float) and not isinstance(a, bool) and a > 0 for a in areas_raw)
    ):
        # The decimal the author wrote (89.5), not the float's binary expansion.
        areas = tuple(Decimal(repr(a)) for a in areas_raw)
    else:
        r.fail(b.line_of("room_areas_m2"), "bad_room_areas", count=rooms)
        areas = (Decimal(0),) * rooms
    return Building(
        code=r.text(b, "code"),
        name=r.loc(b, "name"),
        entrances=r.integer(b, "entrances", 1),
        floors=r.integer(b, "floors", 1),
        rooms_per_floor=rooms,
        room_areas_m2=areas,
    )


def _estate(r: FieldReader, e: LineDict) -> Estate:
    slug = r.text(e, "slug")
    if slug and not SLUG_RE.match(slug):
        r.fail(e.line_of("slug"), "bad_slug", value=slug)
    tz = r.text(e, "time_zone", required=False) or DEFAULT_TIME_ZONE
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        r.fail(e.line_of("time_zone"), "bad_time_zone", value=tz)
        tz = DEFAULT_TIME_ZONE
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
    r = FieldReader(rel)
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
    signature = r.text(c, "sms_signature", False)
    if signature and not SMS_SIGNATURE.fullmatch(signature):
        r.fail(c.line_of("sms_signature"), "bad_sms_signature", value=signature)
        signature = ""
    company = Company(
        name=r.loc(c, "name"),
        hotline=r.text(c, "hotline"),
        intro=r.loc(c, "intro", False),
        estates=estates,
        sms_signature=signature,
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
