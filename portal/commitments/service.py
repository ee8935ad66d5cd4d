"""Prepare, approve and publish the monthly KPI results (see :mod:`portal.commitments`).

=================  ===============================  ===========================================
who                what                             rule
=================  ===============================  ===========================================
the daily job      :meth:`prepare_due`              from the 3rd, last month's snapshot of each
                                                    estate, once (a second run changes nothing)
``kpi.read``       :meth:`of_estate`                the last 12 months' snapshots, any state
``kpi.approve``    :meth:`approve`                  every missed target explained (else 409);
                                                    approved once (the same again: the same
                                                    answer; different: 409); audited
the build          :meth:`published`                approved snapshots of the last 12 months
=================  ===============================  ===========================================
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from portal.accounts import policy
from portal.accounts.audit import AuditLog, Event, actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.clock import Clock, iso, zone
from portal.commitments.model import (
    MONTHS_SHOWN,
    PREPARE_FROM_DAY,
    Snapshot,
    item_of,
    snapshot_from,
    snapshot_of,
)  # fmt: skip
from portal.errors import Conflict, NotFound
from portal.estates.directory import EstateDirectory
from portal.store import owner_keys
from portal.store.conditions import ITEM_IS_NEW, condition
from portal.store.errors import ConditionFailed, TransactionCancelled
from portal.store.table import Put, Table
from portal.workorders.kpi import Month, MonthlyKpis

logger = logging.getLogger(__name__)
MAX_EXPLANATION = 300


class Commitments:
    def __init__(self, table: Table, kpis: MonthlyKpis, estates: EstateDirectory, audit: AuditLog,
                 clock: Clock, time_zone: str) -> None:  # fmt: skip
        self.table, self.kpis, self.estates = table, kpis, estates
        self.audit, self.clock, self.tz = audit, clock, time_zone

    # -- the job --------------------------------------------------------------------------

    def prepare_due(self) -> dict[str, str]:
        """Last month's snapshot of every estate, once it is due (estate → what happened)."""
        now = self.clock()
        local = now.astimezone(zone(self.tz))
        if local.day < PREPARE_FROM_DAY:
            return {}
        month = Month.of(now, self.tz).previous()
        out = {}
        for estate in self.estates.company().estates:
            key = owner_keys.kpi_snapshot(estate.slug, str(month))
            if self.table.get(key) is not None:
                out[estate.slug] = "already"
                continue
            snapshot = snapshot_of(self.kpis.report(estate.slug, month))
            try:
                self.table.put(item_of(snapshot), ITEM_IS_NEW)
            except ConditionFailed:
                out[estate.slug] = "already"
                continue
            logger.info("KPI results of %s for %s prepared", estate.slug, month)
            out[estate.slug] = "prepared"
        return out

    # -- staff ----------------------------------------------------------------------------

    def of_estate(self, who: Identity, estate: str) -> list[Snapshot]:
        policy.require(who, "kpi.read", Target(estate=estate))
        self.estates.estate(estate)  # NotFound("unknown_estate")
        return self._recent(estate, self.clock())

    def approve(self, who: Identity, estate: str, month: str,
                explanations: Mapping[str, str], source_ip: str = "") -> Snapshot:  # fmt: skip
        """Publish the month: each missed target with a plain sentence (why, what is done)."""
        policy.require(who, "kpi.approve", Target(estate=estate))
        self.estates.estate(estate)
        item = self.table.get(owner_keys.kpi_snapshot(estate, month))
        if item is None:
            raise NotFound("kpi_snapshot_not_found")
        found = snapshot_from(item)
        said = {k: " ".join(v.split())[:MAX_EXPLANATION] for k, v in explanations.items()}
        said = {k: v for k, v in said.items() if v and k in found.missed}
        lacking = [k for k in found.missed if k not in said]
        if lacking:
            raise Conflict("kpi_explanation_missing", keys=", ".join(lacking))
        if found.state == "approved":
            if said == found.explanations:
                return found  # the same approval again
            raise Conflict("kpi_already_approved")
        done = replace(found, state="approved", explanations=said,
                       approved_by=f"staff:{who.user_id}", approved_at=iso(self.clock()))  # fmt: skip
        audit = self.audit.entry(Event(actor("staff", who.user_id), "kpi.approved",
                                       f"{estate}/{month}", source_ip,
                                       {"missed": list(found.missed)}))  # fmt: skip
        still = condition("kpi_still_prepared", "#s = :p", names={"#s": "state"}, p="prepared")
        try:
            self.table.transact([Put(item_of(done), still), audit])
        except TransactionCancelled as exc:
            if exc.reasons[:1] == (TransactionCancelled.CHECK_FAILED,):  # approved meanwhile
                raise Conflict("kpi_already_approved") from None
            raise
        return done

    # -- the build ------------------------------------------------------------------------

    def published(self, now: datetime | None = None) -> list[Snapshot]:
        """Every estate's approved snapshots of the last 12 months, newest first."""
        at = now or self.clock()
        return [s for e in self.estates.company().estates for s in self._recent(e.slug, at)
                if s.state == "approved"]  # fmt: skip

    def _recent(self, estate: str, now: datetime) -> list[Snapshot]:
        newest = Month.of(now, self.tz).previous()
        oldest = newest
        for _ in range(MONTHS_SHOWN - 1):
            oldest = oldest.previous()
        items = self.table.query_all(owner_keys.kpi_snapshots(estate),
                                     between=(str(oldest), str(newest)), forward=False)  # fmt: skip
        return [snapshot_from(i) for i in items]
