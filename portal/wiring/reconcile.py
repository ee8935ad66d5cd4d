"""The reconciliation part of the wiring: statement imports, the matched days, the queue."""

from __future__ import annotations

from functools import cached_property

from portal.finance.reconcile.days import ReconcileDays
from portal.finance.reconcile.imports import StatementImporter
from portal.finance.reconcile.repository import ReconcileRepository
from portal.wiring.core import Core


class ReconcileWiring(Core):
    @cached_property
    def reconcile_repo(self) -> ReconcileRepository:
        return ReconcileRepository(self.table)

    @cached_property
    def statement_imports(self) -> StatementImporter:
        return StatementImporter(self.reconcile_repo, self.audit, self.clock)

    @cached_property
    def reconcile_days(self) -> ReconcileDays:
        return ReconcileDays(self.reconcile_repo, self.audit, self.clock)
