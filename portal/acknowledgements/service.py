"""Owners acknowledge critical notices; staff see who has and who has not, per building.

=====================  ==========================  =============================================
who                    what                        rule
=====================  ==========================  =============================================
owner                  :meth:`mine`                active critical notices of their units' buildings,
                                                   with the household's acknowledgement (if any)
owner                  :meth:`acknowledge`         their own unit only (``notice.acknowledge``);
                                                   once per household, audited; again: the first
staff                  :meth:`notices`             an estate's critical notices with their counts
staff                  :meth:`coverage`            per building: acknowledged / targeted, and the
                                                   units still unread with residents' phones masked
=====================  ==========================  =============================================

Targeted households are the units of the targeted buildings (the estate's directory); a
butler scoped to buildings sees those buildings only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from portal.accounts import policy
from portal.accounts.audit import AuditLog, Event, actor
from portal.accounts.identity import Identity
from portal.accounts.owners import Binding, Owner
from portal.accounts.policy import Target
from portal.acknowledgements.model import (
    Acknowledged,
    BuildingCoverage,
    Coverage,
    CriticalNotice,
    OwnerNotice,
    UnreadUnit,
)  # fmt: skip
from portal.acknowledgements.repository import AcknowledgementRepository
from portal.clock import Clock, iso
from portal.errors import NotFound
from portal.estates.model import Estate
from portal.phones import mask

logger = logging.getLogger(__name__)


class Estates(Protocol):
    def estate(self, slug: str) -> Estate: ...


class Residents(Protocol):
    def residents(self, estate: str, building: str | None = None) -> list[tuple[str, Binding]]: ...

    def many(self, owner_ids: Sequence[str]) -> dict[str, Owner]: ...


class AcknowledgementService:
    def __init__(self, repo: AcknowledgementRepository, estates: Estates, residents: Residents,
                 audit: AuditLog, clock: Clock) -> None:  # fmt: skip
        self.repo, self.estates, self.residents = repo, estates, residents
        self.audit, self.clock = audit, clock

    # -- owners ---------------------------------------------------------------------------

    def mine(self, who: Identity) -> list[OwnerNotice]:
        """Active critical notices of the owner's units, unread first, newest first."""
        policy.require(who, "notice.acknowledge", Target(owner_id=who.user_id))
        now = self.clock()
        out: list[OwnerNotice] = []
        by_estate: dict[str, list[CriticalNotice]] = {}
        for unit in who.units:
            if unit.estate not in by_estate:
                by_estate[unit.estate] = [n for n in self.repo.notices(unit.estate)
                                          if n.active(now)]  # fmt: skip
            for n in by_estate[unit.estate]:
                if not n.targets(unit.building):
                    continue
                ack = self.repo.of_unit(n.estate, n.notice, unit.building, unit.room)
                out.append(OwnerNotice(n, unit.building, unit.room, ack.at if ack else ""))
        out.sort(key=lambda o: o.notice.published, reverse=True)
        out.sort(key=lambda o: bool(o.acknowledged_at))
        return out

    def acknowledge(self, who: Identity, estate: str, notice: str, building: str, room: str,
                    source_ip: str = "") -> OwnerNotice:  # fmt: skip
        """The household's 已知晓 (the first one stays, whoever in the unit gave it)."""
        policy.require(who, "notice.acknowledge", Target(estate, building, room))
        found = self.repo.notice(estate, notice)
        if found is None or not found.active(self.clock()) or not found.targets(building):
            raise NotFound("critical_notice_not_found")
        at = iso(self.clock())
        ack = Acknowledged(building, room, who.user_id, at)
        audit = self.audit.entry(Event(actor("owner", who.user_id), "notice.acknowledged",
                                       f"{estate}/{notice}", source_ip,
                                       {"unit": f"{estate}/{building}/{room}"}))  # fmt: skip
        if self.repo.acknowledge(estate, notice, ack, audit):
            logger.info("notice %s/%s acknowledged for unit %s/%s", estate, notice, building, room)
            return OwnerNotice(found, building, room, at)
        first = self.repo.of_unit(estate, notice, building, room)
        return OwnerNotice(found, building, room, first.at if first else at)

    # -- staff ----------------------------------------------------------------------------

    def notices(self, who: Identity, estate: str) -> list[tuple[CriticalNotice, int, int]]:
        """The estate's critical notices, newest first, with (acknowledged, targeted)."""
        policy.require(who, "notice.coverage", Target(estate=estate))
        found = self.estates.estate(estate)  # NotFound("unknown_estate")
        out = []
        for n in sorted(self.repo.notices(estate), key=lambda n: n.published, reverse=True):
            cover = self._coverage(who, found, n, with_residents=False)
            out.append((n, cover.acknowledged, cover.targeted))
        return out

    def coverage(self, who: Identity, estate: str, notice: str) -> Coverage:
        policy.require(who, "notice.coverage", Target(estate=estate))
        found = self.estates.estate(estate)
        n = self.repo.notice(estate, notice)
        if n is None:
            raise NotFound("critical_notice_not_found")
        return self._coverage(who, found, n, with_residents=True)

    def _coverage(self, who: Identity, estate: Estate, n: CriticalNotice,
                  with_residents: bool) -> Coverage:  # fmt: skip
        done = self.repo.acknowledged(estate.slug, n.notice)
        scoped = who.buildings.get(estate.slug) if not who.is_owner else None
        visible: Callable[[str], bool] = (lambda b: True) if policy.ADMIN in who.roles or not scoped \
            else (lambda b: b in scoped)  # fmt: skip
        rows = []
        for b in estate.buildings:
            if not n.targets(b.code) or not visible(b.code):
                continue
            units = b.units(estate.slug)
            acked = sum(1 for u in units if (u.building, u.room) in done)
            unread: tuple[UnreadUnit, ...] = ()
            if with_residents:
                unread = self._unread(estate.slug, b.code,
                                      [u.room for u in units if (u.building, u.room) not in done])
            rows.append(BuildingCoverage(b.code, acked, len(units), unread))
        return Coverage(n, tuple(rows))

    def _unread(self, estate: str, building: str, rooms: Sequence[str]) -> tuple[UnreadUnit, ...]:
        bound: dict[str, list[str]] = {}
        for owner_id, binding in self.residents.residents(estate, building):
            bound.setdefault(binding.unit.room, []).append(owner_id)
        people = self.residents.many([o for ids in bound.values() for o in ids])
        out = []
        for room in rooms:
            found = [people[o] for o in bound.get(room, ()) if o in people]
            out.append(UnreadUnit(building, room,
                                  tuple((p.name, mask(p.phone)) for p in found)))  # fmt: skip
        return tuple(out)
