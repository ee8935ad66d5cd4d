"""Staff, finance and admin accounts (员工账号): the accounts, password sign-in, management.

Each account has roles from the policy table and a scope: the estates it
works in and, optionally per estate, the buildings (a butler usually looks
after a few buildings). Admin is company-wide and needs no estates; every
other role needs at least one.

Sign-in (:meth:`StaffManager.login`)
    A username and password. Every attempt first takes a slot in the failure
    counter of the username's current 15-minute window (:class:`LoginThrottle`,
    one atomic conditional update in DynamoDB, so the limit holds across Lambda
    instances and concurrent requests): after :data:`MAX_FAILURES` (5)
    failures the account is locked until the window ends, even for the right
    password. A successful sign-in clears the counter. Unknown usernames,
    disabled accounts and wrong passwords take the same path (a password is
    always verified, against a dummy hash when there is no account) and get the
    same answer, ``Unauthenticated("login_failed")``, so the answer does not
    tell which usernames exist.

Management (admin, :class:`StaffManager`)
    Create, change roles/scope/name/phone, disable/enable, reset a password
    (the account must then choose a new one: ``must_change_password``). Every
    write is conditional (a new username must not exist; a change must be on
    the version that was read), and every change is an audit event; role
    changes carry the roles before and after. An admin cannot disable their
    own account or take away their own admin role, so there is always at least
    one admin who can sign in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from portal.accounts import passwords
from portal.accounts.audit import AuditLog, Event
from portal.accounts.identity import Identity
from portal.accounts.policy import ADMIN, FINANCE, STAFF_ROLES, Target, can
from portal.accounts.sessions import SessionStore
from portal.clock import Clock, iso, system_clock
from portal.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
)
from portal.phones import mask
from portal.phones import normalise as normalise_phone
from portal.store import keys
from portal.store.conditions import is_condition_failure
from portal.store.counters import WindowCounter

ASSIGNABLE_ROLES: tuple[str, ...] = (*STAFF_ROLES, FINANCE, ADMIN)
"""Roles an account can have: every role of the policy table except ``owner``."""

USERNAME_RE = re.compile(r"^[a-z0-9._-]{3,32}$")
NAME_MAX = 40
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
CLI_ACTOR = "cli"
"""Audit actor of changes made with the ``portal staff`` command line."""


@dataclass(frozen=True)
class StaffAccount:
    username: str
    name: str
    roles: frozenset[str]
    estates: frozenset[str] = frozenset()
    buildings: dict[str, frozenset[str]] = field(default_factory=dict)
    phone: str = ""
    password_hash: str = ""
    disabled: bool = False
    must_change_password: bool = False
    version: int = 0
    created_at: str = ""
    updated_at: str = ""

    @property
    def masked_phone(self) -> str:
        return mask(self.phone) if self.phone else ""

    def identity(self) -> Identity:
        return Identity(
            kind="staff",
            user_id=self.username,
            roles=self.roles,
            name=self.name,
            estates=self.estates,
            buildings=dict(self.buildings),
        )


def account_from_item(item: dict[str, Any]) -> StaffAccount:
    def s(name: str) -> str:
        v = item.get(name)
        return str(v["S"]) if v and "S" in v else ""

    def ss(name: str) -> frozenset[str]:
        v = item.get(name)
        return frozenset(v["SS"]) if v and "SS" in v else frozenset()

    def flag(name: str) -> bool:
        return bool(item.get(name, {}).get("BOOL", False))

    buildings: dict[str, frozenset[str]] = {}
    raw = item.get("buildings", {}).get("M", {})
    for estate, v in raw.items():
        buildings[estate] = frozenset(v.get("SS", ()))
    return StaffAccount(
        username=s("username"),
        name=s("name"),
        roles=ss("roles"),
        estates=ss("estates"),
        buildings=buildings,
        phone=s("phone"),
        password_hash=s("password_hash"),
        disabled=flag("disabled"),
        must_change_password=flag("must_change_password"),
        version=int(item.get("version", {}).get("N", "0")),
        created_at=s("created_at"),
        updated_at=s("updated_at"),
    )


def item_from_account(a: StaffAccount) -> dict[str, Any]:
    item: dict[str, Any] = {
        **{k: {"S": v} for k, v in keys.staff(a.username).items()},
        "gsi1pk": {"S": keys.STAFF_INDEX},
        "gsi1sk": {"S": a.username},
        "username": {"S": a.username},
        "name": {"S": a.name},
        "phone": {"S": a.phone},
        "password_hash": {"S": a.password_hash},
        "disabled": {"BOOL": a.disabled},
        "must_change_password": {"BOOL": a.must_change_password},
        "version": {"N": str(a.version)},
        "created_at": {"S": a.created_at},
        "updated_at": {"S": a.updated_at},
        "buildings": {"M": {e: {"SS": sorted(b)} for e, b in a.buildings.items() if b}},
    }
    # DynamoDB string sets cannot be empty: leave the attribute out instead.
    if a.roles:
        item["roles"] = {"SS": sorted(a.roles)}
    if a.estates:
        item["estates"] = {"SS": sorted(a.estates)}
    return item


class StaffRepo:
    def __init__(self, client: Any, table: str) -> None:
        self.client, self.table = client, table

    def _key(self, username: str) -> dict[str, Any]:
        return {k: {"S": v} for k, v in keys.staff(username).items()}

    def get(self, username: str) -> StaffAccount | None:
        got = self.client.get_item(
            TableName=self.table, Key=self._key(username), ConsistentRead=True
        )
        item = got.get("Item")
        return account_from_item(item) if item else None

    def put(self, account: StaffAccount) -> None:
        """Create or replace an account unconditionally (test data, seeding)."""
        self.client.put_item(TableName=self.table, Item=item_from_account(account))

    def create(self, account: StaffAccount) -> None:
        """Put a new account; ``Conflict("staff_exists")`` when the username is taken."""
        try:
            self.client.put_item(
                TableName=self.table,
                Item=item_from_account(account),
                ConditionExpression="attribute_not_exists(pk)",  # username_is_new
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                raise Conflict("staff_exists", username=account.username) from exc
            raise

    def save(self, account: StaffAccount, expected_version: int) -> None:
        """Replace an account read at ``expected_version``; ``Conflict`` if it changed since."""
        condition = "#v = :v"
        if expected_version == 0:  # accounts written before versions existed
            condition = "attribute_exists(pk) AND (attribute_not_exists(#v) OR #v = :v)"
        try:
            self.client.put_item(
                TableName=self.table,
                Item=item_from_account(account),
                ConditionExpression=condition,  # account_unchanged_since_read
                ExpressionAttributeNames={"#v": "version"},
                ExpressionAttributeValues={":v": {"N": str(expected_version)}},
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                raise Conflict() from exc
            raise

    def replace_hash(self, username: str, old_hash: str, new_hash: str) -> bool:
        """Store a rehashed password unless the password changed meanwhile."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(username),
                UpdateExpression="SET password_hash = :new",
                ConditionExpression="password_hash = :old",  # password_unchanged
                ExpressionAttributeValues={":new": {"S": new_hash}, ":old": {"S": old_hash}},
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def list_all(self) -> list[StaffAccount]:
        """Every account, by username (the ``STAFF`` partition of gsi1; no Scan)."""
        out: list[StaffAccount] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.STAFF_INDEX}},
        }
        while True:
            page = self.client.query(**kwargs)
            out.extend(account_from_item(it) for it in page["Items"])
            if "LastEvaluatedKey" not in page:
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class LoginThrottle:
    """Failed password attempts per username in fixed 15-minute windows.

    :meth:`take_attempt` counts an attempt *before* the password is verified
    (an atomic counter, :class:`~portal.store.counters.WindowCounter`), so
    concurrent requests on any number of Lambda instances cannot get more than
    :data:`MAX_FAILURES` guesses in a window; :meth:`clear` (after a success or a
    reset) forgets them.
    """

    SCOPE = "staff_login"

    def __init__(self, client: Any, table: str, clock: Clock = system_clock) -> None:
        self.counter = WindowCounter(client, table, clock)

    def take_attempt(self, username: str) -> None:
        """Count one attempt; ``RateLimited("login_locked")`` when the window's limit is reached."""
        self.counter.take(self.SCOPE, username, MAX_FAILURES, FAILURE_WINDOW, "login_locked")

    def clear(self, username: str) -> None:
        self.counter.clear(self.SCOPE, username, FAILURE_WINDOW)

    def failures(self, username: str) -> int:
        return self.counter.count(self.SCOPE, username, FAILURE_WINDOW)


