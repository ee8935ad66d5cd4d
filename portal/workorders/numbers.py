"""Order numbers: ``BX-20261122-0007``, the kind's prefix, the estate's local day, a sequence.

One atomic counter per estate, prefix and day (``ADD`` on one item), so concurrent
submits on any number of Lambda instances each get their own number. A number
that was taken by a submit that then failed is skipped, never reused.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.clock import local_day, zone
from portal.store import service_keys
from portal.store.items import whole
from portal.store.table import Table
from portal.store.tables import TTL_ATTRIBUTE

KEEP_COUNTER = timedelta(days=3)


class OrderNumbers:
    def __init__(self, table: Table) -> None:
        self.table = table

    def next(self, estate: str, prefix: str, now: datetime, tz: str) -> str:
        day = local_day(now, zone(tz)).strftime("%Y%m%d")
        got = self.table.update(
            service_keys.work_order_counter(estate, prefix, day),
            add={"n": 1},
            set={TTL_ATTRIBUTE: int((now + KEEP_COUNTER).timestamp())},
            returns="UPDATED_NEW",
        )
        return f"{prefix}-{day}-{whole(got, 'n'):04d}"
