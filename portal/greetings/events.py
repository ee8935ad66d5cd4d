"""Community events (社区活动) of an estate and the households signed up for them: the
smallest sign-up there is, so that owners can be reminded of what they signed up for.

The month's campaign files list the events (:mod:`portal.site.model`); :func:`register_all`
records them per estate for the API (id ``<yyyy-mm>-<n>``, the campaign's month and the
event's place in its list), as ``portal seed`` does. An owner signs their household (one of
their units in that estate) up, once; signing up again changes nothing. Audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from portal.accounts import policy
from portal.accounts.audit import AuditLog, Event, actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.clock import Clock, iso, parse_iso
from portal.errors import NotFound
from portal.site.model import Campaign
from portal.store import owner_keys
from portal.store.conditions import ITEM_IS_NEW
from portal.store.errors import TransactionCancelled
from portal.store.items import Item, text
from portal.store.table import Put, Table


@dataclass(frozen=True)
class CommunityEvent:
    estate: str
    event: str  # <yyyy-mm>-<n>
    title_zh: str
    title_en: str
    start: str  # UTC ISO-8601
    end: str
    location: str


@dataclass(frozen=True)
class Signup:
    owner_id: str
    building: str
    room: str
    at: str


def _event_of(item: Item) -> CommunityEvent:
    return CommunityEvent(*(text(item, k) for k in ("estate", "event", "title_zh", "title_en",
                                                   "start", "end", "location")))  # fmt: skip


def campaign_events(campaigns: Iterable[Campaign], estates: Iterable[str]) -> list[CommunityEvent]:
    slugs = list(estates)
    return [
        CommunityEvent(estate, f"{c.key}-{i + 1}", e.title.zh, e.title.en or "", iso(e.start),
                       iso(e.end), e.location.zh)
        for c in campaigns for i, e in enumerate(c.events) for estate in slugs
    ]  # fmt: skip


def register_all(events: CommunityEvents, content_dir: Path, now: datetime) -> int:
    """Record the events of the content's campaigns (this year's and dated ones) for every
    estate; returns how many (idempotent)."""
    from portal.acknowledgements.sync import content_model

    model = content_model(content_dir, now, ("campaigns/",))
    if model is None:
        return 0
    campaigns = [c for year in model.campaigns.values() for c in year.values()]
    found = campaign_events(campaigns, (e.slug for e in model.company.estates))
    for e in found:
        events.register(e)
    return len(found)


class CommunityEvents:
    def __init__(self, table: Table, audit: AuditLog, clock: Clock) -> None:
        self.table, self.audit, self.clock = table, audit, clock

    def register(self, e: CommunityEvent) -> None:
        self.table.put({**owner_keys.community_event(e.estate, e.event), "estate": e.estate,
                        "event": e.event, "title_zh": e.title_zh, "title_en": e.title_en,
                        "start": e.start, "end": e.end, "location": e.location})  # fmt: skip

    def of_estate(self, estate: str) -> list[CommunityEvent]:
        return [_event_of(i) for i in self.table.query_all(owner_keys.community_events(estate))]

    def upcoming(self, estate: str, now: datetime) -> list[CommunityEvent]:
        return sorted((e for e in self.of_estate(estate) if parse_iso(e.end) > now),
                      key=lambda e: e.start)  # fmt: skip

    def signups(self, estate: str, event: str) -> list[Signup]:
        return [Signup(text(i, "sk"), text(i, "building"), text(i, "room"), text(i, "at"))
                for i in self.table.query_all(owner_keys.event_signups(estate, event))]  # fmt: skip

    def mine(self, who: Identity) -> list[tuple[CommunityEvent, bool]]:
        """The events still to come of the owner's estates, and whether they signed up."""
        policy.require(who, "event.signup", Target(owner_id=who.user_id))
        now = self.clock()
        events = [e for estate in sorted({u.estate for u in who.units})
                  for e in self.upcoming(estate, now)]  # fmt: skip
        got = {str(i["pk"]) for i in self.table.batch_get(
            [owner_keys.event_signup(e.estate, e.event, who.user_id) for e in events])}  # fmt: skip
        return [(e, owner_keys.event_signups(e.estate, e.event) in got) for e in events]

    def sign_up(self, who: Identity, estate: str, event: str, building: str, room: str,
                source_ip: str = "") -> CommunityEvent:  # fmt: skip
        policy.require(who, "event.signup", Target(estate, building, room))
        item = self.table.get(owner_keys.community_event(estate, event))
        if item is None or parse_iso(text(item, "end")) <= self.clock():
            raise NotFound("event_not_found")
        signup = {**owner_keys.event_signup(estate, event, who.user_id), "building": building,
                  "room": room, "at": iso(self.clock())}  # fmt: skip
        audit = self.audit.entry(Event(actor("owner", who.user_id), "event.signup",
                                       f"{estate}/{event}", source_ip,
                                       {"unit": f"{estate}/{building}/{room}"}))  # fmt: skip
        try:
            self.table.transact([Put(signup, ITEM_IS_NEW), audit])
        except TransactionCancelled as exc:
            if exc.reasons[:1] != (TransactionCancelled.CHECK_FAILED,):
                raise
        return _event_of(item)
