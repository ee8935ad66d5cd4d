"""Periodic callbacks, planned by a daily job: idempotent, one per unit and round.

=================  ========================================  =================================
kind               who                                       round (its id) and due
=================  ========================================  =================================
``first_month``    a unit moved into 30 days ago (入住满一月)   once per move-in date; a week
                                                             after the month is full
``monthly``        every unit with residents, moved in       the month; by the 5th of the
                                                             next month (月度满意度回访)
``not_moved_in``   units not decorated or decorated but      the month; by its end
                   not moved in (instead of ``monthly``)
``dissatisfied``   units in a segment with a cadence         the fortnight (from a fixed
                   (:data:`portal.profiles.model.SEGMENTS`:   Monday); by its last day
                   dissatisfied, every 14 days)
=================  ========================================  =================================

The move-in date is the profile's (入住), else the handover date (入伙) once the unit is
moved in. Who is called: the unit's owner on the roster (else another resident).

Ids are deterministic (kind, round, unit), so the job may run late or twice: it reads
which of today's callbacks exist (batch reads), puts the others under the condition
that they are new, and a second run creates nothing. The residents and the profiles
are two paged queries per estate; no Scan.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from portal.accounts.owners import Binding, OwnerRepository
from portal.clock import Clock, iso, local_day, zone
from portal.profiles.model import NOT_MOVED_IN, SEGMENTS, Facts, Profile, facts
from portal.profiles.repository import ProfileRepository
from portal.store.errors import ConditionFailed
from portal.workorders.callback_model import Callback, Kind, periodic_callback_id
from portal.workorders.callback_repository import CallbackRepository

logger = logging.getLogger(__name__)

SYSTEM = "system:callback_plan"
FIRST_MONTH = timedelta(days=30)
FIRST_MONTH_WINDOW = timedelta(days=14)
"""A first-month callback is planned on any of these days after the month is full (a job
that missed a few days still plans it; the round makes it once)."""
FIRST_MONTH_GRACE = timedelta(days=7)
MONTHLY_DUE_DAY = 5  # of the next month
FORTNIGHT_EPOCH = date(2024, 1, 1)
"""A Monday: every cadence of days counts its rounds from here."""


@dataclass
class PlanReport:
    created: dict[str, int] = field(default_factory=dict)
    existing: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values())

    def add(self, other: PlanReport) -> PlanReport:
        for k, v in other.created.items():
            self.created[k] = self.created.get(k, 0) + v
        self.existing += other.existing
        return self


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class CallbackPlanner:
    def __init__(self, callbacks: CallbackRepository, owners: OwnerRepository,
                 profiles: ProfileRepository, clock: Clock, time_zone: str) -> None:  # fmt: skip
        self.callbacks, self.owners, self.profiles = callbacks, owners, profiles
        self.clock, self.tz = clock, time_zone

    def run(self, estates: Iterable[str], today: date | None = None) -> PlanReport:
        report = PlanReport()
        for estate in estates:
            report.add(self.plan_periodic(estate, today))
        if report.total:
            logger.info("callback plan: %s created, %d existed", report.created, report.existing)
        return report

    def plan_periodic(self, estate: str, today: date | None = None) -> PlanReport:
        """Create the estate's periodic callbacks of ``today`` (local) that do not exist yet."""
        today = today or local_day(self.clock(), zone(self.tz))
        wanted = self._wanted(estate, today)
        existing = self.callbacks.many(estate, [c.callback_id for c in wanted])
        report = PlanReport()
        for callback in wanted:
            if callback.callback_id in existing:
                report.existing += 1
                continue
            try:
                self.callbacks.create(callback)
            except ConditionFailed:
                report.existing += 1  # another run made it meanwhile
                continue
            report.created[callback.kind] = report.created.get(callback.kind, 0) + 1
        return report

    def _wanted(self, estate: str, today: date) -> list[Callback]:
        bindings: dict[tuple[str, str], list[tuple[str, Binding]]] = {}
        for owner_id, b in self.owners.residents(estate):
            bindings.setdefault((b.unit.building, b.unit.room), []).append((owner_id, b))
        profiles = self.profiles.of_estate(estate)
        out: list[Callback] = []
        for unit in sorted(set(bindings) | set(profiles)):
            here = bindings.get(unit, [])
            f = facts(profiles.get(unit) or Profile(estate, *unit), [b for _, b in here])
            contact = next((o for o, b in sorted(here, key=lambda p: p[1].unit.relationship != "owner")), "")
            out += self._for_unit(estate, unit, f, contact, today, bool(here))
        return out

    def _for_unit(self, estate: str, unit: tuple[str, str], f: Facts, contact: str, today: date,
                  has_residents: bool) -> list[Callback]:  # fmt: skip
        building, room = unit
        month = today.strftime("%Y-%m")
        out: list[Callback] = []

        def add(kind: Kind, period: str, due: date) -> None:
            out.append(Callback(
                callback_id=periodic_callback_id(kind, period, building, room), estate=estate,
                kind=kind, building=building, room=room, due_at=self._deadline(due),
                created_at=iso(self.clock()), created_by=SYSTEM, owner_id=contact, period=period,
            ))  # fmt: skip

        if has_residents and f.occupancy in NOT_MOVED_IN:
            add("not_moved_in", month, _month_after(today) - timedelta(days=1))
        elif has_residents:
            add("monthly", month, _month_after(today).replace(day=MONTHLY_DUE_DAY))
        moved_in = f.move_in_date or (f.handover_date if f.occupancy == "moved_in" else "")
        if has_residents and moved_in:
            full = date.fromisoformat(moved_in) + FIRST_MONTH
            if full <= today < full + FIRST_MONTH_WINDOW:
                add("first_month", moved_in, full + FIRST_MONTH_GRACE)
        every = next((s.callback_every_days for s in SEGMENTS if s.name == f.segment), 0)
        if every:
            start = FORTNIGHT_EPOCH + timedelta(days=(today - FORTNIGHT_EPOCH).days // every * every)
            add("dissatisfied", start.isoformat(), start + timedelta(days=every - 1))
        return out

    def _deadline(self, day: date) -> str:
        """The end of ``day`` in the estate's time zone (the next local midnight), in UTC."""
        return iso(datetime.combine(day + timedelta(days=1), time(0), zone(self.tz)))
