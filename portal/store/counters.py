"""Fixed-window counters with a limit: rate limits that hold across every Lambda instance.

One atomic conditional update per attempt (``ADD hits 1`` only while
``hits < limit``, the condition ``within_limit``), so concurrent requests can
never pass more than the limit; DynamoDB's TTL removes a window's item after
it ends.
"""

from __future__ import annotations

import math
from datetime import timedelta

from portal.clock import Clock
from portal.errors import RateLimited
from portal.store import keys
from portal.store.conditions import condition
from portal.store.errors import ConditionFailed
from portal.store.table import Table
from portal.store.tables import TTL_ATTRIBUTE


class WindowCounter:
    def __init__(self, table: Table, clock: Clock) -> None:
        self.table, self.clock = table, clock

    def _key(self, scope: str, subject: str, window: timedelta) -> keys.Key:
        number = int(self.clock().timestamp()) // int(window.total_seconds())
        return keys.rate_limit(scope, subject, number)

    def count(self, scope: str, subject: str, window: timedelta) -> int:
        """Attempts counted so far in the current window."""
        item = self.table.get(self._key(scope, subject, window))
        return int(item.get("hits", 0)) if item else 0

    def clear(self, scope: str, subject: str, window: timedelta) -> None:
        """Forget the current window's attempts (e.g. after a successful sign-in)."""
        self.table.delete(self._key(scope, subject, window))

    def take(self, scope: str, subject: str, limit: int, window: timedelta, code: str) -> int:
        """Count one attempt and return its number in the window.

        Raises ``RateLimited(code, seconds=…, minutes=…)`` once the window's limit is used.
        """
        length = int(window.total_seconds())
        now = self.clock().timestamp()
        number = int(now) // length
        end = (number + 1) * length
        within_limit = condition(
            "within_limit", "attribute_not_exists(hits) OR hits < :limit", limit=limit
        )
        try:
            got = self.table.update(
                keys.rate_limit(scope, subject, number),
                add={"hits": 1},
                set={TTL_ATTRIBUTE: end + 3600},
                condition=within_limit,
                returns="UPDATED_NEW",
            )
        except ConditionFailed as exc:
            seconds = max(1, math.ceil(end - now))
            raise RateLimited(code, seconds=seconds, minutes=math.ceil(seconds / 60)) from exc
        return int(got["hits"])
