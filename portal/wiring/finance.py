"""The finance part of the wiring: offline payments, handover, direct debits, collection,
arrears and their reminders (``portal.finance``), imported when first built: no part of
a cold start."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from portal.wiring.accounts import AccountsWiring
from portal.wiring.billing import BillingWiring

if TYPE_CHECKING:
    from portal.finance.arrears import Arrears
    from portal.finance.collection import Collection
    from portal.finance.debit import DirectDebits
    from portal.finance.handover import Handovers
    from portal.finance.offline import OfflinePayments
    from portal.tasks.runner import TaskKind


class FinanceWiring(BillingWiring, AccountsWiring):
    @cached_property
    def offline_payments(self) -> OfflinePayments:
        from portal.finance.offline import OfflinePayments

        return OfflinePayments(self.table, self.bills, self.audit, self.clock,
                               self.settings.time_zone)  # fmt: skip

    @cached_property
    def handovers(self) -> Handovers:
        from portal.finance.handover import Handovers

        return Handovers(self.table, self.audit, self.clock, self.settings.time_zone)

    @cached_property
    def direct_debits(self) -> DirectDebits:
        from portal.finance.debit import DirectDebits

        return DirectDebits(self.table, self.offline_payments, self.bills, self.owners, self.tasks,
                            self.sender, self.audit, self.clock, self.settings.time_zone)  # fmt: skip

    @cached_property
    def collection(self) -> Collection:
        from portal.finance.collection import Collection

        return Collection(self.table, self.bills, self.clock, self.settings.time_zone)

    @cached_property
    def arrears(self) -> Arrears:
        from portal.finance.arrears import Arrears

        return Arrears(self.table, self.bills, self.owners, self.tasks, self.sender, self.audit,
                       self.clock, self.settings.time_zone)  # fmt: skip

    def task_kinds(self) -> dict[str, TaskKind]:
        from portal.finance.arrears import ARREARS_REMINDER
        from portal.finance.debit import DEBIT_NOTICE
        from portal.tasks.runner import TaskKind

        return {**super().task_kinds(),
                DEBIT_NOTICE: TaskKind(self.direct_debits.deliver, max_attempts=5),
                ARREARS_REMINDER: TaskKind(self.arrears.deliver, max_attempts=4)}  # fmt: skip
