"""Server-side sessions in DynamoDB.

The browser holds only a random token (256 bits); the table holds its SHA-256,
so a leaked table yields no usable session. A session ends at whichever comes
first: its idle timeout (extended as it is used, at most every few minutes to
save writes) or its absolute timeout. DynamoDB's TTL removes expired items;
reads check the times themselves because TTL deletion is lazy. Logout deletes
the item, so a copied cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from portal.accounts.identity import Kind
from portal.clock import Clock, iso, parse_iso, system_clock
from portal.store import keys
from portal.store.conditions import condition
from portal.store.errors import ConditionFailed
from portal.store.items import text
from portal.store.table import Table
from portal.store.tables import GSI1, TTL_ATTRIBUTE

IDLE_TIMEOUT: dict[Kind, timedelta] = {"owner": timedelta(days=30), "staff": timedelta(hours=12)}
ABSOLUTE_TIMEOUT: dict[Kind, timedelta] = {"owner": timedelta(days=180), "staff": timedelta(days=3)}
TOUCH_EVERY = timedelta(minutes=5)
TOKEN_BYTES = 32
SESSION_STILL_EXISTS = condition("session_still_exists", "attribute_exists(pk)")
"""A session is only touched while it exists: a revoked one is not brought back."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    token_hash: str
    kind: Kind
    user_id: str
    csrf_token: str
    created_at: datetime
    last_seen: datetime
    absolute_expires: datetime

    @property
    def idle_expires(self) -> datetime:
        return self.last_seen + IDLE_TIMEOUT[self.kind]

    def expires(self) -> datetime:
        return min(self.idle_expires, self.absolute_expires)


class SessionStore:
    def __init__(self, table: Table, clock: Clock = system_clock) -> None:
        self.table, self.clock = table, clock

    def _item(self, s: Session) -> dict[str, Any]:
        return {
            **keys.session(s.token_hash),
            **keys.user_session_index(s.kind, s.user_id, iso(s.created_at)),
            "kind": s.kind,
            "user_id": s.user_id,
            "csrf_token": s.csrf_token,
            "created_at": iso(s.created_at),
            "last_seen": iso(s.last_seen),
            "absolute_expires": iso(s.absolute_expires),
            TTL_ATTRIBUTE: int(s.expires().timestamp()),
        }

    def create(self, kind: Kind, user_id: str) -> tuple[str, Session]:
        """A new session; returns the token for the cookie (never stored) and the session."""
        now = self.clock()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        s = Session(
            token_hash=token_hash(token),
            kind=kind,
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(24),
            created_at=now,
            last_seen=now,
            absolute_expires=now + ABSOLUTE_TIMEOUT[kind],
        )
        self.table.put_new(self._item(s))
        return token, s

    def rotate(self, old_token: str | None, kind: Kind, user_id: str) -> tuple[str, Session]:
        """At login: end the old session (if any) and start a new one (no session fixation)."""
        if old_token:
            self.revoke(old_token)
        return self.create(kind, user_id)

    def load(self, token: str) -> Session | None:
        """The live session for a token, extending its idle timeout; ``None`` if unknown/expired."""
        if not token or len(token) > 100:
            return None
        h = token_hash(token)
        item = self.table.get(keys.session(h))
        if not item:
            return None
        kind: Kind = "owner" if item["kind"] == "owner" else "staff"
        s = Session(
            token_hash=h,
            kind=kind,
            user_id=text(item, "user_id"),
            csrf_token=text(item, "csrf_token"),
            created_at=parse_iso(text(item, "created_at")),
            last_seen=parse_iso(text(item, "last_seen")),
            absolute_expires=parse_iso(text(item, "absolute_expires")),
        )
        now = self.clock()
        if now >= s.expires():
            self.table.delete(keys.session(h))
            return None
        if now - s.last_seen >= TOUCH_EVERY:
            s = replace(s, last_seen=now)
            try:
                self.table.update(
                    keys.session(h),
                    set={"last_seen": iso(now), TTL_ATTRIBUTE: int(s.expires().timestamp())},
                    condition=SESSION_STILL_EXISTS,
                )
            except ConditionFailed:
                return None  # revoked meanwhile
        return s

    def revoke(self, token: str) -> None:
        self.table.delete(keys.session(token_hash(token)))

    def revoke_all(self, kind: Kind, user_id: str, keep: str | None = None) -> int:
        """End every session of a user (but ``keep``, a token hash); returns how many ended.

        Used when a password changes or is reset and when an account is disabled,
        so a stolen or forgotten session does not outlive the credential.
        """
        ended = 0
        for item in self.table.iter_query(
            keys.user_sessions(kind, user_id), index=GSI1, attributes=("pk", "sk")
        ):
            h = keys.session_hash_of(item["pk"])
            if h != keep:
                self.table.delete(keys.session(h))
                ended += 1
        return ended
