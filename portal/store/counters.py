"""Fixed-window counters with a limit: rate limits that hold across every Lambda instance.

One atomic conditional update per attempt (``ADD hits :one`` only while
``hits < :limit``), so concurrent requests can never pass more than the limit;
DynamoDB's TTL removes a window's item after it ends.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from portal.clock import Clock
from portal.errors import RateLimited
from portal.store import keys
from portal.store.conditions import is_condition_failure


class WindowCounter:
    def __init__(self, client: Any, table: str, clock: Clock) -> None:
        self.client, self.table, self.clock = client, table, clock

    def _key(self, scope: str, subject: str, window: timedelta) -> dict[str, Any]:
        number = int(self.clock().timestamp()) // int(window.total_seconds())
        return {k: {"S": v} for k, v in keys.rate_limit(scope, subject, number).items()}

    def count(self, scope: str, subject: str, window: timedelta) -> int:
        """Attempts counted so far in the current window."""
        got = self.client.get_item(
            TableName=self.table, Key=self._key(scope, subject, window), ConsistentRead=True
        )
        return int(got.get("Item", {}).get("hits", {}).get("N", "0"))

    def clear(self, scope: str, subject: str, window: timedelta) -> None:
        """Forget the current window's attempts (e.g. after a successful sign-in)."""
        self.client.delete_item(TableName=self.table, Key=self._key(scope, subject, window))

    def take(self, scope: str, subject: str, limit: int, window: timedelta, code: str) -> int:
        """Count one attempt and return its number in the window.

        Raises ``RateLimited(code, seconds=…, minutes=…)`` once the window's limit is used.
        """
        length = int(window.total_seconds())
        now = self.clock().timestamp()
        number = int(now) // length
        end = (number + 1) * length
        key = keys.rate_limit(scope, subject, number)
        try:
            got = self.client.update_item(
                TableName=self.table,
                Key={k: {"S": v} for k, v in key.items()},
                UpdateExpression="ADD hits :one SET expires_at = :ttl",
                # within_limit: this window has room for one more attempt
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit)},
                    ":ttl": {"N": str(end + 3600)},
                },
                ReturnValues="UPDATED_NEW",
            )
        except Exception as exc:
            if is_condition_failure(exc):
                seconds = max(1, math.ceil(end - now))
                raise RateLimited(code, seconds=seconds, minutes=math.ceil(seconds / 60)) from exc
            raise
        return int(got["Attributes"]["hits"]["N"])
