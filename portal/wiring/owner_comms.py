"""The owners' notices part of the wiring: read coverage of critical notices (已知晓), the
published monthly KPI results (服务承诺), greetings and reminders, community event sign-ups."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.acknowledgements.repository import AcknowledgementRepository
    from portal.acknowledgements.service import AcknowledgementService
    from portal.commitments.service import Commitments
    from portal.greetings.events import CommunityEvents
    from portal.greetings.job import GreetingJob, JobReport
    from portal.greetings.preferences import MessagePreferences
    from portal.tasks.runner import TaskKind

from portal.wiring.finance import FinanceWiring
from portal.wiring.workorders import WorkOrdersWiring


class OwnerCommsWiring(WorkOrdersWiring, FinanceWiring):
    @cached_property
    def acknowledgement_repo(self) -> AcknowledgementRepository:
        from portal.acknowledgements.repository import AcknowledgementRepository

        return AcknowledgementRepository(self.table)

    @cached_property
    def acknowledgements(self) -> AcknowledgementService:
        from portal.acknowledgements.service import AcknowledgementService

        return AcknowledgementService(self.acknowledgement_repo, self.estates, self.owners,
                                      self.audit, self.clock)  # fmt: skip

    @cached_property
    def commitments(self) -> Commitments:
        """The monthly KPI results: prepared by the job, approved by a supervisor, published."""
        from portal.commitments.service import Commitments

        return Commitments(self.table, self.kpis, self.estates, self.audit, self.clock,
                           self.settings.time_zone)  # fmt: skip

    def prepare_results(self) -> dict[str, str]:
        """Last month's KPI results of every estate, once due (a daily schedule)."""
        return self.commitments.prepare_due()

    # -- greetings and reminders, community events ------------------------------------------

    @cached_property
    def message_preferences(self) -> MessagePreferences:
        from portal.greetings.preferences import MessagePreferences

        return MessagePreferences(self.table, self.audit, self.clock)

    @cached_property
    def events(self) -> CommunityEvents:
        from portal.greetings.events import CommunityEvents

        return CommunityEvents(self.table, self.audit, self.clock)

    @cached_property
    def greetings(self) -> GreetingJob:
        from portal.greetings.job import GreetingJob

        return GreetingJob(self.table, self.owners, self.profile_repo, self.bills, self.events,
                           self.message_preferences, self.estates, self.tasks, self.sender,
                           self.clock, self.settings.phone_hash_key)  # fmt: skip

    def send_greetings(self) -> JobReport:
        """Today's and tomorrow's greetings and reminders over every estate (a daily schedule)."""
        return self.greetings.run()

    def task_kinds(self) -> dict[str, TaskKind]:
        from portal.greetings.job import GREETING
        from portal.tasks.runner import TaskKind

        return {**super().task_kinds(),
                GREETING: TaskKind(self.greetings.deliver, max_attempts=4)}  # fmt: skip
