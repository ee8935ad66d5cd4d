"""The one composition root: every service, built from settings, clients, a clock and a sender.

The Flask app (``functions.context``), the command line (``portal.cli``), the
local server and the tests all take their services from a :class:`Services`;
no service builds its own collaborators. Everything is built lazily on first
use and then kept (services hold no per-request state), so a Lambda cold start
that serves ``/api/health`` builds one DynamoDB client and nothing else.

==========================  ===============================================
what                        built from
==========================  ===============================================
``table``                   the DynamoDB client + ``settings.table_name``
``audit``, ``sessions``     the table + the clock
``owners``, ``staff_repo``  the table (+ the phone-hash key)
``estates``                 the table + the clock (the estate directory)
``counters``                the table + the clock (every rate limit)
``sender``                  the local outbox (local, test) or SNS (dev, prod)
``dispatcher``              runs tasks soon: inline (test), the dev server's loop (local),
                            an async invoke of the function (dev, prod)
``tasks``, ``task_runner``  the table, the dispatcher, the clock; every kind of task
``owner_sign_in``           owners, audit, counters, tasks, sender, key, clock
``staff_sign_in``           staff_repo, login throttle, sessions, audit, hashing, clock
``staff``                   staff_repo, sessions, throttle, audit, estates, hashing,
                            clock
``roster``                  owners, import log, audit, key, clock
``work_orders``             the order repository, numbers, clock, time zone, staff accounts,
                            the hooks (the callback scheduler)
``escalation``              the order repository, clock (run over every estate by the schedule)
``uploads``                 the S3 client + ``settings.uploads_bucket``, clock
                            (refused without a bucket, and in the local
                            stage without a loopback S3 endpoint)
``callbacks``               the callback repository, work orders, clock, time zone
``callback_scheduler``      tasks, time zone (a work-order hook: callbacks made with resolves)
``callback_notices``        callbacks, owners, sender, site URL, clock (the owner's SMS task)
``callback_plan``           callbacks, owners, profiles, clock, time zone (periodic callbacks)
``profiles``                profiles, owners, estates, orders, callbacks, clock, time zone
``kpis``                    the order repository, estates, clock, time zone (callbacks and
                            profiles plug in here once they exist)
==========================  ===============================================
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

from portal.accounts.audit import AuditLog
from portal.accounts.owners import OwnerRepository
from portal.accounts.passwords import PasswordHashing, default_hashing
from portal.accounts.roster.importer import RosterImporter
from portal.accounts.roster.log import ImportLogRepository
from portal.accounts.sessions import SessionStore
from portal.accounts.signin.owner import DELIVER_CODE, OwnerSignInService
from portal.accounts.signin.staff import LoginThrottle, StaffSignInService
from portal.accounts.staff.repository import StaffRepository
from portal.accounts.staff.service import StaffService
from portal.clock import Clock, system_clock
from portal.errors import NotFound
from portal.estates.directory import EstateDirectory
from portal.messaging import MessageSender, OutboxSender, SnsSender
from portal.phones import normalise
from portal.profiles.repository import ProfileRepository
from portal.profiles.service import ProfileService
from portal.settings import ConfigurationError, Settings
from portal.store import client as aws
from portal.store.counters import WindowCounter
from portal.store.objects import Bucket
from portal.store.table import Table
from portal.store.tables import MAIN
from portal.tasks.dispatch import InlineDispatcher, LambdaDispatcher, SweepOnly, WakeDispatcher
from portal.tasks.queue import Dispatcher, TaskQueue
from portal.tasks.runner import TaskKind, TaskRunner
from portal.uploads.service import UploadService
from portal.workorders.callback_plan import CallbackPlanner, PlanReport
from portal.workorders.callback_repository import CallbackRepository
from portal.workorders.callbacks import (
    CALLBACK_NOTICE,
    CallbackNotices,
    CallbackScheduler,
    CallbackService,
)  # fmt: skip
from portal.workorders.kpi import MonthlyKpis
from portal.workorders.kpi_sources import CallbackKpis, ProfileKpis
from portal.workorders.ladder import EscalationJob
from portal.workorders.model import ORDER_PHOTOS, Location
from portal.workorders.notices import NOTIFY_OWNER, OrderNotices
from portal.workorders.numbers import OrderNumbers
from portal.workorders.repository import WorkOrderRepository
from portal.workorders.service import WorkOrderService


class Clients:
    """The AWS clients of one process, each created on first use (thread-safe).

    Tests pass ready-made clients (moto, DynamoDB Local); otherwise they come
    from :mod:`portal.store.client` with its local guard.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        dynamodb: Any = None,
        s3: Any = None,
        sns: Any = None,
        lambda_: Any = None,
    ) -> None:
        self.settings = settings
        self._made: dict[str, Any] = {"dynamodb": dynamodb, "s3": s3, "sns": sns,
                                      "lambda": lambda_}  # fmt: skip
        self._lock = threading.Lock()

    def _get(self, name: str) -> Any:
        made = self._made[name]
        if made is None:
            with self._lock:
                made = self._made[name]
                if made is None:
                    factory = {
                        "dynamodb": aws.dynamodb_client,
                        "s3": aws.s3_client,
                        "sns": aws.sns_client,
                        "lambda": aws.lambda_client,
                    }[name]
                    made = self._made[name] = factory(self.settings)
        return made

    @property
    def dynamodb(self) -> Any:
        return self._get("dynamodb")

    @property
    def s3(self) -> Any:
        return self._get("s3")

    @property
    def sns(self) -> Any:
        return self._get("sns")

    @property
    def lambda_(self) -> Any:
        return self._get("lambda")


