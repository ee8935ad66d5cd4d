"""What an owner agreed to receive: festival and birthday greetings, reminders (bills due,
events they signed up for). Both on until the owner turns one off.

Only the owner changes their own (``message.preferences``: owners only, on themselves); no
staff route writes them, and the daily job and the task that sends re-read them, so an
opt-out wins even over a message already planned. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from portal.accounts import policy
from portal.accounts.audit import AuditLog, Event, actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.clock import Clock, iso
from portal.store import owner_keys
from portal.store.items import Item
from portal.store.table import Put, Table

Kind = Literal["greetings", "reminders"]
KINDS: tuple[Kind, ...] = ("greetings", "reminders")


@dataclass(frozen=True)
class Preferences:
    greetings: bool = True
    reminders: bool = True
    updated_at: str = ""

    def allows(self, kind: Kind) -> bool:
        return self.greetings if kind == "greetings" else self.reminders


def _of(item: Item | None) -> Preferences:
    if item is None:
        return Preferences()
    return Preferences(item.get("greetings") is not False, item.get("reminders") is not False,
                       str(item.get("updated_at", "")))  # fmt: skip


class MessagePreferences:
    def __init__(self, table: Table, audit: AuditLog, clock: Clock) -> None:
        self.table, self.audit, self.clock = table, audit, clock

    def of(self, owner_id: str) -> Preferences:
        return _of(self.table.get(owner_keys.message_preferences(owner_id)))

    def many(self, owner_ids: list[str]) -> dict[str, Preferences]:
        got = self.table.batch_get([owner_keys.message_preferences(o) for o in dict.fromkeys(owner_ids)])
        found = {str(i["pk"]).split("#", 1)[1]: _of(i) for i in got}
        return {o: found.get(o, Preferences()) for o in owner_ids}

    def read(self, who: Identity) -> Preferences:
        policy.require(who, "message.preferences", Target(owner_id=who.user_id))
        return self.of(who.user_id)

    def change(self, who: Identity, greetings: bool, reminders: bool,
               source_ip: str = "") -> Preferences:  # fmt: skip
        """The owner's own choice (an owner only: staff cannot change it)."""
        policy.require(who, "message.preferences", Target(owner_id=who.user_id))
        now = iso(self.clock())
        item = {**owner_keys.message_preferences(who.user_id), "greetings": greetings,
                "reminders": reminders, "updated_at": now}  # fmt: skip
        audit = self.audit.entry(Event(actor("owner", who.user_id), "messages.preferences",
                                       who.user_id, source_ip,
                                       {"greetings": greetings, "reminders": reminders}))  # fmt: skip
        self.table.transact([Put(item), audit])
        return Preferences(greetings, reminders, now)
