"""Where staff accounts are stored: one item per account, listed through gsi1 (no Scan).

Beside them, the count of enabled admins (``keys.active_admins``), changed in the same
transaction as the account whose admin status changes, so nobody can take away the last one.
"""

from __future__ import annotations

import contextlib

from portal.accounts.policy import ADMIN
from portal.accounts.staff.model import StaffAccount, account_from_item, item_from_account
from portal.errors import Conflict
from portal.store import keys
from portal.store.conditions import Condition, condition
from portal.store.errors import ConditionFailed, TransactionCancelled
from portal.store.table import Put, Table, Update
from portal.store.tables import GSI1

ANOTHER_ADMIN_REMAINS = condition("another_admin_remains", "active > :one", one=1)
"""Disabling or demoting an enabled admin leaves at least one enabled admin."""
COUNT_IS_NEW = condition("admin_count_is_new", "attribute_not_exists(pk)")
TRANSACTION_ATTEMPTS = 3


def is_active_admin(account: StaffAccount | None) -> bool:
    return account is not None and ADMIN in account.roles and not account.disabled

USERNAME_IS_NEW = condition("username_is_new", "attribute_not_exists(pk)")


def account_unchanged_since_read(version: int) -> Condition:
    """Optimistic locking: the stored account is still the version that was read."""
    if version == 0:  # accounts written before versions existed
        return condition("account_unchanged_since_read",
                         "attribute_exists(pk) AND (attribute_not_exists(#v) OR #v = :v)",
                         names={"#v": "version"}, v=version)  # fmt: skip
    return condition("account_unchanged_since_read", "#v = :v", names={"#v": "version"}, v=version)


def password_unchanged(old_hash: str) -> Condition:
    return condition("password_unchanged", "password_hash = :old", old=old_hash)


class StaffRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, username: str) -> StaffAccount | None:
        item = self.table.get(keys.staff(username))
        return account_from_item(item) if item else None

    def put(self, account: StaffAccount) -> None:
        """Create or replace an account unconditionally (test data, seeding)."""
        self.table.put(item_from_account(account))

    def create(self, account: StaffAccount) -> None:
        """Put a new account; ``Conflict("staff_exists")`` when the username is taken.

        A new enabled admin is counted in the same transaction.
        """
        if not is_active_admin(account):
            try:
                self.table.put(item_from_account(account), USERNAME_IS_NEW)
            except ConditionFailed as exc:
                raise Conflict("staff_exists", username=account.username) from exc
            return
        self._ensure_admin_count()
        try:
            self.table.transact([
                Put(item_from_account(account), USERNAME_IS_NEW),
                Update(keys.active_admins(), add={"active": 1}),
            ])  # fmt: skip
        except TransactionCancelled as exc:
            if USERNAME_IS_NEW.name in exc.failed:
                raise Conflict("staff_exists", username=account.username) from exc
            raise Conflict() from exc

    def save(self, account: StaffAccount, expected_version: int,
             before: StaffAccount | None = None) -> None:  # fmt: skip
        """Replace an account read at ``expected_version``; ``Conflict`` if it changed since.

        When the change enables or disables an admin (``before`` → ``account``), the count
        of enabled admins changes in the same transaction, and taking away the last one is
        refused with ``Conflict("last_admin")``: two admins disabling each other at the same
        moment cannot leave none.
        """
        delta = int(is_active_admin(account)) - int(is_active_admin(before))
        unchanged = account_unchanged_since_read(expected_version)
        if before is None or delta == 0:
            try:
                self.table.put(item_from_account(account), unchanged)
            except ConditionFailed as exc:
                raise Conflict() from exc
            return
        self._ensure_admin_count()
        count = Update(keys.active_admins(), add={"active": delta},
                       condition=ANOTHER_ADMIN_REMAINS if delta < 0 else None)  # fmt: skip
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                self.table.transact([Put(item_from_account(account), unchanged), count])
                return
            except TransactionCancelled as exc:
                if ANOTHER_ADMIN_REMAINS.name in exc.failed:
                    raise Conflict("last_admin") from exc
                if exc.failed or not exc.conflict or attempt == TRANSACTION_ATTEMPTS - 1:
                    raise Conflict() from exc
                # Another admin change touched the count at the same moment: its conditions
                # are evaluated afresh on the next try.

    def active_admins(self) -> int:
        self._ensure_admin_count()
        item = self.table.get(keys.active_admins())
        return int(item["active"]) if item else 0

    def _ensure_admin_count(self) -> None:
        """Count the enabled admins once, the first time the count is needed."""
        if self.table.get(keys.active_admins()) is not None:
            return
        active = sum(is_active_admin(a) for a in self.list_all())
        # Someone else may count first: the same accounts, the same number.
        with contextlib.suppress(ConditionFailed):
            self.table.put({**keys.active_admins(), "active": active}, COUNT_IS_NEW)

    def replace_hash(self, username: str, old_hash: str, new_hash: str) -> bool:
        """Store a rehashed password unless the password changed meanwhile."""
        try:
            self.table.update(keys.staff(username), set={"password_hash": new_hash},
                              condition=password_unchanged(old_hash))  # fmt: skip
        except ConditionFailed:
            return False
        return True

    def list_all(self) -> list[StaffAccount]:
        """Every account, by username (the ``STAFF`` partition of gsi1; no Scan)."""
        return [account_from_item(it) for it in self.table.query_all(keys.STAFF_INDEX, index=GSI1)]
