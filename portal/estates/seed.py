"""Load the demo estate from ``company.yaml`` into the main table (``portal seed``, ``portal dev``).

The company, each estate (profile and the company's summary of it), each
building and every generated unit become one item each, keyed by
:mod:`portal.store.keys`. Items are computed from the file alone, nothing is
stamped with the current time, so seeding is idempotent: a second run finds
every item identical and writes nothing. An item whose seeded attributes
differ (the YAML changed) is rewritten with the new values and keeps any
attribute the application added to it since. Units that left the YAML are not
deleted.

Numbers that are not whole (room areas) are stored as ``Decimal``, never float.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from portal.estates import Building, Company, Estate, Localised, Unit, load_company
from portal.i18n import translate
from portal.settings import Settings
from portal.sourcefile import SourceError
from portal.store import keys
from portal.store.bootstrap import ensure_tables
from portal.store.tables import MAIN

SEED_CREATED_AT = "2026-01-01T00:00:00Z"
"""``created_at`` of every demo item: fixed, so that re-seeding rewrites identical items."""

BATCH_SIZE = 25
"""BatchWriteItem's limit of requests per call."""

Item = dict[str, Any]


class SeedError(Exception):
    """``company.yaml`` is missing or invalid: nothing was written."""

    def __init__(self, errors: Sequence[SourceError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class SeedIncomplete(Exception):
    """DynamoDB kept returning unprocessed items after every retry."""


@dataclass(frozen=True)
class SeedReport:
    table: str
    tables_created: tuple[str, ...]
    estates: int
    buildings: int
    units: int
    created: int
    updated: int
    unchanged: int

    @property
    def items(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def written(self) -> int:
        return self.created + self.updated

    def message(self, lang: str = "zh-CN") -> str:
        return translate(
            "dev.seed_report", lang, table=self.table, estates=self.estates,
            buildings=self.buildings, units=self.units, created=self.created,
            updated=self.updated, unchanged=self.unchanged,
        )

    def __str__(self) -> str:
        return f"{self.message('zh-CN')}\n{self.message('en')}"


# -- items ---------------------------------------------------------------------------------


def _loc(prefix: str, value: Localised) -> Item:
    return {prefix: value.zh, f"{prefix}_en": value.en}


def _decimal(value: float) -> Decimal:
    """The decimal the YAML author wrote (``89.5``), not the float's binary expansion."""
    return Decimal(repr(value))


def company_item(company: Company) -> Item:
    return {
        **keys.company(), "type": "company", **_loc("name", company.name),
        "hotline": company.hotline, **_loc("intro", company.intro),
        "estate_count": len(company.estates), "created_at": SEED_CREATED_AT,
    }


def estate_summary_item(estate: Estate) -> Item:
    return {
        **keys.company_estate(estate.slug), "type": "estate_summary", "estate": estate.slug,
        **_loc("name", estate.name), "hotline": estate.hotline,
        "unit_count": estate.unit_count, "created_at": SEED_CREATED_AT,
    }


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
    }


def building_item(estate: Estate, building: Building) -> Item:
    return {
        **keys.building(estate.slug, building.code), "type": "building",
        "estate": estate.slug, "building": building.code, **_loc("name", building.name),
        "entrances": building.entrances, "floors": building.floors,
        "rooms_per_floor": building.rooms_per_floor,
        "room_areas_m2": [_decimal(a) for a in building.room_areas_m2],
        "unit_count": building.unit_count, "created_at": SEED_CREATED_AT,
    }


def unit_item(unit: Unit) -> Item:
    return {
        **keys.unit(unit.estate, unit.building, unit.room), "type": "unit",
        "unit_id": keys.unit_id(unit.estate, unit.building, unit.room),
        "estate": unit.estate, "building": unit.building, "room": unit.room,
        "entrance": unit.entrance, "floor": unit.floor, "area_m2": _decimal(unit.area_m2),
        "created_at": SEED_CREATED_AT,
    }


def demo_items(company: Company) -> list[Item]:
    """Every item of the demo data, in a fixed order, computed from the company alone."""
    items = [company_item(company)]
    for estate in company.estates:
        items += [estate_summary_item(estate), estate_item(estate)]
        items += [building_item(estate, b) for b in estate.buildings]
        items += [unit_item(u) for u in estate.units()]
    return items


# -- writing -------------------------------------------------------------------------------

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_attribute_values(item: Item) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items()}


def from_attribute_values(item: dict[str, Any]) -> Item:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _chunks(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def batch_put(
    client: Any, table: str, items: Sequence[Item], *, max_attempts: int = 8,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Put ``items`` with BatchWriteItem, 25 at a time, retrying UnprocessedItems with backoff."""
    for chunk in _chunks(items, BATCH_SIZE):
        request: dict[str, Any] = {
            table: [{"PutRequest": {"Item": to_attribute_values(i)}} for i in chunk]
        }
        attempt = 0
        while request:
            response = client.batch_write_item(RequestItems=request)
            request = response.get("UnprocessedItems") or {}
            if request:
                attempt += 1
                if attempt >= max_attempts:
                    left = sum(len(v) for v in request.values())
                    raise SeedIncomplete(f"{left} items still unprocessed after {attempt} tries")
                sleep(min(2.0, 0.05 * 2**attempt))
    return len(items)


def _query_partition(client: Any, table: str, pk: str) -> Iterable[Item]:
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ConsistentRead": True,
    }
    while True:
        page = client.query(**kwargs)
        for raw in page.get("Items", []):
            yield from_attribute_values(raw)
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def seed_demo(client: Any, settings: Settings, content_dir: Path) -> SeedReport:
    """Create missing tables and load the company, estates, buildings and units; idempotent.

    ``client`` is a low-level DynamoDB client (``portal.store.client.dynamodb_client``).
    Raises :class:`SeedError` if ``company.yaml`` is missing or invalid.
    """
    company, errors = load_company(content_dir)
    if errors or company is None:
        raise SeedError(errors)
    created_tables = ensure_tables(client, settings.table_prefix)
    table = settings.table_name(MAIN.suffix)

    partitions = [keys.company()["pk"]] + [keys.estate_partition(e.slug) for e in company.estates]
    existing: dict[tuple[str, str], Item] = {}
    for pk in partitions:
        for item in _query_partition(client, table, pk):
            existing[(item["pk"], item["sk"])] = item

    to_write: list[Item] = []
    created = updated = unchanged = 0
    for item in demo_items(company):
        old = existing.get((item["pk"], item["sk"]))
        if old is None:
            to_write.append(item)
            created += 1
        elif all(old.get(k) == v for k, v in item.items()):
            unchanged += 1
        else:
            to_write.append({**old, **item})
            updated += 1
    batch_put(client, table, to_write)

    return SeedReport(
        table=table,
        tables_created=tuple(created_tables),
        estates=len(company.estates),
        buildings=sum(len(e.buildings) for e in company.estates),
        units=sum(e.unit_count for e in company.estates),
        created=created,
        updated=updated,
        unchanged=unchanged,
    )
