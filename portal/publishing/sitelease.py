"""One publish to the live site at a time: a lease in the table, waited for.

Two staff publishing at once must both land. Each publish writes a ``site-rebuild`` task;
on AWS the tasks may run on two Lambda instances at the same moment. Each takes the lease
(a conditional write: free, or expired) before it reads what is published, so the second
one builds after the first has uploaded and sees both documents. A publish that finds the
lease held waits for it (:data:`WAIT`, polling every :data:`POLL`); if it is still held
then, :class:`SiteBusy` makes the task try again later.

The lease lasts :data:`LEASE`, longer than a Lambda invocation may run (28 s), so a lease
still held is one whose holder is alive; a killed holder's lease expires by itself.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from portal.clock import Clock, iso
from portal.store import publishing_keys as pk
from portal.store.conditions import condition
from portal.store.errors import ConditionFailed
from portal.store.table import Table

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
"""How long a publish holds the site (a Lambda invocation stops after 28 s)."""
WAIT = 20.0
"""Seconds a publish waits for another to finish before its task tries again later."""
POLL = 0.5
"""Seconds between two tries to take the lease."""


class SiteBusy(RuntimeError):
    """Another publish kept the site longer than :data:`WAIT`: the task tries again later."""


class SiteLease:
    def __init__(self, table: Table, clock: Clock,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.table, self.clock, self.sleep = table, clock, sleep

    def _take(self, owner: str) -> bool:
        now = self.clock()
        free = condition("site_lease_free",
                         "attribute_not_exists(pk) OR lease_until < :now", now=iso(now))  # fmt: skip
        try:
            self.table.put({**pk.site_lease(), "type": "site_lease", "lease_owner": owner,
                            "lease_until": iso(now + LEASE)}, free)  # fmt: skip
        except ConditionFailed:
            return False
        return True

    def _release(self, owner: str) -> None:
        try:
            self.table.delete(pk.site_lease(),
                              condition("site_lease_held", "lease_owner = :me", me=owner))  # fmt: skip
        except ConditionFailed:
            logger.warning("site lease was taken over before this publish gave it back")

    @contextmanager
    def held(self, wait: float = WAIT) -> Iterator[str]:
        """Hold the lease for the block (its owner token); :class:`SiteBusy` if it stays taken."""
        owner = uuid.uuid4().hex
        waited = 0.0
        while not self._take(owner):
            if waited >= wait:
                raise SiteBusy("another publish is still running")
            self.sleep(POLL)
            waited += POLL
        try:
            yield owner
        finally:
            self._release(owner)
