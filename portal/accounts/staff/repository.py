"""Where staff accounts are stored: one item per account, listed through gsi1 (no Scan)."""

from __future__ import annotations

from portal.accounts.staff.model import StaffAccount, account_from_item, item_from_account
from portal.errors import Conflict
from portal.store import keys
from portal.store.conditions import Condition, condition
from portal.store.errors import ConditionFailed
from portal.store.table import Table
from portal.store.tables import GSI1

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
        """Put a new account; ``Conflict("staff_exists")`` when the username is taken."""
        try:
            self.table.put(item_from_account(account), USERNAME_IS_NEW)
        except ConditionFailed as exc:
            raise Conflict("staff_exists", username=account.username) from exc

    def save(self, account: StaffAccount, expected_version: int) -> None:
        """Replace an account read at ``expected_version``; ``Conflict`` if it changed since."""
        try:
            self.table.put(item_from_account(account),
                           account_unchanged_since_read(expected_version))  # fmt: skip
        except ConditionFailed as exc:
            raise Conflict() from exc

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
