"""The finance part of the wiring: offline payments, handover, direct debits, collection,
arrears and their reminders (``portal.finance``)."""

from __future__ import annotations

from functools import cached_property

from portal.finance.arrears import ARREARS_REMINDER, Arrears
from portal.finance.collection import Collection
from portal.finance.debit import DEBIT_NOTICE, DirectDebits
from portal.finance.handover import Handovers
from portal.finance.offline import OfflinePayments
from portal.tasks.runner import TaskKind
from portal.wiring.accounts import AccountsWiring
from portal.wiring.billing import BillingWiring


class FinanceWiring(BillingWiring, AccountsWiring):
    @cached_property
    def offline_payments(self) -> OfflinePayments:
        return OfflinePayments(self.table, self.bills, self.audit, self.clock,
                               self.settings.time_zone)  # fmt: skip

    @cached_property
    def handovers(self) -> Handovers:
        return Handovers(self.table, self.audit, self.clock, self.settings.time_zone)

    @cached_property
    def direct_debits(self) -> DirectDebits:
        return DirectDebits(self.table, self.offline_payments, self.bills, self.owners, self.tasks,
                            self.sender, self.audit, self.clock, self.settings.time_zone)  # fmt: skip

    @cached_property
    def collection(self) -> Collection:
        return Collection(self.table, self.bills, self.clock, self.settings.time_zone)

    @cached_property
    def arrears(self) -> Arrears:
        return Arrears(self.table, self.bills, self.owners, self.tasks, self.sender, self.audit,
                       self.clock, self.settings.time_zone)  # fmt: skip

    def task_kinds(self) -> dict[str, TaskKind]:
        return {**super().task_kinds(),
                DEBIT_NOTICE: TaskKind(self.direct_debits.deliver, max_attempts=5),
                ARREARS_REMINDER: TaskKind(self.arrears.deliver, max_attempts=4)}  # fmt: skip
