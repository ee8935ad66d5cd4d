"""Seeding the demo estate (moto); the same on DynamoDB Local is in tests/integration."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from portal.estates.records import SEED_CREATED_AT
from portal.estates.records import company_items as demo_items
from portal.estates.source import parse_company
from portal.estates.sync import SyncError as SeedError
from portal.localdev.demo import seed_demo
from portal.settings import Settings
from portal.store import keys
from portal.store.errors import StoreUnavailable as SeedIncomplete
from portal.store.items import decode_item as from_attribute_values
from portal.store.table import BATCH_WRITE_ITEMS as BATCH_SIZE
from portal.store.table import Table
from portal.store.tables import MAIN
from tests.factories import wired


def batch_put(client: Any, table: str, items: list[dict[str, Any]], *, max_attempts: int = 8,
              sleep: Any = lambda s: None) -> int:  # fmt: skip
    """The table helper's batch put (what the sync uses), on a stand-in client."""
    import portal.store.table as table_module

    saved = table_module.BATCH_ATTEMPTS
    table_module.BATCH_ATTEMPTS = max_attempts
    try:
        return Table(client, table, sleep=sleep).batch_put(items)
    finally:
        table_module.BATCH_ATTEMPTS = saved


COMPANY_YAML = """\
company:
  name: 测试物业
  name_en: Test Property
  hotline: "400-000-0000"
estates:
  - slug: alpha
    name: 甲苑
    address: 测试路1号
    hotline: "0731-0000-0001"
    contacts:
      - {role: 客服中心, phone: "0731-0000-0002"}
    buildings:
      - {code: "1", name: 1栋, entrances: 2, floors: 5, rooms_per_floor: 3,
         room_areas_m2: [89.5, 118.2, 0.1]}
    fees:
      - {item: management, name: 物业管理费, price_fen: 280, unit: per_m2_month}
  - slug: beta
    name: 乙苑
    address: 测试路2号
    hotline: "0731-0000-0003"
    contacts:
      - {role: 客服中心, phone: "0731-0000-0004"}
    buildings:
      - {code: "A", name: A座, entrances: 1, floors: 2, rooms_per_floor: 2, room_areas_m2: [60, 75.5]}
"""
UNITS = 2 * 5 * 3 + 1 * 2 * 2  # 34
ITEMS = 1 + 2 * 2 + 2 + UNITS  # company, 2 summaries + 2 estates, 2 buildings, units: 41


@pytest.fixture
def content(tmp_path: Path) -> Path:
    d = tmp_path / "content"
    d.mkdir()
    (d / "company.yaml").write_text(COMPANY_YAML, encoding="utf-8")
    return d


