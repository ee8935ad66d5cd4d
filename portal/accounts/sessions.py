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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from portal.accounts.identity import Kind
from portal.clock import Clock, iso, parse_iso, system_clock
from portal.store import keys
from portal.store.conditions import is_condition_failure

IDLE_TIMEOUT: dict[Kind, timedelta] = {"owner": timedelta(days=30), "staff": timedelta(hours=12)}
ABSOLUTE_TIMEOUT: dict[Kind, timedelta] = {"owner": timedelta(days=180), "staff": timedelta(days=3)}
TOUCH_EVERY = timedelta(minutes=5)
TOKEN_BYTES = 32


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
    def __init__(self, client: Any, table: str, clock: Clock = system_clock) -> None:
        self.client, self.table, self.clock = client, table, clock

    def _item(self, s: Session) -> dict[str, Any]:
        return {
            **{k: {"S": v} for k, v in keys.session(s.token_hash).items()},
            "gsi1pk": {"S": keys.user_sessions(s.kind, s.user_id)},
            "gsi1sk": {"S": iso(s.created_at)},
            "kind": {"S": s.kind},
            "user_id": {"S": s.user_id},
            "csrf_token": {"S": s.csrf_token},
            "created_at": {"S": iso(s.created_at)},
            "last_seen": {"S": iso(s.last_seen)},
            "absolute_expires": {"S": iso(s.absolute_expires)},
            "expires_at": {"N": str(int(s.expires().timestamp()))},
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
        self.client.put_item(
            TableName=self.table,
            Item=self._item(s),
            ConditionExpression="attribute_not_exists(pk)",  # session_token_is_new
        )
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
        got = self.client.get_item(TableName=self.table, Key=_key(h), ConsistentRead=True)
        item = got.get("Item")
        if not item:
            return None
        kind: Kind = "owner" if item["kind"]["S"] == "owner" else "staff"
        s = Session(
            token_hash=h,
            kind=kind,
            user_id=item["user_id"]["S"],
            csrf_token=item["csrf_token"]["S"],
            created_at=parse_iso(item["created_at"]["S"]),
            last_seen=parse_iso(item["last_seen"]["S"]),
            absolute_expires=parse_iso(item["absolute_expires"]["S"]),
        )
        now = self.clock()
        if now >= s.expires():
            self._delete(h)
            return None
        if now - s.last_seen >= TOUCH_EVERY:
            s = Session(**{**s.__dict__, "last_seen": now})
            try:
                self.client.update_item(
                    TableName=self.table,
                    Key=_key(h),
                    UpdateExpression="SET last_seen = :seen, expires_at = :ttl",
                    ConditionExpression="attribute_exists(pk)",  # session_still_exists
                    ExpressionAttributeValues={
                        ":seen": {"S": iso(now)},
                        ":ttl": {"N": str(int(s.expires().timestamp()))},
                    },
                )
            except ClientError as exc:
                if is_condition_failure(exc):
                    return None  # revoked meanwhile
                raise
        return s

    def revoke(self, token: str) -> None:
        self._delete(token_hash(token))

    def revoke_all(self, kind: Kind, user_id: str, keep: str | None = None) -> int:
        """End every session of a user (but ``keep``, a token hash); returns how many ended.

        Used when a password changes or is reset and when an account is disabled,
        so a stolen or forgotten session does not outlive the credential.
        """
        ended = 0
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :u",
            "ExpressionAttributeValues": {":u": {"S": keys.user_sessions(kind, user_id)}},
            "ProjectionExpression": "pk, sk",
        }
        while True:
            page = self.client.query(**kwargs)
            for item in page["Items"]:
                h = item["pk"]["S"].split("#", 1)[1]
                if h != keep:
                    self._delete(h)
                    ended += 1
            if "LastEvaluatedKey" not in page:
                return ended
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _delete(self, h: str) -> None:
        self.client.delete_item(TableName=self.table, Key=_key(h))


def _key(h: str) -> dict[str, Any]:
    return {k: {"S": v} for k, v in keys.session(h).items()}
