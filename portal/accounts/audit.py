"""The append-only audit log: who did what, when (UTC), from where.

Every sign-in, failed sign-in, role change, import and (later) every state
change of a work order or payment is one event. Events are only ever put with
the condition ``item_is_new``; nothing updates or deletes them.

Actors are written one way, by :func:`actor`: ``owner:<id>``, ``staff:<username>``,
``cli:<os user>@<host>``, or :data:`ANONYMOUS`.
"""

from __future__ import annotations

import getpass
import json
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from portal.clock import Clock, iso, system_clock
from portal.phones import mask_text
from portal.store import keys
from portal.store.conditions import ITEM_IS_NEW
from portal.store.items import text
from portal.store.table import Put, Table

ANONYMOUS = "anonymous"
"""The actor of an attempt by someone not (yet) signed in."""

ActorKind = Literal["owner", "staff", "cli"]


def actor(kind: ActorKind, who: str) -> str:
    """The audit actor for a user of ``kind`` (``staff:wang``, ``owner:<id>``, ``cli:root@host``)."""
    return f"{kind}:{who}"


def cli_actor() -> str:
    """The actor of a change made on the command line: the OS user at the host."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return actor("cli", f"{user}@{socket.gethostname()}")


@dataclass(frozen=True)
class Event:
    actor: str  # see actor(): "owner:<id>", "staff:<username>", "cli:<user>@<host>", "anonymous"
    action: str  # e.g. "auth.login", "auth.login_failed", "staff.roles_changed"
    target: str = ""
    source_ip: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class AuditLog:
    def __init__(self, table: Table, clock: Clock = system_clock) -> None:
        self.table, self.clock = table, clock

    def record(self, event: Event) -> str:
        put = self.entry(event)
        self.table.put_new(put.item)
        return str(put.item["event_id"])

    def entry(self, event: Event) -> Put:
        """The event as a ``Put`` (``item_is_new``) to write in the caller's own transaction:
        the change and its audit line are written together or not at all."""
        ts = iso(self.clock())
        event_id = uuid.uuid4().hex
        return Put(
            {
                **keys.audit_event(ts[:10], ts, event_id),
                **keys.audit_actor(event.actor, ts, event_id),
                "at": ts,
                "actor": event.actor,
                "action": event.action,
                "target": mask_text(event.target),
                "source_ip": event.source_ip or "-",
                # Details never carry a readable phone number.
                "details": mask_text(json.dumps(event.details, ensure_ascii=False, sort_keys=True)),
                "event_id": event_id,
            },
            ITEM_IS_NEW,
        )

    def day(self, day: str) -> list[dict[str, str]]:
        """Events of one UTC day (``YYYY-MM-DD``), oldest first."""
        return [
            {k: text(item, k) for k, v in item.items() if isinstance(v, str)}
            for item in self.table.query_all(keys.audit_day(day))
        ]
