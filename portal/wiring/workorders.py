"""The work-orders part of the wiring: orders, notices, the ladder, callbacks, profiles, KPIs."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.profiles.repository import ProfileRepository
    from portal.profiles.service import ProfileService
    from portal.tasks.runner import TaskKind
    from portal.workorders.callback_plan import CallbackPlanner, PlanReport
    from portal.workorders.callback_repository import CallbackRepository
    from portal.workorders.callbacks import (
        CallbackNotices,
        CallbackScheduler,
        CallbackService,
    )
    from portal.workorders.kpi import MonthlyKpis
    from portal.workorders.ladder import EscalationJob
    from portal.workorders.model import Location
    from portal.workorders.notices import OrderNotices
    from portal.workorders.repository import WorkOrderRepository
    from portal.workorders.service import WorkOrderService
    pass

from portal.wiring.accounts import AccountsWiring


class WorkOrdersWiring(AccountsWiring):
    @cached_property
    def work_order_repo(self) -> WorkOrderRepository:
        from portal.workorders.repository import WorkOrderRepository

        return WorkOrderRepository(self.table)

    @cached_property
    def work_orders(self) -> WorkOrderService:
        from portal.workorders.numbers import OrderNumbers
        from portal.workorders.service import WorkOrderService

        return WorkOrderService(
            self.work_order_repo, OrderNumbers(self.table), self.clock,
            self.settings.time_zone, self._may_take_orders,
            hooks=[self.order_notices.hook, self.callback_scheduler],
            photo_check=self._order_photo, resident_of=self._resident_of,
            place_check=self._place_exists,
        )  # fmt: skip

    def _place_exists(self, loc: Location) -> None:
        """The estate, and the unit (a public area: the estate) exist in the directory."""
        from portal.errors import NotFound

        estate = self.estates.estate(loc.estate)  # NotFound("unknown_estate")
        if loc.is_public:
            return
        if not any(u.building == loc.building and u.room == loc.room for u in estate.units()):
            raise NotFound("unknown_unit", unit=f"{loc.building}/{loc.room}")

    def _resident_of(self, phone: str) -> tuple[str, frozenset[tuple[str, str, str]]] | None:
        from portal.phones import normalise

        owner = self.owners.by_phone(normalise(phone))
        if owner is None:
            return None
        return owner.owner_id, frozenset((u.estate, u.building, u.room) for u in owner.units)

    def _order_photo(self, key: str, who: str) -> str:
        from portal.workorders.model import ORDER_PHOTOS

        return self.uploads.verify_offered(key, ORDER_PHOTOS, owner_ref=who).key

    @cached_property
    def order_notices(self) -> OrderNotices:
        from portal.workorders.notices import OrderNotices

        return OrderNotices(self.tasks, self.work_order_repo, self.sender, self._staff_name,
                            self.clock, self.settings.time_zone)  # fmt: skip

    def _staff_name(self, username: str) -> str:
        account = self.staff_repo.get(username) if username else None
        return account.name if account else ""

    def _may_take_orders(self, username: str, estate: str) -> bool:
        account = self.staff_repo.get(username)
        return (
            account is not None
            and not account.disabled
            and ("admin" in account.roles or estate in account.estates)
        )

    @cached_property
    def escalation(self) -> EscalationJob:
        from portal.workorders.ladder import EscalationJob

        return EscalationJob(self.work_order_repo, self.clock)

    def climb_ladder(self) -> int:
        """The escalation job over every estate of the company (the schedule calls it)."""
        return self.escalation.run(e.slug for e in self.estates.company().estates)

    # -- callbacks (回访) ------------------------------------------------------------------

    @cached_property
    def callback_repo(self) -> CallbackRepository:
        from portal.workorders.callback_repository import CallbackRepository

        return CallbackRepository(self.table)

    @cached_property
    def callback_scheduler(self) -> CallbackScheduler:
        from portal.workorders.callbacks import CallbackScheduler

        return CallbackScheduler(self.tasks, self.settings.time_zone)

    @cached_property
    def callbacks(self) -> CallbackService:
        from portal.workorders.callbacks import CallbackService

        return CallbackService(self.callback_repo, self.work_orders, self.clock,
                               self.settings.time_zone)  # fmt: skip

    @cached_property
    def callback_notices(self) -> CallbackNotices:
        from portal.workorders.callbacks import CallbackNotices

        return CallbackNotices(self.callback_repo, self.owners, self.sender,
                               self.settings.site_url, self.clock, self.settings.time_zone)  # fmt: skip

    @cached_property
    def callback_plan(self) -> CallbackPlanner:
        from portal.workorders.callback_plan import CallbackPlanner

        return CallbackPlanner(self.callback_repo, self.owners, self.profile_repo, self.clock,
                               self.settings.time_zone)  # fmt: skip

    def plan_callbacks(self) -> PlanReport:
        """The periodic callbacks of today over every estate of the company (a daily schedule)."""
        return self.callback_plan.run(e.slug for e in self.estates.company().estates)

    # -- owner profiles (客户动态表) -------------------------------------------------------

    @cached_property
    def profile_repo(self) -> ProfileRepository:
        from portal.profiles.repository import ProfileRepository

        return ProfileRepository(self.table)

    @cached_property
    def profiles(self) -> ProfileService:
        from portal.profiles.service import ProfileService

        return ProfileService(
            self.profile_repo, self.owners, self.estates, self.work_order_repo,
            self.callback_repo, self.clock, self.settings.time_zone,
        )  # fmt: skip

    @cached_property
    def kpis(self) -> MonthlyKpis:
        """The monthly KPI report, with the callbacks and the owner profiles as its sources."""
        from portal.workorders.kpi import MonthlyKpis
        from portal.workorders.kpi_sources import CallbackKpis, ProfileKpis

        return MonthlyKpis(self.work_order_repo, self.estates, self.clock, self.settings.time_zone,
                           callbacks=CallbackKpis(self.callback_repo),
                           profiles=ProfileKpis(self.profiles))  # fmt: skip

    def task_kinds(self) -> dict[str, TaskKind]:
        from portal.tasks.runner import TaskKind
        from portal.workorders.callbacks import CALLBACK_NOTICE
        from portal.workorders.notices import NOTIFY_OWNER

        return {**super().task_kinds(),
                NOTIFY_OWNER: TaskKind(self.order_notices.deliver, max_attempts=5),
                CALLBACK_NOTICE: TaskKind(self.callback_notices.deliver, max_attempts=4)}  # fmt: skip
