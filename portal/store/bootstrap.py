"""Create the tables from their definitions (idempotent) and report their status."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from portal.store.errors import translate
from portal.store.tables import TABLES, TableDef


def ensure_tables(client: Any, prefix: str, tables: tuple[TableDef, ...] = TABLES) -> list[str]:
    """Create every missing table and wait until all are ACTIVE; return the names created."""
    created: list[str] = []
    for t in tables:
        name = f"{prefix}{t.suffix}"
        try:
            client.create_table(**t.create_table_kwargs(name))
            created.append(name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException":
                raise
        client.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150}
        )
        if t.ttl_attribute:
            desc = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            if desc.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
                client.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"AttributeName": t.ttl_attribute, "Enabled": True},
                )
    return created


def table_status(client: Any, prefix: str, tables: tuple[TableDef, ...] = TABLES) -> dict[str, str]:
    """``{table name: status}``, with ``MISSING`` for a table that does not exist."""
    out: dict[str, str] = {}
    for t in tables:
        name = f"{prefix}{t.suffix}"
        try:
            out[name] = client.describe_table(TableName=name)["Table"]["TableStatus"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise translate(exc) from exc
            out[name] = "MISSING"
        except BotoCoreError as exc:
            raise translate(exc) from exc
    return out
