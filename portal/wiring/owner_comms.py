"""The owners' notices part of the wiring: read coverage of critical notices (已知晓), the
published monthly KPI results (服务承诺), greetings and reminders, community event sign-ups."""

from __future__ import annotations

from functools import cached_property

from portal.acknowledgements.repository import AcknowledgementRepository
from portal.acknowledgements.service import AcknowledgementService
from portal.wiring.finance import FinanceWiring
from portal.wiring.workorders import WorkOrdersWiring


class OwnerCommsWiring(WorkOrdersWiring, FinanceWiring):
    @cached_property
    def acknowledgement_repo(self) -> AcknowledgementRepository:
        return AcknowledgementRepository(self.table)

    @cached_property
    def acknowledgements(self) -> AcknowledgementService:
        return AcknowledgementService(self.acknowledgement_repo, self.estates, self.owners,
                                      self.audit, self.clock)  # fmt: skip
