"""The reconciliation part of the wiring: statement imports, the matched days, the queue."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from portal.wiring.core import Core

if TYPE_CHECKING:
    from portal.finance.reconcile.days import ReconcileDays
    from portal.finance.reconcile.imports import StatementImporter
    from portal.finance.reconcile.repository import ReconcileRepository


class ReconcileWiring(Core):
    @cached_property
    def reconcile_repo(self) -> ReconcileRepository:
        from portal.finance.reconcile.repository import ReconcileRepository

        return ReconcileRepository(self.table)

    @cached_property
    def statement_imports(self) -> StatementImporter:
        from portal.finance.reconcile.imports import StatementImporter

        return StatementImporter(self.reconcile_repo, self.audit, self.clock)

    @cached_property
    def reconcile_days(self) -> ReconcileDays:
        from portal.finance.reconcile.days import ReconcileDays

        return ReconcileDays(self.reconcile_repo, self.audit, self.clock)