class Services:
    """Every service of the portal for one settings object (see the module's table)."""

    def __init__(
        self,
        settings: Settings,
        clients: Clients | None = None,
        clock: Clock = system_clock,
        sender: MessageSender | None = None,
        password_hashing: PasswordHashing | None = None,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        self.settings = settings
        self.clients = clients or Clients(settings)
        self.clock = clock
        self._sender = sender
        self._dispatcher = dispatcher
        self.password_hashing = password_hashing or default_hashing()
        """argon2id with the production parameters unless the caller (a test) gives others."""

    # -- the store ---------------------------------------------------------------------

    @cached_property
    def table(self) -> Table:
        return Table(self.clients.dynamodb, self.settings.table_name(MAIN.suffix))

    @cached_property
    def counters(self) -> WindowCounter:
        return WindowCounter(self.table, self.clock)

    # -- platform ----------------------------------------------------------------------

    @cached_property
    def sender(self) -> MessageSender:
        """The local outbox in the local and test stages, SNS in dev and prod."""
        if self._sender is not None:
            return self._sender
        if self.settings.is_local:
            return self.outbox
        return SnsSender(self.clients.sns)

    @cached_property
    def outbox(self) -> OutboxSender:
        return OutboxSender(self.table, self.clock)

    @cached_property
    def dispatcher(self) -> Dispatcher:
        """How tasks written by a request get run soon (see :mod:`portal.tasks.dispatch`)."""
        if self._dispatcher is not None:
            return self._dispatcher
        if self.settings.stage == "test":
            return InlineDispatcher(lambda: self.task_runner)
        if self.settings.is_local:
            return WakeDispatcher()  # the dev server's task loop waits on it
        if self.settings.function_name:
            return LambdaDispatcher(self.clients.lambda_, self.settings.function_name)
        return SweepOnly()

    @cached_property
    def tasks(self) -> TaskQueue:
        return TaskQueue(self.dispatcher, self.clock)

    @cached_property
    def task_runner(self) -> TaskRunner:
        """Every kind of task, with its handler: the one list of work done off the request."""
        return TaskRunner(self.table, {
            DELIVER_CODE: TaskKind(self.owner_sign_in.deliver, max_attempts=4),
            NOTIFY_OWNER: TaskKind(self.order_notices.deliver, max_attempts=5),
            CALLBACK_NOTICE: TaskKind(self.callback_notices.deliver, max_attempts=4),
        }, self.clock)  # fmt: skip

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.table, self.clock)

    # -- estates -----------------------------------------------------------------------

    @cached_property
    def estates(self) -> EstateDirectory:
        return EstateDirectory(self.table, self.clock)

    # -- accounts ----------------------------------------------------------------------

    @cached_property
    def sessions(self) -> SessionStore:
        return SessionStore(self.table, self.clock)

    @cached_property
    def owners(self) -> OwnerRepository:
        return OwnerRepository(self.table, self.settings.phone_hash_key)

    @cached_property
    def staff_repo(self) -> StaffRepository:
        return StaffRepository(self.table)

    @cached_property
    def login_throttle(self) -> LoginThrottle:
        return LoginThrottle(self.counters, self.settings.phone_hash_key)

    @cached_property
    def owner_sign_in(self) -> OwnerSignInService:
        return OwnerSignInService(
            self.table, self.owners, self.audit, self.counters, self.tasks, self.sender,
            self.settings.phone_hash_key, self.clock,
        )  # fmt: skip

    @cached_property
    def staff_sign_in(self) -> StaffSignInService:
        return StaffSignInService(
            self.staff_repo, self.login_throttle, self.sessions, self.audit,
            self.password_hashing, self.settings.phone_hash_key, self.clock,
        )  # fmt: skip

    @cached_property
    def staff(self) -> StaffService:
        return StaffService(
            self.staff_repo, self.sessions, self.login_throttle, self.audit, self.estates,
            self.password_hashing, self.clock,
        )  # fmt: skip

    # -- work orders ---------------------------------------------------------------------

    @cached_property
    def work_order_repo(self) -> WorkOrderRepository:
        return WorkOrderRepository(self.table)

    @cached_property
    def work_orders(self) -> WorkOrderService:
        return WorkOrderService(
            self.work_order_repo, OrderNumbers(self.table), self.clock,
            self.settings.time_zone, self._may_take_orders,
            hooks=[self.order_notices.hook, self.callback_scheduler],
            photo_check=self._order_photo, resident_of=self._resident_of,
            place_check=self._place_exists,
        )  # fmt: skip

    def _place_exists(self, loc: Location) -> None:
        """The estate, and the unit (a public area: the estate) exist in the directory."""
        estate = self.estates.estate(loc.estate)  # NotFound("unknown_estate")
        if loc.is_public:
            return
        if not any(u.building == loc.building and u.room == loc.room for u in estate.units()):
            raise NotFound("unknown_unit", unit=f"{loc.building}/{loc.room}")

    def _resident_of(self, phone: str) -> tuple[str, frozenset[tuple[str, str, str]]] | None:
        owner = self.owners.by_phone(normalise(phone))
        if owner is None:
            return None
        return owner.owner_id, frozenset((u.estate, u.building, u.room) for u in owner.units)

    def _order_photo(self, key: str, who: str) -> str:
        return self.uploads.verify_offered(key, ORDER_PHOTOS, owner_ref=who).key

    @cached_property
    def order_notices(self) -> OrderNotices:
        return OrderNotices(self.tasks, self.work_order_repo, self.sender, self._staff_name,
                            self.clock, self.settings.time_zone)  # fmt: skip

    def _staff_name(self, username: str) -> str:
        account = self.staff_repo.get(username) if username else None
        return account.name if account else ""

    def _may_take_orders(self, username: str, estate: str) -> bool:
        account = self.staff_repo.get(username)
        return account is not None and not account.disabled and (
            "admin" in account.roles or estate in account.estates
        )

    @cached_property
    def escalation(self) -> EscalationJob:
        return EscalationJob(self.work_order_repo, self.clock)

    def climb_ladder(self) -> int:
        """The escalation job over every estate of the company (the schedule calls it)."""
        return self.escalation.run(e.slug for e in self.estates.company().estates)

    # -- callbacks (回访) ------------------------------------------------------------------

    @cached_property
    def callback_repo(self) -> CallbackRepository:
        return CallbackRepository(self.table)

    @cached_property
    def callback_scheduler(self) -> CallbackScheduler:
        return CallbackScheduler(self.tasks, self.settings.time_zone)

    @cached_property
    def callbacks(self) -> CallbackService:
        return CallbackService(self.callback_repo, self.work_orders, self.clock,
                               self.settings.time_zone)  # fmt: skip

    @cached_property
    def callback_notices(self) -> CallbackNotices:
        return CallbackNotices(self.callback_repo, self.owners, self.sender,
                               self.settings.site_url, self.clock, self.settings.time_zone)  # fmt: skip

    @cached_property
    def callback_plan(self) -> CallbackPlanner:
        return CallbackPlanner(self.callback_repo, self.owners, self.profile_repo, self.clock,
                               self.settings.time_zone)  # fmt: skip

    def plan_callbacks(self) -> PlanReport:
        """The periodic callbacks of today over every estate of the company (a daily schedule)."""
        return self.callback_plan.run(e.slug for e in self.estates.company().estates)

    # -- owner profiles (客户动态表) -------------------------------------------------------

    @cached_property
    def profile_repo(self) -> ProfileRepository:
        return ProfileRepository(self.table)

    @cached_property
    def profiles(self) -> ProfileService:
        return ProfileService(
            self.profile_repo, self.owners, self.estates, self.work_order_repo,
            self.callback_repo, self.clock, self.settings.time_zone,
        )  # fmt: skip

    @cached_property
    def kpis(self) -> MonthlyKpis:
        """The monthly KPI report, with the callbacks and the owner profiles as its sources."""
        return MonthlyKpis(self.work_order_repo, self.estates, self.clock, self.settings.time_zone,
                           callbacks=CallbackKpis(self.callback_repo),
                           profiles=ProfileKpis(self.profiles))  # fmt: skip

    @cached_property
    def roster(self) -> RosterImporter:
        return RosterImporter(
            self.owners, ImportLogRepository(self.table), self.audit,
            self.settings.phone_hash_key, self.clock,
        )  # fmt: skip

    # -- uploads -----------------------------------------------------------------------

    @cached_property
    def uploads(self) -> UploadService:
        """Photos straight to S3; :class:`ConfigurationError` rather than a guessed bucket,
        or a local run whose S3 calls could reach AWS."""
        settings = self.settings
        if not settings.uploads_bucket:
            raise ConfigurationError(
                "PORTAL_UPLOADS_BUCKET is not set: name the bucket photos are uploaded to"
            )
        if settings.stage == "local" and not aws.is_loopback_endpoint(settings.s3_endpoint):
            raise ConfigurationError(
                "the local stage uploads only to the S3 stand-in on this machine: set "
                "PORTAL_S3_ENDPOINT to its http://127.0.0.1:<port> address (portal dev does)"
            )
        return UploadService(Bucket(self.clients.s3, settings.uploads_bucket), self.clock)