# ------------------------------------------------------------------ estates and buildings

EstateMap = Mapping[str, frozenset[str]]
"""Estate slug → the codes of its buildings."""


@cache
def company_estates(content_dir: Path) -> EstateMap:
    """The estates of the company and their buildings, from ``company.yaml`` (read once)."""
    from portal.estates import load_company

    company, _errors = load_company(content_dir)
    if company is None:
        raise Unavailable("company_unavailable")
    return {e.slug: frozenset(b.code for b in e.buildings) for e in company.estates}


# ------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class NewStaff:
    username: str
    name: str
    roles: tuple[str, ...]
    password: str
    estates: tuple[str, ...] = ()
    buildings: Mapping[str, Iterable[str]] = field(default_factory=dict)
    phone: str = ""
    must_change_password: bool = True
    """An admin chose the password: the person must replace it at first sign-in."""


@dataclass(frozen=True)
class StaffChanges:
    """A partial update: ``None`` leaves a field as it is (``phone=""`` removes the phone)."""

    name: str | None = None
    phone: str | None = None
    roles: tuple[str, ...] | None = None
    estates: tuple[str, ...] | None = None
    buildings: Mapping[str, Iterable[str]] | None = None
    disabled: bool | None = None


def staff_actor(username: str) -> str:
    """The audit actor of a staff account."""
    return f"staff:{username}"


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def validate_username(raw: str) -> str:
    username = normalise_username(raw)
    if not USERNAME_RE.match(username):
        raise InvalidInput("invalid_username")
    return username


