from decimal import Decimal
from pathlib import Path
from typing import Any

from portal.localdev.demo import seed_demo
from portal.settings import Settings
from portal.store import keys
from portal.store.bootstrap import table_status
from portal.store.items import decode_item as from_attribute_values
from portal.store.tables import MAIN
from tests.factories import wired

DATA = Path(__file__).parent / "data"

ITEMS = 37  # company + 2 estate summaries + 2 estates + 3 buildings + 29 units


def scan_all(client: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        items += [from_attribute_values(i) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["pk"], i["sk"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_seed_creates_the_tables_when_they_are_missing(client: Any, settings: Settings) -> None:
    report = seed_demo(wired(client, settings, with_estates=False), DATA)
    assert report.tables_created == (settings.table_name(MAIN.suffix),)
    assert set(table_status(client, settings.table_prefix).values()) == {"ACTIVE"}


def test_seeding_twice_gives_the_same_count_and_identical_items(
    ddb: Any, settings: Settings
) -> None:
    table = settings.table_name(MAIN.suffix)
    first = seed_demo(wired(ddb, settings, with_estates=False), DATA)
    after_first = scan_all(ddb, table)
    second = seed_demo(wired(ddb, settings, with_estates=False), DATA)
    after_second = scan_all(ddb, table)

    assert (first.created, first.unchanged) == (ITEMS, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, ITEMS)
    assert len(after_first) == ITEMS
    assert after_second == after_first


def test_seeded_unit_is_found_by_its_key_with_a_decimal_area(ddb: Any, settings: Settings) -> None:
    seed_demo(wired(ddb, settings, with_estates=False), DATA)
    raw = ddb.get_item(
        TableName=settings.table_name(MAIN.suffix),
        Key={k: {"S": v} for k, v in keys.unit("alpha", "2", "1-202").items()},
    )
    item = from_attribute_values(raw["Item"])
    assert item["unit_id"] == "alpha/2/1-202"
    assert item["area_m2"] == Decimal("100.25")
    assert raw["Item"]["area_m2"] == {"N": "100.25"}
