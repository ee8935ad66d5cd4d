"""The billing part of the wiring: bills, the billing run, payments, the ledger, refunds.

The billing modules are imported when a service is first built, not with the wiring: a
cold start that answers a sign-in or a work order never loads them (nor the spreadsheet
reader the readings import needs).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from portal.wiring.payments import PaymentsWiring

if TYPE_CHECKING:
    from portal.billing.accounts import ProviderAccounts
    from portal.billing.areas import AreasImporter
    from portal.billing.bills import BillRepository
    from portal.billing.ledger import Ledger
    from portal.billing.payments import PaymentService
    from portal.billing.readings import ReadingsImporter
    from portal.billing.refunds import RefundService
    from portal.billing.run import BillingRun
    from portal.billing.statements import Statements


class BillingWiring(PaymentsWiring):
    @property
    def payment_accounts(self) -> ProviderAccounts:
        """The payment accounts of the stage (``payment_providers``), or the caller's."""
        return self._payment_accounts or self.payment_providers

    @cached_property
    def bills(self) -> BillRepository:
        from portal.billing.bills import BillRepository

        return BillRepository(self.table)

    @cached_property
    def billing_run(self) -> BillingRun:
        from portal.billing.run import BillingRun

        return BillingRun(self.table, self.estates, self.audit, self.clock)

    @cached_property
    def statements(self) -> Statements:
        from portal.billing.statements import Statements

        return Statements(self.bills, self.clock, self.settings.time_zone)

    @cached_property
    def payments(self) -> PaymentService:
        from portal.billing.payments import PaymentService

        return PaymentService(self.table, self.bills, self.payment_accounts, self.estates,
                              self.audit, self.clock, self.settings.time_zone,
                              self.settings.site_url)  # fmt: skip

    @cached_property
    def ledger(self) -> Ledger:
        from portal.billing.ledger import Ledger

        return Ledger(self.table, self.payment_accounts, self.audit, self.clock,
                      self.settings.time_zone)  # fmt: skip

    @cached_property
    def refunds(self) -> RefundService:
        from portal.billing.refunds import RefundService

        return RefundService(self.table, self.payments, self.bills, self.payment_accounts,
                             self.audit, self.clock, self.settings.time_zone)  # fmt: skip

    @cached_property
    def areas(self) -> AreasImporter:
        from portal.billing.areas import AreasImporter

        return AreasImporter(self.table, self.audit, self.clock)

    @cached_property
    def readings(self) -> ReadingsImporter:
        from portal.billing.readings import ReadingsImporter

        return ReadingsImporter(self.table, self.audit, self.clock)
