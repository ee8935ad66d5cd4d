from typing import Any

from portal.settings import Settings
from portal.store.bootstrap import ensure_tables, table_status
from portal.store.tables import TABLES


def test_tables_created_from_definitions_are_active(ddb: Any, settings: Settings) -> None:
    status = table_status(ddb, settings.table_prefix)
    assert status == {settings.table_name(t.suffix): "ACTIVE" for t in TABLES}


def test_ensure_tables_twice_creates_nothing_the_second_time(ddb: Any, settings: Settings) -> None:
    assert ensure_tables(ddb, settings.table_prefix) == []


def test_missing_table_is_reported_missing(moto_aws: None, settings: Settings) -> None:
    from portal.store.client import dynamodb_client

    status = table_status(dynamodb_client(settings), settings.table_prefix)
    assert set(status.values()) == {"MISSING"}


def test_client_uses_standard_retries_and_explicit_timeouts(settings: Settings) -> None:
    from portal.store.client import botocore_config

    cfg = botocore_config(settings)
    assert cfg.retries == {"mode": "standard", "total_max_attempts": 3}
    assert cfg.connect_timeout == 2.0 and cfg.read_timeout == 5.0
