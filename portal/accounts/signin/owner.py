"""Owner sign-in with a one-time code sent by SMS (短信验证码登录).

Requesting a code (:meth:`OwnerSignInService.request`)
    A 6-digit code valid :data:`CODE_TTL` is sent to the number when it
    belongs to a known owner. The caller cannot tell whether it does, not even
    by timing: the request path never reads the owner. It takes the limits,
    then in one DynamoDB transaction checks the per-number limits (one code per
    :data:`RESEND_AFTER`, :data:`SENDS_PER_WINDOW` per fixed :data:`SEND_WINDOW`,
    a UTC day), stores a pending code and writes a delivery task
    (:mod:`portal.tasks`), then dispatches the task: the same operations, in
    the same order, for every number. A refused request neither replaces the
    pending code nor uses up a send.

Delivering a code (:meth:`OwnerSignInService.deliver`, off the request path)
    The task looks the owner up; for an unknown number it ends there. For an
    owner it makes the code, stores its hash on the pending code (if no newer
    request replaced it) and sends the SMS. A failed send is retried with
    back-off until the code would have expired.

Verifying a code (:meth:`OwnerSignInService.verify`)
    Every attempt is counted *before* the code is looked at, in fixed
    :data:`TRIES_WINDOW` counters (atomic conditional updates, so the limits
    hold across Lambda instances and concurrent requests): at most
    :data:`MAX_TRIES` attempts per number *and client address*, and at most
    :data:`MAX_TRIES_PER_NUMBER` per number from all addresses; later ones are
    refused (``code_locked``) until the window ends. Why two counters: with one
    per number, a stranger typing five wrong codes locked the owner out; now a
    stranger uses up only their own address's five, while guessing stays
    bounded (at most 20 of a million codes per number and window, ~0.002%).
    A right code is consumed with a conditional delete (its hash matches and it has not expired), so two
    concurrent verifies of one code cannot both succeed.

Storage
    Codes are stored only as an HMAC-SHA256 under the phone-hash key, bound to
    the owner id; the table never holds a code or a readable phone number
    (keys use the owner id, itself a keyed hash of the number). Key shapes:
    :func:`portal.store.keys.otp_code`, :func:`~portal.store.keys.rate_limit`,
    :func:`~portal.store.keys.otp_sent`. Items carry ``expires_at`` for
    DynamoDB's TTL; reads check the times themselves (TTL deletion is lazy).

Audit: ``auth.login`` (actor ``owner:<id>``), ``auth.login_failed`` and
``auth.locked`` (actor ``anonymous``, target the masked number). Logs carry
only masked numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from portal.accounts.audit import ANONYMOUS, AuditLog, Event, actor
from portal.accounts.owners import Owner, OwnerRepository, owner_id_for
from portal.clock import Clock, iso, parse_iso
from portal.errors import RateLimited, Unauthenticated
from portal.i18n import DEFAULT_LANG, translate
from portal.messaging import MessageSender
from portal.phones import mask, normalise
from portal.store import keys
from portal.store.conditions import Condition, condition
from portal.store.counters import WindowCounter
from portal.store.errors import ConditionFailed, TransactionCancelled
from portal.store.items import text
from portal.store.table import Put, Table, Update
from portal.store.tables import TTL_ATTRIBUTE
from portal.tasks.queue import TaskQueue

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
RESEND_AFTER = timedelta(seconds=60)
SEND_WINDOW = timedelta(days=1)
SENDS_PER_WINDOW = 10
TRIES_WINDOW = timedelta(minutes=10)
MAX_TRIES = 5
"""Attempts per number and client address in a window."""
MAX_TRIES_PER_NUMBER = 20
"""Attempts per number from all addresses in a window: the bound on guessing a code."""
ADDRESS_WINDOW = timedelta(hours=1)
CODES_PER_ADDRESS = 30  # code requests per client address per hour (shared mobile NATs are large)
BUDGET_WINDOW = timedelta(days=1)
CODES_PER_DAY = 20_000  # company-wide ceiling on code requests a day: bounds the SMS bill

DELIVER_CODE = "sign_in_code"
"""The task kind that makes and sends one requested code (:meth:`OwnerSignInService.deliver`)."""

_CODE = re.compile(rf"[0-9]{{{CODE_DIGITS}}}")


def new_code() -> str:
    """A uniformly random code of :data:`CODE_DIGITS` digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def window_of(now: datetime, length: timedelta) -> tuple[int, datetime]:
    """The fixed window ``now`` falls in: its number and its end."""
    seconds = int(length.total_seconds())
    number = int(now.timestamp()) // seconds
    return number, datetime.fromtimestamp((number + 1) * seconds, UTC)


def seconds_until(now: datetime, then: datetime) -> int:
    """Whole seconds from ``now`` to ``then``, rounded up, at least 1."""
    return max(1, math.ceil((then - now).total_seconds()))


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def resend_interval_passed(now: datetime) -> Condition:
    """No pending code, or the last one was sent at least :data:`RESEND_AFTER` ago."""
    return condition("resend_interval_passed", "attribute_not_exists(pk) OR sent_at <= :cutoff",
                     cutoff=iso(now - RESEND_AFTER))  # fmt: skip


