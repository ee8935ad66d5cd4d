"""The append-only audit log: who did what, when (UTC), from where.

Every sign-in, failed sign-in, role change, import and (later) every state
change of a work order or payment is one event. Events are only ever put with
a condition that the key is new; nothing updates or deletes them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from portal.clock import Clock, iso, system_clock
from portal.phones import mask_text
from portal.store import keys


@dataclass(frozen=True)
class Event:
    actor: str  # "owner:<id>", "staff:<username>", or "anonymous"
    action: str  # e.g. "auth.login", "auth.login_failed", "staff.roles_changed"
    target: str = ""
    source_ip: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class AuditLog:
    def __init__(self, client: Any, table: str, clock: Clock = system_clock) -> None:
        self.client, self.table, self.clock = client, table, clock

    def record(self, event: Event) -> str:
        now = self.clock()
        ts = iso(now)
        event_id = uuid.uuid4().hex
        key = keys.audit_event(ts[:10], ts, event_id)
        item: dict[str, Any] = {
            **{k: {"S": v} for k, v in key.items()},
            "gsi1pk": {"S": keys.audit_actor_index(event.actor)},
            "gsi1sk": {"S": f"{ts}#{event_id}"},
            "at": {"S": ts},
            "actor": {"S": event.actor},
            "action": {"S": event.action},
            "target": {"S": mask_text(event.target)},
            "source_ip": {"S": event.source_ip or "-"},
            # Details never carry a readable phone number.
            "details": {
                "S": mask_text(json.dumps(event.details, ensure_ascii=False, sort_keys=True))
            },
        }
        self.client.put_item(
            TableName=self.table,
            Item=item,
            ConditionExpression="attribute_not_exists(pk)",  # audit_event_is_new
        )
        return event_id

    def day(self, day: str) -> list[dict[str, str]]:
        """Events of one UTC day (``YYYY-MM-DD``), oldest first."""
        out: list[dict[str, str]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.audit_event(day, "", "")["pk"]}},
        }
        while True:
            page = self.client.query(**kwargs)
            for it in page["Items"]:
                out.append({k: v["S"] for k, v in it.items() if "S" in v})
            if "LastEvaluatedKey" not in page:
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
