"""Arrears (欠费) by age, and reminders (催缴) through the message sender.

The buckets (:data:`BUCKETS`, the one table of them, read by the code, the exports, the
pages and the tests): a bill is in arrears from the day after its due date; its age is the
days since the due date in the estate's local days.

===========  ==========  ==========
bucket       from day    to day
===========  ==========  ==========
``d0_30``    1           30
``d31_90``   31          90
``d91_180``  91          180
``d181``     181         (no end)
===========  ==========  ==========

A reminder goes to each owner (relationship ``owner``, with a phone) of the units in
arrears, at most once every :data:`REMIND_EVERY_DAYS` days per owner (one conditional
update of the owner's last reminder, in the same transaction as the history line and the
task), never in the quiet hours (the task is due at 08:00 then), one message per owner with
the total of their units. Every reminder is a history line (who asked, when, what, to whom,
masked phone) and one audit event.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from portal.accounts import policy
from portal.accounts.audit import AuditLog, Event, actor
from portal.accounts.identity import Identity
from portal.accounts.owners import OwnerRepository
from portal.accounts.policy import Target
from portal.billing.bills import BillRepository
from portal.billing.model import Bill
from portal.billing.money import yuan
from portal.clock import Clock, iso, local_day, zone
from portal.errors import InvalidInput
from portal.i18n import DEFAULT_LANG, translate
from portal.messaging import MessageSender
from portal.phones import mask
from portal.service_levels import after_quiet_hours
from portal.store import collection_keys
from portal.store.conditions import condition
from portal.store.errors import TransactionCancelled
from portal.store.items import Item, text, whole
from portal.store.table import Put, Table, Update
from portal.tasks.queue import TaskQueue

logger = logging.getLogger(__name__)

BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("d0_30", 1, 30),
    ("d31_90", 31, 90),
    ("d91_180", 91, 180),
    ("d181", 181, None),
)
"""(bucket, first day overdue, last day overdue or ``None``): see the module's table."""
REMIND_EVERY_DAYS = 7
"""At most one reminder per owner in this many days."""
ARREARS_REMINDER = "arrears_reminder"
"""The task kind (see the wiring's list of task kinds)."""
GIVE_UP_AFTER = timedelta(days=1)


def bucket_of(days_overdue: int) -> str | None:
    """The bucket of a bill ``days_overdue`` days past its due date (``None``: not late)."""
    for name, first, last in BUCKETS:
        if days_overdue >= first and (last is None or days_overdue <= last):
            return name
    return None


@dataclass(frozen=True)
class UnitArrears:
    unit_id: str
    building: str
    room: str
    by_bucket: dict[str, int]
    total_fen: int
    oldest_days: int
    bills: tuple[Bill, ...]
    owners: tuple[str, ...] = ()
    """Names and masked phones (``林晓岚 138****1503``)."""


@dataclass(frozen=True)
class ArrearsList:
    estate: str
    today: str
    units: tuple[UnitArrears, ...]

    @property
    def by_bucket(self) -> dict[str, int]:
        return {name: sum(u.by_bucket[name] for u in self.units) for name, _, _ in BUCKETS}

    @property
    def total_fen(self) -> int:
        return sum(u.total_fen for u in self.units)


@dataclass(frozen=True)
class RemindReport:
    sent: tuple[str, ...]
    """Owners a reminder was written for (masked phones)."""
    skipped: tuple[str, ...]
    """Reminded within the last N days (masked phones)."""
    without_phone: int