SENDS_BELOW_LIMIT = condition(
    "sends_below_limit",
    "attribute_not_exists(codes_sent) OR codes_sent < :max",
    max=SENDS_PER_WINDOW,
)
"""At most :data:`SENDS_PER_WINDOW` codes per number and window."""


def still_this_request(task_id: str) -> Condition:
    """The pending code is still the one this delivery task was written with."""
    return condition("still_this_request", "task_id = :t", t=task_id)


def code_matches_and_is_live(digest: str, now: datetime) -> Condition:
    """One code, one use, even for concurrent verifies."""
    return condition("code_matches_and_is_live", "code_hash = :h AND valid_until > :now",
                     h=digest, now=iso(now))  # fmt: skip


class OwnerSignInService:
    """Owners sign in with a code sent by SMS: request and verify, keyed by mobile number."""

    def __init__(
        self,
        table: Table,
        owners: OwnerRepository,
        audit: AuditLog,
        limits: WindowCounter,
        tasks: TaskQueue,
        sender: MessageSender,
        key: bytes,
        clock: Clock,
    ) -> None:
        self.table, self.owners, self.audit, self.limits = table, owners, audit, limits
        self.tasks, self.sender, self.key, self.clock = tasks, sender, key, clock

    def code_hash(self, owner_id: str, code: str) -> str:
        """The stored form of a code: an HMAC under the phone-hash key, bound to the owner."""
        return hmac.new(self.key, f"otp:{owner_id}:{code}".encode(), hashlib.sha256).hexdigest()

    # ------------------------------------------------------------------ request

    def request(self, phone: str, lang: str = DEFAULT_LANG, source_ip: str = "") -> None:
        """Send a code to ``phone`` if it is an owner's; the same outcome either way.

        The request path never looks at whether the number is an owner's: it
        takes the limits, stores a pending code and a delivery task in one
        transaction and dispatches the task, the same operations in the same
        order for every number. :meth:`deliver` (off the request path) makes the
        code and sends it, or drops the task for an unknown number.

        Raises ``InvalidInput("invalid_phone")``, ``RateLimited("code_sent_recently",
        seconds=…)`` or ``RateLimited("code_daily_limit", seconds=…)``.
        """
        phone = normalise(phone)
        # Limits that do not depend on the number (so they tell nothing): per client
        # address, and a company-wide daily budget that bounds the SMS bill.
        if source_ip:
            self.limits.take("codes_ip", source_ip, CODES_PER_ADDRESS, ADDRESS_WINDOW,
                             "codes_from_address")  # fmt: skip
        self.limits.take("codes_all", "company", CODES_PER_DAY, BUDGET_WINDOW, "codes_budget")
        owner_id = owner_id_for(phone, self.key)
        task = self.tasks.new(DELIVER_CODE, {"owner_id": owner_id, "lang": lang},
                              give_up_after=CODE_TTL)  # fmt: skip
        self._store_request(owner_id, task.task_id, task.put, self.clock())
        self.tasks.dispatch(task)
        logger.info("sign-in code for %s requested (task %s)", mask(phone), task.task_id)

    def _store_request(self, owner_id: str, task_id: str, task: Put, now: datetime) -> None:
        day, day_end = window_of(now, SEND_WINDOW)
        pending = {
            **keys.otp_code(owner_id),  # replaces any earlier code: only the newest one works
            "task_id": task_id,
            "sent_at": iso(now),
            TTL_ATTRIBUTE: _epoch(now + CODE_TTL),
        }
        sent = Update(keys.otp_sent(owner_id, day), add={"codes_sent": 1},
                      set={TTL_ATTRIBUTE: _epoch(day_end)}, condition=SENDS_BELOW_LIMIT)  # fmt: skip
        try:
            self.table.transact([Put(pending, resend_interval_passed(now)), sent, task])
        except TransactionCancelled as exc:
            if SENDS_BELOW_LIMIT.name in exc.failed and "resend_interval_passed" not in exc.failed:
                raise RateLimited(
                    "code_daily_limit",
                    seconds=seconds_until(now, day_end),
                    hours=math.ceil(seconds_until(now, day_end) / 3600),
                ) from exc
            if exc.failed or exc.conflict:
                # The last code is too recent (or another request is storing one right now).
                wait = self._resend_wait(owner_id, now)
                raise RateLimited("code_sent_recently", seconds=wait) from exc
            raise

    # ------------------------------------------------------------------ deliver (a task)

    def deliver(self, payload: Mapping[str, Any]) -> None:
        """Make the code of one request and send it, if the number is an owner's.

        Runs off the request path (:mod:`portal.tasks`), at least once: a second
        run makes a new code (only the newest works) and sends it again. Raising
        means the task is tried again later.
        """
        owner_id, lang = str(payload.get("owner_id", "")), str(payload.get("lang", DEFAULT_LANG))
        pending = self.table.get(keys.otp_code(owner_id), consistent=True)
        task_id = text(pending or {}, "task_id")
        if not task_id:
            return  # used, expired or replaced: nothing to send
        owner = self.owners.get(owner_id)
        if owner is None:
            logger.info("sign-in code task %s: not an owner's number, nothing sent", task_id)
            return
        code = new_code()
        digest = self.code_hash(owner_id, code)
        now = self.clock()
        try:
            self.table.update(
                keys.otp_code(owner_id),
                set={
                    "code_hash": digest,
                    "valid_until": iso(now + CODE_TTL),
                    TTL_ATTRIBUTE: _epoch(now + CODE_TTL),
                },
                condition=still_this_request(task_id),
            )
        except ConditionFailed:
            return  # a newer request replaced this one: its own task sends its code
        message = translate("auth.sms_code", lang, code=code, minutes=_minutes(CODE_TTL))
        self.sender.send_sms(owner.phone, message)
        logger.info("sign-in code sent to %s", owner.masked_phone)

    def _resend_wait(self, owner_id: str, now: datetime) -> int:
        item = self.table.get(keys.otp_code(owner_id))
        if not item or "sent_at" not in item:
            return int(RESEND_AFTER.total_seconds())
        sent_at = parse_iso(text(item, "sent_at"))
        return seconds_until(now, sent_at + RESEND_AFTER)

    # ------------------------------------------------------------------ verify

    def verify(self, phone: str, code: str, source_ip: str = "") -> Owner:
        """The owner signing in with ``code``; consumes the code.

        Raises ``InvalidInput("invalid_phone")``, ``Unauthenticated("code_invalid")``
        (wrong, expired or used code, or an unknown number: one answer for all) or
        ``RateLimited("code_locked", seconds=…)`` when this window's attempts are used up.
        """
        phone = normalise(phone)
        masked = mask(phone)
        owner_id = owner_id_for(phone, self.key)
        now = self.clock()
        _, window_end = window_of(now, TRIES_WINDOW)
        try:
            # Every attempt counts before the code is looked at: per number and address first
            # (a stranger spends only their own), then per number from everywhere.
            tries = self.limits.take("codes_verify_from", f"{owner_id}@{source_ip or '-'}",
                                     MAX_TRIES, TRIES_WINDOW, "code_locked")  # fmt: skip
            total = self.limits.take("codes_verify", owner_id, MAX_TRIES_PER_NUMBER,
                                     TRIES_WINDOW, "code_locked")  # fmt: skip
        except RateLimited:
            self._failed(masked, source_ip, "code_locked")
            raise

        # NFKC: full-width digits from a Chinese input method (１２３４５６) count as digits.
        candidate = unicodedata.normalize("NFKC", code).strip()
        given = self.code_hash(owner_id, candidate) if _CODE.fullmatch(candidate) else ""
        stored = self._live_code_hash(owner_id, now)
        matches = bool(given and stored) and hmac.compare_digest(given, stored)
        owner = None
        if matches and self._consume(owner_id, given, now):
            owner = self.owners.get(owner_id)
        if owner is None:
            self._failed(masked, source_ip, "code_invalid")
            if tries >= MAX_TRIES or total >= MAX_TRIES_PER_NUMBER:
                self.audit.record(
                    Event(
                        actor=ANONYMOUS,
                        action="auth.locked",
                        target=masked,
                        source_ip=source_ip,
                        details={
                            "method": "sms_code",
                            "tries": tries,
                            "all_tries": total,
                            "until": iso(window_end),
                        },
                    )
                )
                logger.warning("sign-in codes for %s locked until %s", masked, iso(window_end))
            raise Unauthenticated("code_invalid")

        self.audit.record(
            Event(
                actor=actor("owner", owner.owner_id),
                action="auth.login",
                target=actor("owner", owner.owner_id),
                source_ip=source_ip,
                details={"method": "sms_code"},
            )
        )
        logger.info("owner %s signed in with a code sent to %s", owner.owner_id, masked)
        return owner

    def _live_code_hash(self, owner_id: str, now: datetime) -> str:
        item = self.table.get(keys.otp_code(owner_id))
        if not item or text(item, "valid_until") <= iso(now):
            return ""
        return text(item, "code_hash")

    def _consume(self, owner_id: str, digest: str, now: datetime) -> bool:
        """Delete the code if it is still this one and unexpired; False if another got it."""
        try:
            self.table.delete(keys.otp_code(owner_id), code_matches_and_is_live(digest, now))
        except ConditionFailed:
            return False
        return True

    def _failed(self, masked: str, source_ip: str, reason: str) -> None:
        self.audit.record(
            Event(
                actor=ANONYMOUS,
                action="auth.login_failed",
                target=masked,
                source_ip=source_ip,
                details={"method": "sms_code", "reason": reason},
            )
        )
        logger.info("sign-in with a code for %s failed: %s", masked, reason)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds()) // 60
