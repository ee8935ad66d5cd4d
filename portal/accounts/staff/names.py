"""Staff display names by username, for what pages show (负责人 陈晓梅, not ``desk.chen``).

One batch read for all the names an answer needs, remembered a minute per process (a
renamed colleague shows under the new name within that time). A username that is no
account (deleted meanwhile) has no name: the caller shows the username.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from portal.clock import Clock
from portal.store import keys
from portal.store.items import text
from portal.store.table import Table

CACHE_FOR = timedelta(minutes=1)


class StaffNames:
    def __init__(self, table: Table, clock: Clock, cache_for: timedelta = CACHE_FOR) -> None:
        self.table, self.clock, self.cache_for = table, clock, cache_for
        self._known: dict[str, tuple[str, datetime]] = {}

    def of(self, usernames: Iterable[str]) -> dict[str, str]:
        """Username → display name, for those that are accounts with a name."""
        now = self.clock()
        wanted = sorted({u for u in usernames if u})
        stale = [u for u in wanted if u not in self._known or self._known[u][1] <= now]
        if stale:
            found = {text(item, "username"): text(item, "name")
                     for item in self.table.batch_get([keys.staff(u) for u in stale],
                                                      consistent=False)}  # fmt: skip
            for username in stale:
                self._known[username] = (found.get(username, ""), now + self.cache_for)
        return {u: self._known[u][0] for u in wanted if self._known[u][0]}
