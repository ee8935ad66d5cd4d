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
``work_orders``             the order repository, numbers, clock, time zone, staff accounts
``escalation``              the order repository, clock (run over every estate by the schedule)
``payment_providers``       the adapters by name (given by the caller, else built for the stage)
``bills``, ``billing_run``  the table, the estate directory, audit, clock
``statements``              the bills, clock, time zone (what owners and finance read)
``payments``, ``ledger``    the table, bills, providers, audit, clock, time zone, site URL
``refunds``                 the table, payments, bills, providers, audit, clock
``readings``                the table, audit, clock (meter readings import)
==========================  ===============================================
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
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
from portal.billing.bills import BillRepository
from portal.billing.ledger import Ledger, SweepReport
from portal.billing.payments import PaymentService
from portal.billing.providers.base import PaymentProvider
from portal.billing.readings import ReadingsImporter
from portal.billing.refunds import RefundService
from portal.billing.run import BillingRun
from portal.billing.statements import Statements
from portal.clock import Clock, system_clock
from portal.estates.directory import EstateDirectory
from portal.messaging import MessageSender, OutboxSender, SnsSender
from portal.settings import Settings
from portal.store import client as aws
from portal.store.counters import WindowCounter
from portal.store.table import Table
from portal.store.tables import MAIN
from portal.tasks.dispatch import InlineDispatcher, LambdaDispatcher, SweepOnly, WakeDispatcher
from portal.tasks.queue import Dispatcher, TaskQueue
from portal.tasks.runner import TaskKind, TaskRunner
from portal.workorders.ladder import EscalationJob
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
        providers: Mapping[str, PaymentProvider] | None = None,
    ) -> None:
        self.settings = settings
        self._providers = providers
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
            self.settings.time_zone, self._may_take_orders, hooks=[self.order_notices.hook],
        )  # fmt: skip

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

    @cached_property
    def roster(self) -> RosterImporter:
        return RosterImporter(
            self.owners, ImportLogRepository(self.table), self.audit,
            self.settings.phone_hash_key, self.clock,
        )  # fmt: skip

    # -- billing (应收, 实收, 收据, 退款) -------------------------------------------------------

    @cached_property
    def payment_providers(self) -> Mapping[str, PaymentProvider]:
        """The payment provider adapters by name: the caller's (tests), else those configured
        for the stage (:mod:`portal.billing.providers`; none yet in this branch)."""
        return dict(self._providers or {})

    @cached_property
    def bills(self) -> BillRepository:
        return BillRepository(self.table)

    @cached_property
    def billing_run(self) -> BillingRun:
        return BillingRun(self.table, self.estates, self.audit, self.clock)

    @cached_property
    def statements(self) -> Statements:
        return Statements(self.bills, self.clock, self.settings.time_zone)

    @cached_property
    def payments(self) -> PaymentService:
        return PaymentService(self.table, self.bills, self.payment_providers, self.estates,
                              self.audit, self.clock, self.settings.time_zone,
                              self.settings.site_url)  # fmt: skip

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self.table, self.payment_providers, self.audit, self.clock,
                      self.settings.time_zone)  # fmt: skip

    @cached_property
    def refunds(self) -> RefundService:
        return RefundService(self.table, self.payments, self.bills, self.payment_providers,
                             self.audit, self.clock)  # fmt: skip

    @cached_property
    def readings(self) -> ReadingsImporter:
        return ReadingsImporter(self.table, self.audit, self.clock)

    def sweep_payments(self) -> SweepReport:
        """Ask the providers about payments still pending (the schedule calls it)."""
        return self.ledger.sweep()
