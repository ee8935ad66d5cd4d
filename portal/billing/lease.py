"""One billing run of an estate's period at a time: a lease on the run record.

A run takes the lease (``lease_owner``, ``lease_until``) with a conditional update,
renews it with every checkpoint, and gives it back at the end (also when it fails).
A run that dies (a killed process) keeps it until it expires, :data:`LEASE` later;
another run meanwhile is refused with 409 ``billing_run_in_progress``, which says when
to try again. Each checkpoint is conditioned on still holding the lease, so a run
whose lease was taken over stops at its next block instead of writing on.

The record's other attributes (the plan's fingerprint, the blocks started and
finished) are what :meth:`take` returns: :mod:`portal.billing.run` decides from them.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from portal.billing.model import Bill
from portal.clock import Clock, iso
from portal.errors import Conflict
from portal.store.conditions import condition
from portal.store.errors import ConditionFailed
from portal.store.items import Item, text
from portal.store.keys import Key
from portal.store.table import Table

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
"""How long a run holds its period without a checkpoint (a block takes about a second)."""


def plan_hash(bills: Sequence[Bill]) -> str:
    """The fingerprint of a run's plan: which bills, in which order (amounts aside)."""
    digest = hashlib.sha256()
    for b in bills:
        digest.update(f"{b.unit.unit_id}|{b.bill_id}\n".encode())
    return digest.hexdigest()


class Lease:
    def __init__(self, table: Table, key: Key, clock: Clock, actor: str) -> None:
        self.table, self.key, self.clock, self.actor = table, key, clock, actor
        self.owner = uuid.uuid4().hex

    def _held(self) -> Any:
        return condition("billing_run_lease_held", "lease_owner = :me", me=self.owner)

    def take(self) -> Item:
        """Take the lease; the run record as it is. Conflict while another run holds it."""
        now = self.clock()
        free = condition("billing_run_free",
                         "attribute_not_exists(lease_until) OR lease_until < :now",
                         now=iso(now))  # fmt: skip
        try:
            return self.table.update(self.key, set={
                "lease_owner": self.owner, "lease_until": iso(now + LEASE),
                "lease_by": self.actor}, condition=free, returns="ALL_NEW")  # fmt: skip
        except ConditionFailed as exc:
            held = self.table.get(self.key) or {}
            raise Conflict("billing_run_in_progress", by=text(held, "lease_by"),
                           until=text(held, "lease_until")[:16].replace("T", " ")) from exc

    def checkpoint(self, values: Mapping[str, Any]) -> None:
        """Record progress and renew the lease; Conflict if it was lost meanwhile."""
        try:
            self.table.update(self.key, set={**values,
                              "lease_until": iso(self.clock() + LEASE)},
                              condition=self._held())  # fmt: skip
        except ConditionFailed as exc:
            raise Conflict("billing_run_in_progress", by="", until="") from exc

    def release(self) -> None:
        """Give the lease back (best effort: an unreleased lease expires by itself)."""
        try:
            self.table.update(self.key, remove=("lease_owner", "lease_until", "lease_by"),
                              condition=self._held())  # fmt: skip
        except Exception:
            logger.warning("billing run lease %s not released; it expires by itself", self.key)
