"""Table definitions: the single source for every table the portal uses.

Local bootstrap (`portal.store.bootstrap`), the moto fixtures of the unit tests
and the CloudFormation template are all derived from :data:`TABLES`.
Key shapes and access patterns are in :mod:`portal.store.keys`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Index:
    name: str
    hash_key: str
    range_key: str | None = None


@dataclass(frozen=True)
class TableDef:
    suffix: str
    hash_key: str
    range_key: str | None = None
    gsis: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    string_attributes: tuple[str, ...] = field(default=())

    def attribute_names(self) -> list[str]:
        names = [self.hash_key] + ([self.range_key] if self.range_key else [])
        for gsi in self.gsis:
            names += [gsi.hash_key] + ([gsi.range_key] if gsi.range_key else [])
        return list(dict.fromkeys(names))

    def create_table_kwargs(self, table_name: str) -> dict[str, Any]:
        """Arguments for ``DynamoDB.Client.create_table`` (on-demand billing)."""

        def schema(h: str, r: str | None) -> list[dict[str, str]]:
            out = [{"AttributeName": h, "KeyType": "HASH"}]
            if r:
                out.append({"AttributeName": r, "KeyType": "RANGE"})
            return out

        kwargs: dict[str, Any] = {
            "TableName": table_name,
            "KeySchema": schema(self.hash_key, self.range_key),
            "AttributeDefinitions": [
                {"AttributeName": n, "AttributeType": "S"} for n in self.attribute_names()
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if self.gsis:
            kwargs["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": g.name,
                    "KeySchema": schema(g.hash_key, g.range_key),
                    "Projection": {"ProjectionType": "ALL"},
                }
                for g in self.gsis
            ]
        return kwargs

    def cloudformation(self, table_name: Any) -> dict[str, Any]:
        """An ``AWS::DynamoDB::Table`` resource (point-in-time recovery on)."""
        props = self.create_table_kwargs("")
        props["TableName"] = table_name
        props["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
        if self.ttl_attribute:
            props["TimeToLiveSpecification"] = {
                "AttributeName": self.ttl_attribute,
                "Enabled": True,
            }
        return {"Type": "AWS::DynamoDB::Table", "Properties": props}


GSI1 = Index("gsi1", "gsi1pk", "gsi1sk")
"""The main table's first global secondary index (cross-partition patterns)."""
GSI2 = Index("gsi2", "gsi2pk", "gsi2sk")
"""The second: an item that needs two more ways in (a work order: by state and by unit)."""
GSI3 = Index("gsi3", "gsi3pk", "gsi3sk")
"""The third, sparse: items with a deadline still to watch (the escalation ladder)."""

TTL_ATTRIBUTE = "expires_at"
"""Epoch seconds after which DynamoDB may delete an item."""

MAIN = TableDef(
    suffix="main",
    hash_key="pk",
    range_key="sk",
    gsis=(GSI1, GSI2, GSI3),
    ttl_attribute=TTL_ATTRIBUTE,
)
"""One table for the whole domain (single-table design); see `portal.store.keys`."""

TABLES: tuple[TableDef, ...] = (MAIN,)
