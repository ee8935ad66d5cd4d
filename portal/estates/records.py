"""The estate model as store items (keys from :mod:`portal.store.keys`), and back.

Items are computed from the model alone, nothing is stamped with the current
time, so writing the same company twice writes identical items
(:mod:`portal.estates.sync`). Units are stored one item each (later features
hang bills and work orders on them); reading an estate back needs only its
profile and buildings, since units follow from each building's shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from portal.estates.model import (
    Building,
    Company,
    Contact,
    Estate,
    FeeStandard,
    ServiceHours,
    Unit,
)
from portal.i18n import Text
from portal.store import keys
from portal.store.items import Item, text, whole

SEED_CREATED_AT = "2026-01-01T00:00:00Z"
"""``created_at`` of every synced item: fixed, so that re-syncing rewrites identical items."""


def _loc(prefix: str, value: Text) -> Item:
    return {prefix: value.zh, f"{prefix}_en": value.en or ""}


def _text(item: Mapping[str, Any], prefix: str) -> Text:
    return Text(text(item, prefix), text(item, f"{prefix}_en") or None)


def company_item(company: Company) -> Item:
    return {
        **keys.company(), "type": "company", **_loc("name", company.name),
        "hotline": company.hotline, **_loc("intro", company.intro),
        **({"sms_signature": company.sms_signature} if company.sms_signature else {}),
        "estate_count": len(company.estates), "created_at": SEED_CREATED_AT,
    }  # fmt: skip


def estate_summary_item(estate: Estate) -> Item:
    return {
        **keys.company_estate(estate.slug), "type": "estate_summary", "estate": estate.slug,
        **_loc("name", estate.name), "hotline": estate.hotline,
        "unit_count": estate.unit_count, "created_at": SEED_CREATED_AT,
    }  # fmt: skip


def estate_item(estate: Estate) -> Item:
    return {
        **keys.estate(estate.slug), "type": "estate", "estate": estate.slug,
        **_loc("name", estate.name), **_loc("address", estate.address),
        "time_zone": estate.time_zone, "hotline": estate.hotline,
        "contacts": [
            {**_loc("role", c.role), "phone": c.phone, **_loc("location", c.location)}
            for c in estate.contacts
        ],
        "service_hours": [
            {**_loc("what", h.what), "hours": h.hours, **_loc("days", h.days)}
            for h in estate.service_hours
        ],
        "fees": [
            {"item": f.item, **_loc("name", f.name), "price_fen": f.price_fen, "unit": f.unit,
             **_loc("note", f.note)}
            for f in estate.fees
        ],
        "building_count": len(estate.buildings), "unit_count": estate.unit_count,
        "created_at": SEED_CREATED_AT,
    }  # fmt: skip


def building_item(estate: Estate, building: Building) -> Item:
    return {
        **keys.building(estate.slug, building.code), "type": "building",
        "estate": estate.slug, "building": building.code, **_loc("name", building.name),
        "entrances": building.entrances, "floors": building.floors,
        "rooms_per_floor": building.rooms_per_floor,
        "room_areas_m2": list(building.room_areas_m2),
        "unit_count": building.unit_count, "created_at": SEED_CREATED_AT,
    }  # fmt: skip


def unit_item(unit: Unit) -> Item:
    return {
        **keys.unit(unit.estate, unit.building, unit.room), "type": "unit",
        "unit_id": keys.unit_id(unit.estate, unit.building, unit.room),
        "estate": unit.estate, "building": unit.building, "room": unit.room,
        "entrance": unit.entrance, "floor": unit.floor, "area_m2": unit.area_m2,
        "created_at": SEED_CREATED_AT,
    }  # fmt: skip


def company_items(company: Company) -> list[Item]:
    """Every item of a company, in a fixed order, computed from the company alone."""
    items = [company_item(company)]
    for estate in company.estates:
        items += [estate_summary_item(estate), estate_item(estate)]
        items += [building_item(estate, b) for b in estate.buildings]
        items += [unit_item(u) for u in estate.units()]
    return items


# -- back to the model --------------------------------------------------------------------


def _maps(item: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = item.get(name)
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def building_from(item: Mapping[str, Any]) -> Building:
    areas = item.get("room_areas_m2")
    return Building(
        code=text(item, "building"),
        name=_text(item, "name"),
        entrances=whole(item, "entrances"),
        floors=whole(item, "floors"),
        rooms_per_floor=whole(item, "rooms_per_floor"),
        room_areas_m2=tuple(Decimal(a) for a in areas) if isinstance(areas, list) else (),
    )


def estate_from(item: Mapping[str, Any], buildings: list[Building]) -> Estate:
    return Estate(
        slug=text(item, "estate"),
        name=_text(item, "name"),
        time_zone=text(item, "time_zone"),
        address=_text(item, "address"),
        hotline=text(item, "hotline"),
        contacts=tuple(
            Contact(_text(c, "role"), text(c, "phone"), _text(c, "location"))
            for c in _maps(item, "contacts")
        ),
        service_hours=tuple(
            ServiceHours(_text(h, "what"), text(h, "hours"), _text(h, "days"))
            for h in _maps(item, "service_hours")
        ),
        buildings=tuple(sorted(buildings, key=lambda b: _natural(b.code))),
        fees=tuple(
            FeeStandard(
                item=text(f, "item"), name=_text(f, "name"), price_fen=whole(f, "price_fen"),
                unit=text(f, "unit"), note=_text(f, "note"),
            )
            for f in _maps(item, "fees")
        ),
    )


def company_from(item: Mapping[str, Any], estates: list[Estate]) -> Company:
    return Company(
        name=_text(item, "name"),
        hotline=text(item, "hotline"),
        intro=_text(item, "intro"),
        estates=tuple(estates),
        sms_signature=text(item, "sms_signature"),
    )


def _natural(code: str) -> tuple[int, str]:
    """Building codes in the order people count them (2 before 10)."""
    return (int(code), "") if code.isdigit() else (1 << 30, code)
