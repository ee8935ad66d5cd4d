"""Admin management of staff accounts (create, change, disable, reset), with audit.

Every write is conditional (a new username must not exist; a change must be on
the version that was read), and every change is an audit event; role changes
carry the roles before and after. An admin cannot disable their own account or
take away their own admin role, so there is always at least one admin who can
sign in. Estates and buildings are checked against the estate directory (the
store), never against ``site/content``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from portal.accounts import passwords
from portal.accounts.audit import AuditLog, Event
from portal.accounts.audit import actor as actor_of
from portal.accounts.identity import Identity
from portal.accounts.policy import ADMIN
from portal.accounts.sessions import SessionStore
from portal.accounts.signin.staff import LoginThrottle
from portal.accounts.staff.model import NewStaff, StaffAccount, StaffChanges
from portal.accounts.staff.repository import StaffRepository
from portal.accounts.staff.validation import (
    EstateMap,
    normalise_username,
    validate_name,
    validate_roles,
    validate_scope,
    validate_username,
    visible_to,
)
from portal.clock import Clock, iso
from portal.errors import Conflict, Forbidden, InvalidInput, NotFound
from portal.estates.directory import EstateDirectory
from portal.phones import normalise as normalise_phone


def _scope_json(estates: frozenset[str], buildings: Mapping[str, frozenset[str]]) -> dict[str, Any]:
    return {
        "estates": sorted(estates),
        "buildings": {e: sorted(b) for e, b in sorted(buildings.items())},
    }


class StaffService:
    """Admin and manager views of staff accounts, and the changes admins make."""

    def __init__(
        self,
        repo: StaffRepository,
        sessions: SessionStore,
        throttle: LoginThrottle,
        audit: AuditLog,
        estates: EstateDirectory,
        hashing: passwords.PasswordHashing,
        clock: Clock,
    ) -> None:
        self.repo, self.sessions, self.throttle = repo, sessions, throttle
        self.audit, self.estates, self.hashing, self.clock = audit, estates, hashing, clock

    def known_estates(self) -> EstateMap:
        return self.estates.buildings_by_estate()

    def _record(self, who: str, action: str, target: str, ip: str, **details: Any) -> None:
        self.audit.record(Event(who, action, target, ip, details))

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
            password_hash=self.hashing.hash(new.password),
            must_change_password=new.must_change_password,
            version=1,
            created_at=now,
            updated_at=now,
        )
        self.repo.create(account)
        self._record(
            actor,
            "staff.created",
            actor_of("staff", username),
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
        target = actor_of("staff", before.username)
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
            estates, buildings = self._scope_after(changes, roles, estates_in, buildings_in)
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
        self.repo.save(after, before.version, before=before)
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

    def _scope_after(
        self,
        changes: StaffChanges,
        roles: frozenset[str],
        estates: Iterable[str],
        buildings: Mapping[str, Iterable[str]],
    ) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
        """The scope after ``changes``. A rule broken only because of what the account already
        has (its roles, its estates) is a 409: the request alone was fine."""
        try:
            return validate_scope(roles, estates, buildings, self.known_estates)
        except InvalidInput as exc:
            from_account = {
                "staff_estates_required": changes.roles is None or changes.estates is None,
                "buildings_outside_estates": changes.estates is None,
            }
            if from_account.get(exc.code, False):
                raise Conflict(exc.code, **exc.params) from None
            raise

    def reset_password(
        self, actor: str, username: str, password: str, source_ip: str = ""
    ) -> StaffAccount:
        """Set a new password chosen by an admin; the person must change it at next sign-in.

        Resetting is for other people: one's own password always needs the current one
        (a stolen admin session must not be able to take the account over).
        """
        before = self.repo.get(normalise_username(username))
        if before is None:
            raise NotFound("staff_not_found")
        if actor == actor_of("staff", before.username):
            raise Forbidden("reset_own_password")
        passwords.check(password, before.username)
        after = replace(
            before,
            password_hash=self.hashing.hash(password),
            must_change_password=True,
            version=before.version + 1,
            updated_at=iso(self.clock()),
        )
        self.repo.save(after, before.version)
        self.sessions.revoke_all("staff", before.username)
        self.throttle.clear(before.username)  # a locked-out person can sign in at once
        self._record(actor, "staff.password_reset", actor_of("staff", before.username), source_ip)
        return after
