import os
from pathlib import Path
from typing import Any

from portal.localdev.demo import seed_demo
from portal.settings import Settings
from portal.store.client import dynamodb_client
from portal.store.tables import MAIN
from tests.factories import wired
from tests.integration.conftest import DATA, start_dynamodb_local


def count_items(client: Any, table: str) -> int:
    total = 0
    kwargs: dict[str, Any] = {"TableName": table, "Select": "COUNT", "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        total += int(page["Count"])
        if "LastEvaluatedKey" not in page:
            return total
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_data_on_disk_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "dynamodb-data"
    first = start_dynamodb_local(data_dir)
    try:
        settings = Settings(stage="test", dynamodb_endpoint=first.endpoint, table_prefix="restart-")
        report = seed_demo(wired(dynamodb_client(settings), settings, with_estates=False), DATA)
    finally:
        first.stop()

    second = start_dynamodb_local(data_dir)
    try:
        settings = settings.with_(dynamodb_endpoint=second.endpoint)
        assert count_items(dynamodb_client(settings), settings.table_name(MAIN.suffix)) == (
            report.items
        )
    finally:
        second.stop()


def test_stop_ends_the_java_process_and_frees_the_port() -> None:
    instance = start_dynamodb_local()
    pid = instance.pid
    assert pid is not None and instance.running
    instance.stop()
    assert not process_exists(pid)
    assert not instance.running
    instance.stop()  # a second stop is harmless
