"""Staff, finance and admin sign in with a username and password (密码登录).

Sign-in (:meth:`StaffSignInService.login`)
    Every attempt first takes a slot in the failure counter of the username's
    current 15-minute window (:class:`LoginThrottle`, one atomic conditional
    update in DynamoDB, so the limit holds across Lambda instances and
    concurrent requests): after :data:`MAX_FAILURES` (5) failures the account is
    locked until the window ends, even for the right password. A successful
    sign-in clears the counter. Unknown usernames, disabled accounts and wrong
    passwords take the same path (a password is always verified, against a
    dummy hash when there is no account) and get the same answer,
    ``Unauthenticated("login_failed")``, so the answer does not tell which
    usernames exist.
Own password (:meth:`StaffSignInService.change_own_password`)
    The old password is required; every other session of the person ends.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import timedelta
from typing import Any

from portal.accounts import passwords
from portal.accounts.audit import ANONYMOUS, AuditLog, Event, actor
from portal.accounts.sessions import SessionStore
from portal.accounts.staff.model import StaffAccount
from portal.accounts.staff.repository import StaffRepository
from portal.accounts.staff.validation import normalise_username
from portal.clock import Clock, iso
from portal.errors import Conflict, Forbidden, RateLimited, Unauthenticated
from portal.store.counters import WindowCounter

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
UNKNOWN_ACCOUNT = "(unknown)"
"""The audit target's name when a sign-in names no account: what was typed is never stored."""


def username_hash(username: str, key: bytes) -> str:
    """A keyed hash of a typed username: the same text gives the same value, which reveals
    nothing of the text (lets an auditor see repeated attempts without storing them)."""
    return hmac.new(key, f"staff-login:{username}".encode(), hashlib.sha256).hexdigest()[:16]


class LoginThrottle:
    """Failed password attempts per username in fixed 15-minute windows.

    :meth:`take_attempt` counts an attempt *before* the password is verified
    (an atomic counter, :class:`~portal.store.counters.WindowCounter`), so
    concurrent requests on any number of Lambda instances cannot get more than
    :data:`MAX_FAILURES` guesses in a window; :meth:`clear` (after a success or a
    reset) forgets them.
    """

    SCOPE = "staff_login"

    def __init__(self, counter: WindowCounter, key: bytes) -> None:
        self.counter, self.key = counter, key

    def _subject(self, username: str) -> str:
        # Whatever was typed as a username (a password in the wrong field...) never becomes a key.
        return username_hash(username, self.key)

    def take_attempt(self, username: str) -> None:
        """Count one attempt; ``RateLimited("login_locked")`` when the window's limit is reached."""
        self.counter.take(self.SCOPE, self._subject(username), MAX_FAILURES, FAILURE_WINDOW,
                          "login_locked")  # fmt: skip

    def clear(self, username: str) -> None:
        self.counter.clear(self.SCOPE, self._subject(username), FAILURE_WINDOW)

    def failures(self, username: str) -> int:
        return self.counter.count(self.SCOPE, self._subject(username), FAILURE_WINDOW)


class StaffSignInService:
    """Password sign-in and own password change of staff accounts."""

    def __init__(
        self,
        repo: StaffRepository,
        throttle: LoginThrottle,
        sessions: SessionStore,
        audit: AuditLog,
        hashing: passwords.PasswordHashing,
        key: bytes,
        clock: Clock,
    ) -> None:
        self.repo, self.throttle, self.sessions = repo, throttle, sessions
        self.audit, self.hashing, self.key, self.clock = audit, hashing, key, clock

    def _record(self, who: str, action: str, target: str, ip: str, **details: Any) -> None:
        self.audit.record(Event(who, action, target, ip, details))

    def login(self, username: str, password: str, source_ip: str = "") -> StaffAccount:
        """The account for a correct username and password; else ``login_failed``/``login_locked``."""
        name = normalise_username(username)[:64]
        try:
            self.throttle.take_attempt(name)
        except RateLimited:
            target, who = self._target(name, self.repo.get(name))
            self._record(ANONYMOUS, "auth.login_failed", target, source_ip, reason="locked", **who)
            raise
        account = self.repo.get(name)
        target, who = self._target(name, account)
        result = self.hashing.verify(account.password_hash if account else None, password)
        if account is None or not result.ok or account.disabled:
            reason = (
                "unknown_user"
                if account is None
                else ("wrong_password" if not result.ok else "disabled")
            )
            self._record(ANONYMOUS, "auth.login_failed", target, source_ip, reason=reason, **who)
            raise Unauthenticated("login_failed")
        self.throttle.clear(name)
        rehashed = False
        if result.needs_rehash:
            new_hash = self.hashing.hash(password)
            rehashed = self.repo.replace_hash(name, account.password_hash, new_hash)
            if rehashed:
                account = replace(account, password_hash=new_hash)
        self._record(target, "auth.login", target, source_ip, kind="staff", rehashed=rehashed)
        return account

    def _target(self, name: str, account: StaffAccount | None) -> tuple[str, dict[str, str]]:
        """The audit target of a sign-in: the account, or for a name that is none, a keyed
        hash of what was typed (never the text: it may be a password or control characters)."""
        if account is not None:
            return actor("staff", account.username), {}
        return actor("staff", UNKNOWN_ACCOUNT), {"username_hash": username_hash(name, self.key)}

    def change_own_password(
        self,
        username: str,
        old_password: str,
        new_password: str,
        source_ip: str = "",
        keep_session: str | None = None,
    ) -> StaffAccount:
        """A signed-in staff member replaces their password (the old one is required).

        Every other session of theirs ends; ``keep_session`` (a token hash) survives.
        """
        target = actor("staff", username)
        passwords.check(new_password, username)
        self.throttle.take_attempt(username)
        account = self.repo.get(username)
        if account is None or account.disabled:
            raise Unauthenticated()
        if not self.hashing.verify(account.password_hash, old_password).ok:
            self._record(target, "auth.password_change_failed", target, source_ip)
            raise Forbidden("password_wrong")
        self.throttle.clear(username)
        if passwords.normalise(old_password) == passwords.normalise(new_password):
            raise Conflict("password_unchanged")  # the new password is the current one
        now = iso(self.clock())
        updated = replace(
            account,
            password_hash=self.hashing.hash(new_password),
            must_change_password=False,
            version=account.version + 1,
            updated_at=now,
        )
        self.repo.save(updated, account.version)
        self.sessions.revoke_all("staff", username, keep=keep_session)
        self._record(target, "auth.password_changed", target, source_ip)
        return updated