class Arrears:
    def __init__(self, table: Table, bills: BillRepository, owners: OwnerRepository,
                 tasks: TaskQueue, sender: MessageSender, audit: AuditLog, clock: Clock,
                 time_zone: str) -> None:  # fmt: skip
        self.table, self.bills, self.owners, self.tasks = table, bills, owners, tasks
        self.sender, self.audit, self.clock, self.tz = sender, audit, clock, time_zone

    def today(self) -> date:
        return local_day(self.clock(), zone(self.tz))

    def of_estate(self, identity: Identity | None, estate: str, building: str = "") -> ArrearsList:
        """Every unit with a bill past due, oldest debts first (one query of the arrears index)."""
        if identity is not None:
            policy.require(identity, "arrears.read", Target(estate=estate))
        today = self.today()
        per_unit: dict[tuple[str, str], list[tuple[Bill, int]]] = {}
        for b in self.bills.unpaid_in_estate(estate):
            if building and b.unit.building != building:
                continue
            days = (today - date.fromisoformat(b.due_date)).days if b.due_date else 0
            if b.outstanding_fen > 0 and bucket_of(days) is not None:
                per_unit.setdefault((b.unit.building, b.unit.room), []).append((b, days))
        residents = self._owners(estate)
        units = []
        for (bld, room), found in per_unit.items():
            buckets = {name: 0 for name, _, _ in BUCKETS}
            for b, days in found:
                buckets[bucket_of(days) or ""] += b.outstanding_fen
            units.append(UnitArrears(
                f"{estate}/{bld}/{room}", bld, room, buckets, sum(buckets.values()),
                max(d for _, d in found), tuple(b for b, _ in found),
                tuple(f"{n} {mask(p)}" for n, p in residents.get((bld, room), ()))))  # fmt: skip
        units.sort(key=lambda u: (-u.oldest_days, -u.total_fen, u.unit_id))
        return ArrearsList(estate, today.isoformat(), tuple(units))

    def _owners(self, estate: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
        residents = [
            (o, b) for o, b in self.owners.residents(estate) if b.unit.relationship == "owner"
        ]
        people = self.owners.many(o for o, _ in residents)
        out: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for o, b in residents:
            if o in people:
                out.setdefault((b.unit.building, b.unit.room), []).append(
                    (people[o].name, people[o].phone)
                )
        return out

    # -- reminders (催缴) -------------------------------------------------------------------

    def remind(self, identity: Identity, estate: str, unit_ids: Sequence[str] = (), *,
               source_ip: str = "") -> RemindReport:  # fmt: skip
        """Remind the owners of these units in arrears (all of the estate's when empty)."""
        policy.require(identity, "arrears.remind", Target(estate=estate))
        return self.remind_as(actor(identity.kind, identity.user_id), estate, unit_ids, source_ip)

    def remind_as(self, who: str, estate: str, unit_ids: Sequence[str] = (),
                  source_ip: str = "") -> RemindReport:  # fmt: skip
        if len(unit_ids) > 2000:
            raise InvalidInput("arrears_units_invalid")
        wanted = set(unit_ids)
        units = [u for u in self.of_estate(None, estate).units if not wanted or u.unit_id in wanted]
        owed: dict[str, list[UnitArrears]] = {}
        for u in units:
            for owner, binding in self.owners.of_unit(estate, u.building, u.room):
                if binding.unit.relationship == "owner":
                    owed.setdefault(owner.owner_id, []).append(u)
        people = self.owners.many(owed)
        now = self.clock()
        at, cutoff = iso(now), iso(now - timedelta(days=REMIND_EVERY_DAYS))
        due = after_quiet_hours(now, zone(self.tz))
        sent, skipped, without = [], [], 0
        for owner_id, its in owed.items():
            person = people.get(owner_id)
            if person is None or not person.phone:
                without += 1
                continue
            total = sum(u.total_fen for u in its)
            line = {**collection_keys.reminder(estate, at, owner_id), "type": "arrears_reminder",
                    "owner_id": owner_id, "name": person.name, "phone": person.masked_phone,
                    "units": [u.unit_id for u in its], "total_fen": total, "at": at, "by": who,
                    "due_at": iso(due), "state": "due"}  # fmt: skip
            task = self.tasks.new(ARREARS_REMINDER, {"estate": estate, "at": at, "owner_id": owner_id},
                                  give_up_after=GIVE_UP_AFTER, due_at=due)  # fmt: skip
            last = Update(collection_keys.reminder_last(owner_id), set={"at": at, "estate": estate},
                          condition=condition("reminder_not_recent",
                                              "attribute_not_exists(#a) OR #a <= :cutoff",
                                              names={"#a": "at"}, cutoff=cutoff))  # fmt: skip
            audit = self.audit.entry(Event(who, "arrears.remind", ",".join(u.unit_id for u in its),
                                           source_ip, {"owner": owner_id, "total_fen": total}))  # fmt: skip
            try:
                self.table.transact([last, Put(line), task.put, audit])
            except TransactionCancelled:
                skipped.append(person.masked_phone)
                continue
            self.tasks.dispatch(task)
            sent.append(person.masked_phone)
        return RemindReport(tuple(sent), tuple(skipped), without)

    def deliver(self, payload: Mapping[str, Any]) -> None:
        """The task: send one reminder (in waking hours; marked sent in its history line)."""
        estate, at, owner_id = (str(payload.get(k, "")) for k in ("estate", "at", "owner_id"))
        key = collection_keys.reminder(estate, at, owner_id)
        item = self.table.get(key)
        if item is None or text(item, "state") != "due":
            return
        now = self.clock()
        morning = after_quiet_hours(now, zone(self.tz))
        if morning != now:  # a retry that ran late: again in the morning
            later = self.tasks.new(ARREARS_REMINDER, payload, give_up_after=GIVE_UP_AFTER,
                                   due_at=morning)  # fmt: skip
            self.table.put(later.put.item)
            return
        person = self.owners.many([owner_id]).get(owner_id)
        if person is None or not person.phone:
            self.table.update(key, set={"state": "no_phone"})
            return
        units: Any = item.get("units") or []
        rooms = "、".join(str(u).split("/", 1)[-1].replace("/", "-") for u in units)
        message = translate("collection.arrears.sms", DEFAULT_LANG, name=person.name, units=rooms,
                            amount=yuan(whole(item, "total_fen")))  # fmt: skip
        self.sender.send_sms(person.phone, message)
        self.table.update(key, set={"state": "sent", "sent_at": iso(now)})
        logger.info("arrears reminder sent to %s", person.masked_phone)

    def history(self, identity: Identity, estate: str, limit: int = 200) -> list[Item]:
        """The estate's reminders, newest first (phones masked)."""
        policy.require(identity, "arrears.read", Target(estate=estate))
        return self.table.query_all(collection_keys.reminders(estate), forward=False, limit=limit)