class CountingClient:
    """Wraps a client and counts BatchWriteItem calls and items."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.batches: list[int] = []

    def batch_write_item(self, **kwargs: Any) -> Any:
        self.batches.append(sum(len(v) for v in kwargs["RequestItems"].values()))
        return self.inner.batch_write_item(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def all_items(client: Any, settings: Settings) -> list[dict[str, Any]]:
    items = client.scan(TableName=settings.table_name(MAIN.suffix))["Items"]
    return sorted((from_attribute_values(i) for i in items), key=lambda i: (i["pk"], i["sk"]))


def test_seed_loads_the_company_its_estates_buildings_and_every_unit(
    ddb: Any, settings: Settings, content: Path
) -> None:
    report = seed_demo(wired(ddb, settings, with_estates=False), content)

    assert (report.estates, report.buildings, report.units) == (2, 2, UNITS)
    assert (report.created, report.updated, report.unchanged) == (ITEMS, 0, 0)
    by_key = {(i["pk"], i["sk"]): i for i in all_items(ddb, settings)}
    assert len(by_key) == ITEMS
    for key, kind in [
        (keys.company(), "company"),
        (keys.company_estate("beta"), "estate_summary"),
        (keys.estate("alpha"), "estate"),
        (keys.building("beta", "A"), "building"),
        (keys.unit("alpha", "1", "2-503"), "unit"),
    ]:
        assert by_key[(key["pk"], key["sk"])]["type"] == kind
    unit = by_key[("ESTATE#alpha", "UNIT#1#2-503")]
    assert unit["unit_id"] == "alpha/1/2-503"
    assert (unit["entrance"], unit["floor"], unit["room"]) == (2, 5, "2-503")


def test_unit_area_is_stored_as_the_decimal_written_never_a_float(
    ddb: Any, settings: Settings, content: Path
) -> None:
    seed_demo(wired(ddb, settings, with_estates=False), content)
    raw = ddb.get_item(
        TableName=settings.table_name(MAIN.suffix),
        Key={k: {"S": v} for k, v in keys.unit("alpha", "1", "1-102").items()},
    )
    assert raw["Item"]["area_m2"] == {"N": "118.2"}
    building = from_attribute_values(ddb.get_item(
        TableName=settings.table_name(MAIN.suffix),
        Key={k: {"S": v} for k, v in keys.building("alpha", "1").items()})["Item"])  # fmt: skip
    assert building["room_areas_m2"] == [Decimal("89.5"), Decimal("118.2"), Decimal("0.1")]


def test_second_seed_writes_nothing_and_leaves_every_item_identical(
    ddb: Any, settings: Settings, content: Path
) -> None:
    seed_demo(wired(ddb, settings, with_estates=False), content)
    before = all_items(ddb, settings)
    counting = CountingClient(ddb)

    report = seed_demo(wired(counting, settings, with_estates=False), content)

    assert counting.batches == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, ITEMS)
    assert all_items(ddb, settings) == before


def test_items_are_deterministic_with_a_fixed_created_at(content: Path) -> None:
    company, errors = parse_company((content / "company.yaml").read_text(encoding="utf-8"))
    assert not errors and company is not None
    first, second = demo_items(company), demo_items(company)
    assert first == second
    assert {i["created_at"] for i in first} == {SEED_CREATED_AT}
    assert not any(isinstance(v, float) for i in first for v in i.values())


def test_reseed_after_a_yaml_change_updates_the_item_and_keeps_what_the_app_added(
    ddb: Any, settings: Settings, content: Path
) -> None:
    seed_demo(wired(ddb, settings, with_estates=False), content)
    table = settings.table_name(MAIN.suffix)
    key = {k: {"S": v} for k, v in keys.unit("beta", "A", "1-102").items()}
    ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET owner_count = :n",
        ExpressionAttributeValues={":n": {"N": "1"}},
    )
    changed = COMPANY_YAML.replace("[60, 75.5]", "[60, 76.5]")
    (content / "company.yaml").write_text(changed, encoding="utf-8")

    report = seed_demo(wired(ddb, settings, with_estates=False), content)

    # the building and its two units in the second room position
    assert (report.created, report.updated, report.unchanged) == (0, 3, ITEMS - 3)
    item = from_attribute_values(ddb.get_item(TableName=table, Key=key)["Item"])
    assert item["area_m2"] == Decimal("76.5")
    assert item["owner_count"] == 1
    assert item["created_at"] == SEED_CREATED_AT


def test_invalid_company_yaml_raises_with_file_and_line_and_writes_nothing(
    moto_aws: None, settings: Settings, content: Path
) -> None:
    from portal.store.client import dynamodb_client

    (content / "company.yaml").write_text(
        COMPANY_YAML.replace("slug: beta", "slug: Beta!"), encoding="utf-8"
    )
    client = dynamodb_client(settings)
    with pytest.raises(SeedError) as exc:
        seed_demo(wired(client, settings, with_estates=False), content)
    assert "company.yaml:" in str(exc.value)
    assert client.list_tables()["TableNames"] == []


def test_missing_company_yaml_raises_seed_error(
    moto_aws: None, settings: Settings, tmp_path: Path
) -> None:
    from portal.store.client import dynamodb_client

    with pytest.raises(SeedError):
        seed_demo(wired(dynamodb_client(settings), settings, with_estates=False), tmp_path)


class FlakyClient:
    """Leaves half of each call's items unprocessed ``failures`` times, then accepts all."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[int] = []
        self.stored: list[dict[str, Any]] = []

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        ((table, requests),) = RequestItems.items()
        self.calls.append(len(requests))
        if self.failures > 0:
            self.failures -= 1
            keep = len(requests) // 2
            self.stored += [r["PutRequest"]["Item"] for r in requests[:keep]]
            return {"UnprocessedItems": {table: requests[keep:]}}
        self.stored += [r["PutRequest"]["Item"] for r in requests]
        return {"UnprocessedItems": {}}


def _items(n: int) -> list[dict[str, Any]]:
    return [{"pk": "P", "sk": f"{i:04d}"} for i in range(n)]


def test_batch_put_sends_at_most_25_items_per_call() -> None:
    client = FlakyClient(failures=0)
    assert batch_put(client, "t", _items(60)) == 60
    assert client.calls == [BATCH_SIZE, BATCH_SIZE, 10]


def test_batch_put_retries_unprocessed_items_until_all_are_written() -> None:
    client = FlakyClient(failures=3)
    sleeps: list[float] = []
    batch_put(client, "t", _items(20), sleep=sleeps.append)
    assert sorted(i["sk"]["S"] for i in client.stored) == [f"{i:04d}" for i in range(20)]
    assert client.calls == [20, 10, 5, 3]
    assert sleeps == sorted(sleeps) and len(sleeps) == 3 and sleeps[0] < sleeps[-1]


def test_batch_put_gives_up_after_the_last_attempt() -> None:
    client = FlakyClient(failures=100)
    with pytest.raises(SeedIncomplete):
        batch_put(client, "t", _items(3), max_attempts=3, sleep=lambda s: None)
