"""Which greetings and reminders fall on a local day (pure: the job reads, this decides).

==============  ============  ==========================================  ======================
occasion        kind          who, when                                   once per owner per
==============  ============  ==========================================  ======================
festival        greetings     every resident, on 春节 / 元宵节 / 中秋节     festival and year
birthday        greetings     a family member recorded with a birthday    year
                              and a phone, on the day (29 Feb: 28 Feb in
                              other years)
bill_due        reminders     the residents of a unit with an unpaid      unit and period
                              bill, :data:`BILL_DAYS_BEFORE` days before
                              it falls due
event           reminders     whoever signed up, the day before the       event
                              event
==============  ============  ==========================================  ======================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from portal.greetings.calendar import festival_on
from portal.greetings.events import CommunityEvent, Signup
from portal.greetings.preferences import Kind

BILL_DAYS_BEFORE = 3
"""A due-bill reminder goes this many days before the bills fall due."""
Occasion = Literal["festival", "birthday", "bill_due", "event"]
KIND_OF: dict[Occasion, Kind] = {"festival": "greetings", "birthday": "greetings",
                                 "bill_due": "reminders", "event": "reminders"}  # fmt: skip


@dataclass(frozen=True)
class Person:
    owner_id: str  # the phone's owner id (an owner, or a family member's number)
    name: str
    phone: str


@dataclass(frozen=True)
class Message:
    occasion: Occasion
    marker: str  # once per owner: ``festival:mid_autumn:2027``, ``bill:lanting/2/1-1503:2026-11``
    person: Person
    day: date  # the local day it is for (sent from the morning of that day)
    text_key: str  # greetings.<...>
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> Kind:
        return KIND_OF[self.occasion]


def festivals(day: date, people: Iterable[Person]) -> list[Message]:
    name = festival_on(day)
    if name is None:
        return []
    return [Message("festival", f"festival:{name}:{day.year}", p, day,
                    f"greetings.festival.{name}") for p in people]  # fmt: skip


def is_birthday(birthday: str, day: date) -> bool:
    try:
        born = date.fromisoformat(birthday)
    except ValueError:
        return False
    if (born.month, born.day) == (2, 29) and not _leap(day.year):
        return (day.month, day.day) == (2, 28)
    return (born.month, born.day) == (day.month, day.day) and born <= day


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def birthdays(day: date, members: Iterable[tuple[Person, str]]) -> list[Message]:
    """``members``: (the person, their recorded birthday)."""
    return [Message("birthday", f"birthday:{day.year}", p, day, "greetings.birthday")
            for p, born in members if is_birthday(born, day)]  # fmt: skip


@dataclass(frozen=True)
class DueBill:
    estate: str
    building: str
    room: str
    period: str
    due: date
    outstanding_fen: int


def bills_due(day: date, bills: Iterable[DueBill],
              residents: Mapping[tuple[str, str], Sequence[Person]]) -> list[Message]:  # fmt: skip
    """One reminder per resident of each unit whose bills of a period fall due
    :data:`BILL_DAYS_BEFORE` days after ``day`` (the unit's outstanding total of that period)."""
    totals: dict[tuple[str, str, str, str], tuple[date, int]] = {}
    for b in bills:
        if b.due - timedelta(days=BILL_DAYS_BEFORE) != day or b.outstanding_fen <= 0:
            continue
        k = (b.estate, b.building, b.room, b.period)
        totals[k] = (b.due, totals.get(k, (b.due, 0))[1] + b.outstanding_fen)
    out = []
    for (estate, building, room, period), (due, fen) in sorted(totals.items()):
        for p in residents.get((building, room), ()):
            out.append(Message("bill_due", f"bill:{estate}/{building}/{room}:{period}", p, day,
                               "greetings.bill_due",
                               {"building": building, "room": room, "period": period,
                                "due": due.isoformat(), "fen": str(fen)}))  # fmt: skip
    return out


def events(day: date, upcoming: Iterable[tuple[CommunityEvent, date, Sequence[Signup]]],
           people: Mapping[str, Person]) -> list[Message]:  # fmt: skip
    """``upcoming``: (event, its local start day, who signed up); reminded the day before."""
    return [
        Message("event", f"event:{e.estate}/{e.event}", people[s.owner_id], day, "greetings.event",
                {"title": e.title_zh, "start": e.start, "location": e.location})
        for e, starts, signed in upcoming if starts - timedelta(days=1) == day
        for s in signed if s.owner_id in people
    ]  # fmt: skip
