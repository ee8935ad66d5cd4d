"""The daily greetings-and-reminders job, and the task that sends one message.

The job (``portal jobs run greetings``; daily in :mod:`portal.jobs`) looks at today and
tomorrow in each estate's time zone (so a run late in the evening still greets on the
day), asks :mod:`.occasions` what falls on them, leaves out owners who opted out
(:mod:`.preferences`), and for each message writes, in one transaction, a marker
``GREETED#<owner>`` / ``<occasion>`` (only if new: once per owner per occasion, however
often the job runs) and a task due at :data:`SEND_HOUR` on the day, never in the quiet
hours (:func:`portal.service_levels.after_quiet_hours`).

The task reads the marker, checks the quiet hours and the owner's choice again (an opt-out
after planning still wins), sends through the message sender (SNS, or the local outbox) and
marks it ``sent`` (or ``opted_out``). Logs carry masked phones only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from portal.accounts.owners import OwnerRepository, owner_id_for
from portal.billing.bills import BillRepository
from portal.billing.model import due_date
from portal.billing.money import yuan
from portal.clock import Clock, iso, local_day, parse_iso
from portal.estates.directory import EstateDirectory
from portal.estates.model import Estate
from portal.greetings import occasions
from portal.greetings.events import CommunityEvents
from portal.greetings.occasions import DueBill, Message, Person
from portal.greetings.preferences import MessagePreferences
from portal.i18n import DEFAULT_LANG, translate
from portal.messaging import MessageSender
from portal.phones import mask
from portal.profiles.repository import ProfileRepository
from portal.service_levels import after_quiet_hours
from portal.store import owner_keys
from portal.store.conditions import ITEM_IS_NEW
from portal.store.errors import TransactionCancelled
from portal.store.items import text
from portal.store.table import Put, Table
from portal.tasks.queue import TaskQueue

logger = logging.getLogger(__name__)

GREETING = "greeting"
"""The task kind (see the wiring's list of task kinds)."""
SEND_HOUR = 9
"""Greetings and reminders go from 09:00 local on their day (never in the quiet hours)."""
GIVE_UP_AFTER = timedelta(hours=12)


@dataclass
class JobReport:
    planned: dict[str, int] = field(default_factory=dict)  # occasion → messages planned
    already: int = 0  # planned by an earlier run
    opted_out: int = 0


def unit_words(building: str, room: str) -> str:
    """``2``, ``1-1503`` → ``2栋1单元1503室`` (as owners write their address)."""
    entrance, _, number = room.partition("-")
    return f"{building}栋{entrance}单元{number}室" if number else f"{building}栋{room}室"


class GreetingJob:
    def __init__(self, table: Table, owners: OwnerRepository, profiles: ProfileRepository,
                 bills: BillRepository, events: CommunityEvents, preferences: MessagePreferences,
                 estates: EstateDirectory, tasks: TaskQueue, sender: MessageSender,
                 clock: Clock, phone_key: bytes) -> None:  # fmt: skip
        self.table, self.owners, self.profiles, self.bills = table, owners, profiles, bills
        self.events, self.preferences, self.estates = events, preferences, estates
        self.tasks, self.sender, self.clock, self.phone_key = tasks, sender, clock, phone_key

    # -- the job --------------------------------------------------------------------------

    def run(self) -> JobReport:
        report = JobReport()
        now = self.clock()
        for estate in self.estates.company().estates:
            today = local_day(now, estate.tz)
            for day in (today, today + timedelta(days=1)):
                for m in self.plan(estate, day):
                    self._schedule(estate, m, now, report)
        return report

    def plan(self, estate: Estate, day: date) -> list[Message]:
        """Every message of ``day`` in ``estate``, before opt-outs and markers."""
        bound = self.owners.residents(estate.slug)
        people = {o.owner_id: Person(o.owner_id, o.name, o.phone)
                  for o in self.owners.many([o for o, _ in bound]).values() if o.phone}  # fmt: skip
        by_unit: dict[tuple[str, str], list[Person]] = {}
        for owner_id, b in bound:
            if owner_id in people:
                by_unit.setdefault((b.unit.building, b.unit.room), []).append(people[owner_id])
        members = [(Person(owner_id_for(m.phone, self.phone_key), m.name, m.phone), m.birthday)
                   for p in self.profiles.of_estate(estate.slug).values()
                   for m in p.members if m.phone and m.birthday]  # fmt: skip
        unpaid = [DueBill(b.unit.estate, b.unit.building, b.unit.room, b.period,
                          date.fromisoformat(b.due_date) if b.due_date else due_date(b.period),
                          b.outstanding_fen) for b in self.bills.unpaid_in_estate(estate.slug)]  # fmt: skip
        upcoming = [(e, local_day(parse_iso(e.start), estate.tz),
                     self.events.signups(estate.slug, e.event))
                    for e in self.events.upcoming(estate.slug, self.clock())]  # fmt: skip
        return [*occasions.festivals(day, people.values()), *occasions.birthdays(day, members),
                *occasions.bills_due(day, unpaid, by_unit),
                *occasions.events(day, upcoming, people)]  # fmt: skip

    def _schedule(self, estate: Estate, m: Message, now: datetime, report: JobReport) -> None:
        if not self.preferences.of(m.person.owner_id).allows(m.kind):
            report.opted_out += 1
            return
        morning = datetime.combine(m.day, time(SEND_HOUR), estate.tz)
        due = max(after_quiet_hours(now, estate.tz), morning)
        marker = {**owner_keys.occasion_sent(m.person.owner_id, m.marker), "state": "due",
                  "occasion": m.occasion, "kind": m.kind, "estate": estate.slug,
                  "day": m.day.isoformat(), "phone": m.person.phone, "name": m.person.name,
                  "text_key": m.text_key, "params": dict(m.params), "due_at": iso(due),
                  "created_at": iso(now)}  # fmt: skip
        task = self.tasks.new(GREETING, {"owner_id": m.person.owner_id, "marker": m.marker},
                              give_up_after=GIVE_UP_AFTER, due_at=due)  # fmt: skip
        try:
            self.table.transact([Put(marker, ITEM_IS_NEW), task.put])
        except TransactionCancelled as exc:
            if exc.reasons[:1] != (TransactionCancelled.CHECK_FAILED,):
                raise
            report.already += 1
            return
        self.tasks.dispatch(task)
        report.planned[m.occasion] = report.planned.get(m.occasion, 0) + 1

    # -- the task -------------------------------------------------------------------------

    def deliver(self, payload: Mapping[str, Any]) -> None:
        owner_id, marker = str(payload.get("owner_id", "")), str(payload.get("marker", ""))
        key = owner_keys.occasion_sent(owner_id, marker)
        item = self.table.get(key)
        if item is None or text(item, "state") != "due":
            return
        now = self.clock()
        tz = self.estates.estate(text(item, "estate")).tz
        morning = after_quiet_hours(now, tz)
        if morning != now:  # a retry that ran late: again in the morning
            later = self.tasks.new(GREETING, payload, give_up_after=GIVE_UP_AFTER, due_at=morning)
            self.table.put(later.put.item)
            return
        kind = text(item, "kind")
        if not self.preferences.of(owner_id).allows("greetings" if kind == "greetings" else "reminders"):
            self.table.update(key, set={"state": "opted_out", "checked_at": iso(now)})
            return
        phone = text(item, "phone")
        self.sender.send_sms(phone, self._text(item, tz))
        self.table.update(key, set={"state": "sent", "sent_at": iso(now)})
        logger.info("%s sent to %s", text(item, "occasion"), mask(phone))

    def _text(self, item: Mapping[str, Any], tz: Any) -> str:
        raw = item.get("params")
        params: dict[str, str] = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
        words = {"name": text(item, "name"), "company": self.estates.company().name.zh}
        if "fen" in params:
            due = date.fromisoformat(params["due"])
            words |= {"unit": unit_words(params["building"], params["room"]),
                      "period": params["period"], "amount": yuan(int(params["fen"])),
                      "due": f"{due.month}月{due.day}日"}  # fmt: skip
        if "start" in params:
            start = parse_iso(params["start"]).astimezone(tz)
            words |= {"title": params["title"], "location": params["location"],
                      "when": f"{start.month}月{start.day}日 {start:%H:%M}"}
        return translate(text(item, "text_key"), DEFAULT_LANG, **words)
