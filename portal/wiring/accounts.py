"""The accounts part of the wiring: sessions, owners, staff, sign-in, the roster."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from portal.wiring.core import Core

if TYPE_CHECKING:
    from portal.accounts.owners import OwnerRepository
    from portal.accounts.roster.importer import RosterImporter
    from portal.accounts.sessions import SessionStore
    from portal.accounts.signin.owner import OwnerSignInService
    from portal.accounts.signin.staff import LoginThrottle, StaffSignInService
    from portal.accounts.staff.names import StaffNames
    from portal.accounts.staff.repository import StaffRepository
    from portal.accounts.staff.service import StaffService
    from portal.tasks.runner import TaskKind


class AccountsWiring(Core):
    @cached_property
    def sessions(self) -> SessionStore:
        from portal.accounts.sessions import SessionStore

        return SessionStore(self.table, self.clock)

    @cached_property
    def owners(self) -> OwnerRepository:
        from portal.accounts.owners import OwnerRepository

        return OwnerRepository(self.table, self.settings.phone_hash_key)

    @cached_property
    def staff_repo(self) -> StaffRepository:
        from portal.accounts.staff.repository import StaffRepository

        return StaffRepository(self.table)

    @cached_property
    def staff_names(self) -> StaffNames:
        from portal.accounts.staff.names import StaffNames

        return StaffNames(self.table, self.clock)

    @cached_property
    def login_throttle(self) -> LoginThrottle:
        from portal.accounts.signin.staff import LoginThrottle

        return LoginThrottle(self.counters, self.settings.phone_hash_key)

    @cached_property
    def owner_sign_in(self) -> OwnerSignInService:
        from portal.accounts.signin.owner import OwnerSignInService

        return OwnerSignInService(
            self.table, self.owners, self.audit, self.counters, self.tasks, self.sender,
            self.settings.phone_hash_key, self.clock,
        )  # fmt: skip

    @cached_property
    def staff_sign_in(self) -> StaffSignInService:
        from portal.accounts.signin.staff import StaffSignInService

        return StaffSignInService(
            self.staff_repo, self.login_throttle, self.sessions, self.audit,
            self.password_hashing, self.settings.phone_hash_key, self.clock,
        )  # fmt: skip

    @cached_property
    def staff(self) -> StaffService:
        from portal.accounts.staff.service import StaffService

        return StaffService(
            self.staff_repo, self.sessions, self.login_throttle, self.audit, self.estates,
            self.password_hashing, self.clock,
        )  # fmt: skip

    @cached_property
    def roster(self) -> RosterImporter:
        """Imported on first use: the spreadsheet reader is no part of a cold start."""
        from portal.accounts.roster.importer import RosterImporter
        from portal.accounts.roster.log import ImportLogRepository

        return RosterImporter(
            self.owners, ImportLogRepository(self.table), self.audit,
            self.settings.phone_hash_key, self.clock,
        )  # fmt: skip

    def task_kinds(self) -> dict[str, TaskKind]:
        from portal.accounts.signin.owner import DELIVER_CODE
        from portal.tasks.runner import TaskKind

        return {**super().task_kinds(),
                DELIVER_CODE: TaskKind(self.owner_sign_in.deliver, max_attempts=4)}  # fmt: skip
