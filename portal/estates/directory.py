"""The estate directory: the company, estates and buildings as the API and CLI see them.

Read from the store (``portal estates sync`` / ``portal seed`` put them there),
never from ``site/content``, which is not in the Lambda package. Each process
keeps what it read for :data:`CACHE_FOR` (a few queries per minute at most),
so a Lambda sees a synced change within that time without reading the store
on every request.

==================================  =============================================
call                                DynamoDB reads when the cache is cold
==================================  =============================================
:meth:`EstateDirectory.company`     1 query + per estate 1 get and 1 query      
:meth:`EstateDirectory.estate`      the same (one snapshot of the whole company)
==================================  =============================================
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime, timedelta

from portal.clock import Clock
from portal.errors import NotFound, Unavailable
from portal.estates.model import Building, Company, Estate
from portal.estates.records import building_from, company_from, estate_from
from portal.store import keys
from portal.store.table import Table

CACHE_FOR = timedelta(seconds=60)


class EstateDirectory:
    def __init__(self, table: Table, clock: Clock, cache_for: timedelta = CACHE_FOR) -> None:
        self.table, self.clock, self.cache_for = table, clock, cache_for
        self._lock = threading.Lock()
        self._cached: tuple[datetime, Company] | None = None

    def company(self) -> Company:
        """The company with every estate and building; ``Unavailable("company_unavailable")``
        when nothing was synced into the store yet."""
        now = self.clock()
        with self._lock:
            cached = self._cached
            if cached is not None and now - cached[0] < self.cache_for:
                return cached[1]
        company = self._read()
        with self._lock:
            self._cached = (now, company)
        return company

    def forget(self) -> None:
        """Drop the cached company (after a sync in this process)."""
        with self._lock:
            self._cached = None

    def estate(self, slug: str) -> Estate:
        """One estate; ``NotFound("unknown_estate")`` if the company has no such estate."""
        estate = self.company().estate(slug)
        if estate is None:
            raise NotFound("unknown_estate", estate=slug)
        return estate

    def buildings_by_estate(self) -> Mapping[str, frozenset[str]]:
        """Estate slug → the codes of its buildings (the scope staff can be given)."""
        return {e.slug: frozenset(b.code for b in e.buildings) for e in self.company().estates}

    def _read(self) -> Company:
        summaries = self.table.query_all(keys.COMPANY_PARTITION, consistent=True)
        meta = next((i for i in summaries if i["sk"] == keys.META), None)
        if meta is None:
            raise Unavailable("company_unavailable")
        estates: list[Estate] = []
        for summary in summaries:
            if summary["sk"] == keys.META:
                continue
            slug = keys.estate_of_summary(summary["sk"])
            profile = self.table.get(keys.estate(slug))
            buildings: list[Building] = [
                building_from(item)
                for item in self.table.query_all(
                    keys.estate_partition(slug), prefix=keys.BUILDINGS_PREFIX, consistent=True
                )
            ]
            if profile is not None:
                estates.append(estate_from(profile, buildings))
        return company_from(meta, estates)