def validate_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > NAME_MAX:
        raise InvalidInput("invalid_staff_name", max=NAME_MAX)
    return name


def validate_roles(raw: Iterable[str]) -> frozenset[str]:
    roles = frozenset(r.strip() for r in raw)
    if not roles:
        raise InvalidInput("roles_required")
    for role in sorted(roles):
        if role not in ASSIGNABLE_ROLES:
            raise InvalidInput("invalid_role", role=role)
    return roles


def validate_scope(
    roles: frozenset[str],
    estates: Iterable[str],
    buildings: Mapping[str, Iterable[str]],
    known: Callable[[], EstateMap],
) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Check estates and buildings against the company; admin-only accounts need none."""
    chosen = frozenset(e.strip() for e in estates)
    scoped = {e.strip(): frozenset(b.strip() for b in bs) for e, bs in buildings.items()}
    scoped = {e: bs for e, bs in scoped.items() if bs}
    if not chosen and roles - {ADMIN}:
        raise InvalidInput("staff_estates_required")
    if chosen or scoped:
        company = known()
        for estate in sorted(chosen):
            if estate not in company:
                raise InvalidInput("unknown_estate", estate=estate)
        for estate, codes in sorted(scoped.items()):
            if estate not in chosen:
                raise InvalidInput("buildings_outside_estates", estate=estate)
            for code in sorted(codes):
                if code not in company[estate]:
                    raise InvalidInput("unknown_building", estate=estate, building=code)
    return chosen, scoped


def visible_to(identity: Identity, account: StaffAccount) -> bool:
    """May ``identity`` (with ``staff.read``) see ``account``? Admin: all; managers: their estates."""
    if ADMIN in identity.roles:
        return True
    return any(can(identity, "staff.read", Target(estate=e)) for e in account.estates)


def _scope_json(estates: frozenset[str], buildings: Mapping[str, frozenset[str]]) -> dict[str, Any]:
    return {
        "estates": sorted(estates),
        "buildings": {e: sorted(b) for e, b in sorted(buildings.items())},
    }


# ------------------------------------------------------------------ the service


class StaffManager:
    """Sign-in, own password change and admin management of staff accounts."""

    def __init__(
        self,
        client: Any,
        table: str,
        audit: AuditLog,
        clock: Clock = system_clock,
        estates: Callable[[], EstateMap] | None = None,
    ) -> None:
        self.repo = StaffRepo(client, table)
        self.throttle = LoginThrottle(client, table, clock)
        self.sessions = SessionStore(client, table, clock)
        self.audit, self.clock = audit, clock
        self._estates = estates

    def known_estates(self) -> EstateMap:
        if self._estates is None:
            raise Unavailable("company_unavailable")
        return self._estates()

    def _record(self, actor: str, action: str, target: str, ip: str, **details: Any) -> None:
        self.audit.record(Event(actor, action, target, ip, details))

    # -- sign-in and own password ------------------------------------------------------

    def login(self, username: str, password: str, source_ip: str = "") -> StaffAccount:
        """The account for a correct username and password; else ``login_failed``/``login_locked``."""
        name = normalise_username(username)[:64]
        target = staff_actor(name)
        try:
            self.throttle.take_attempt(name)
        except RateLimited:
            self._record("anonymous", "auth.login_failed", target, source_ip, reason="locked")
            raise
        account = self.repo.get(name)
        result = passwords.verify(account.password_hash if account else None, password)
        if account is None or not result.ok or account.disabled:
            reason = (
                "unknown_user"
                if account is None
                else ("wrong_password" if not result.ok else "disabled")
            )
            self._record("anonymous", "auth.login_failed", target, source_ip, reason=reason)
            raise Unauthenticated("login_failed")
        self.throttle.clear(name)
        rehashed = False
        if result.needs_rehash:
            new_hash = passwords.hash_password(password)
            rehashed = self.repo.replace_hash(name, account.password_hash, new_hash)
            if rehashed:
                account = replace(account, password_hash=new_hash)
        self._record(target, "auth.login", target, source_ip, kind="staff", rehashed=rehashed)
        return account

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
        target = staff_actor(username)
        passwords.check(new_password, username)
        if passwords.normalise(old_password) == passwords.normalise(new_password):
            raise InvalidInput("password_unchanged")
        self.throttle.take_attempt(username)
        account = self.repo.get(username)
        if account is None or account.disabled:
            raise Unauthenticated()
        if not passwords.verify(account.password_hash, old_password).ok:
            self._record(target, "auth.password_change_failed", target, source_ip)
            raise InvalidInput("password_wrong")
        self.throttle.clear(username)
        now = iso(self.clock())
        updated = replace(
            account,
            password_hash=passwords.hash_password(new_password),
            must_change_password=False,
            version=account.version + 1,
            updated_at=now,
        )
        self.repo.save(updated, account.version)
        self.sessions.revoke_all("staff", username, keep=keep_session)
        self._record(target, "auth.password_changed", target, source_ip)
        return updated

    # -- management --------------------------------------------------------------------

    def list_for(self, identity: Identity) -> list[StaffAccount]:
        """The accounts ``identity`` may see, by username."""
        accounts = self.repo.list_all()
        return sorted((a for a in accounts if visible_to(identity, a)), key=lambda a: a.username)

    def get_for(self, identity: Identity, username: str) -> StaffAccount:
        account = self.repo.get(normalise_username(username))
        if account is None or not visible_to(identity, account):
            # The same answer either way: an account outside my estates might as well not exist.
            raise NotFound("staff_not_found")
        return account

    def create(self, actor: str, new: NewStaff, source_ip: str = "") -> StaffAccount:
        username = validate_username(new.username)
        name = validate_name(new.name)
        phone = normalise_phone(new.phone) if new.phone.strip() else ""
        roles = validate_roles(new.roles)
        estates, buildings = validate_scope(roles, new.estates, new.buildings, self.known_estates)
        passwords.check(new.password, username)
        now = iso(self.clock())
        account = StaffAccount(
            username=username,
            name=name,
            roles=roles,
            estates=estates,
            buildings=buildings,
            phone=phone,
            password_hash=passwords.hash_password(new.password),
            must_change_password=new.must_change_password,
            version=1,
            created_at=now,
            updated_at=now,
        )
        self.repo.create(account)
        self._record(
            actor,
            "staff.created",
            staff_actor(username),
            source_ip,
            roles=sorted(roles),
            **_scope_json(estates, buildings),
        )
        return account

    def update(
        self, actor: str, username: str, changes: StaffChanges, source_ip: str = ""
    ) -> StaffAccount:
        """Apply ``changes``; an admin cannot disable or demote themself."""
        before = self.repo.get(normalise_username(username))
        if before is None:
            raise NotFound("staff_not_found")
        target = staff_actor(before.username)
        name = before.name if changes.name is None else validate_name(changes.name)
        phone = before.phone
        if changes.phone is not None:
            phone = normalise_phone(changes.phone) if changes.phone.strip() else ""
        roles = before.roles if changes.roles is None else validate_roles(changes.roles)
        estates_in = before.estates if changes.estates is None else frozenset(changes.estates)
        if changes.buildings is not None:
            buildings_in: Mapping[str, Iterable[str]] = changes.buildings
        else:  # keep the buildings of the estates that stay in scope
            buildings_in = {e: b for e, b in before.buildings.items() if e in estates_in}
        scope_changed = changes.estates is not None or changes.buildings is not None
        if scope_changed or changes.roles is not None:
            estates, buildings = validate_scope(roles, estates_in, buildings_in, self.known_estates)
        else:
            estates, buildings = before.estates, dict(before.buildings)
        disabled = before.disabled if changes.disabled is None else changes.disabled
        if actor == target and (disabled or (ADMIN in before.roles and ADMIN not in roles)):
            raise Forbidden("staff_self_lockout")
        after = replace(
            before,
            name=name,
            phone=phone,
            roles=roles,
            estates=estates,
            buildings=buildings,
            disabled=disabled,
        )
        if after == before:
            return before
        after = replace(after, version=before.version + 1, updated_at=iso(self.clock()))
        self.repo.save(after, before.version)
        if after.roles != before.roles:
            self._record(
                actor,
                "staff.roles_changed",
                target,
                source_ip,
                before=sorted(before.roles),
                after=sorted(after.roles),
            )
        if (after.estates, after.buildings) != (before.estates, before.buildings):
            self._record(
                actor,
                "staff.scope_changed",
                target,
                source_ip,
                before=_scope_json(before.estates, before.buildings),
                after=_scope_json(after.estates, after.buildings),
            )
        if after.disabled != before.disabled:
            action = "staff.disabled" if after.disabled else "staff.enabled"
            if after.disabled:
                self.sessions.revoke_all("staff", after.username)
            self._record(actor, action, target, source_ip)
        profile = [f for f in ("name", "phone") if getattr(after, f) != getattr(before, f)]
        if profile:
            self._record(actor, "staff.profile_changed", target, source_ip, fields=profile)
        return after

    def reset_password(
        self, actor: str, username: str, password: str, source_ip: str = ""
    ) -> StaffAccount:
        """Set a new password chosen by an admin; the person must change it at next sign-in."""
        before = self.repo.get(normalise_username(username))
        if before is None:
            raise NotFound("staff_not_found")
        passwords.check(password, before.username)
        after = replace(
            before,
            password_hash=passwords.hash_password(password),
            must_change_password=True,
            version=before.version + 1,
            updated_at=iso(self.clock()),
        )
        self.repo.save(after, before.version)
        self.sessions.revoke_all("staff", before.username)
        self.throttle.clear(before.username)  # a locked-out person can sign in at once
        self._record(actor, "staff.password_reset", staff_actor(before.username), source_ip)
        return after
