from typing import Any

import pytest
from botocore.exceptions import ClientError

from portal.settings import Settings
from portal.store.bootstrap import ensure_tables, table_status
from portal.store.tables import MAIN, TABLES


def test_tables_created_from_the_definitions_are_active(ddb: Any, settings: Settings) -> None:
    assert table_status(ddb, settings.table_prefix) == {
        settings.table_name(t.suffix): "ACTIVE" for t in TABLES
    }


def test_main_table_has_the_defined_keys_and_index(ddb: Any, settings: Settings) -> None:
    table = ddb.describe_table(TableName=settings.table_name(MAIN.suffix))["Table"]
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {
        "pk": "HASH",
        "sk": "RANGE",
    }
    assert sorted(g["IndexName"] for g in table["GlobalSecondaryIndexes"]) == [
        g.name for g in MAIN.gsis]  # fmt: skip
    assert [g.name for g in MAIN.gsis] == ["gsi1", "gsi2", "gsi3"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_ttl_is_enabled_on_every_table_that_defines_a_ttl_attribute(
    ddb: Any, settings: Settings
) -> None:
    for t in TABLES:
        if t.ttl_attribute is None:
            continue
        ttl = ddb.describe_time_to_live(TableName=settings.table_name(t.suffix))
        desc = ttl["TimeToLiveDescription"]
        assert desc["TimeToLiveStatus"] == "ENABLED"
        assert desc["AttributeName"] == t.ttl_attribute


def test_ensure_tables_is_idempotent_on_dynamodb_local(ddb: Any, settings: Settings) -> None:
    assert ensure_tables(ddb, settings.table_prefix) == []


def test_invalid_table_name_is_rejected_as_aws_would(client: Any) -> None:
    """moto accepts this name; DynamoDB Local, like AWS, does not: why integration tests exist."""
    kwargs = MAIN.create_table_kwargs("bad name!")
    with pytest.raises(ClientError) as exc:
        client.create_table(**kwargs)
    assert exc.value.response["Error"]["Code"] == "ValidationException"
