"""The platform part of the wiring: the store, messages, tasks, the audit log, estates, uploads."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from portal.clock import system_clock
from portal.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    from portal.accounts.audit import AuditLog
    from portal.accounts.passwords import PasswordHashing
    from portal.billing.accounts import ProviderAccounts
    from portal.billing.providers.http import Transport
    from portal.clock import Clock
    from portal.estates.directory import EstateDirectory
    from portal.messaging import MessageSender, OutboxSender
    from portal.store.counters import WindowCounter
    from portal.store.table import Table
    from portal.tasks.queue import Dispatcher, TaskQueue
    from portal.tasks.runner import TaskKind, TaskRunner
    from portal.uploads.service import UploadService

from portal.wiring.clients import Clients


class Core:
    """What every part of the wiring builds on (see :mod:`portal.wiring` for the table)."""

    def __init__(
        self,
        settings: Settings,
        clients: Clients | None = None,
        clock: Clock = system_clock,
        sender: MessageSender | None = None,
        password_hashing: PasswordHashing | None = None,
        dispatcher: Dispatcher | None = None,
        payment_transport: Transport | None = None,
        payment_accounts: ProviderAccounts | None = None,
    ) -> None:
        self.settings = settings
        self.clients = clients or Clients(settings)
        self.clock = clock
        self._sender = sender
        self._dispatcher = dispatcher
        self._payment_transport = payment_transport
        self._payment_accounts = payment_accounts
        """The payment accounts the ledger uses, if the caller (a test) gives its own."""
        self._password_hashing = password_hashing

    # Built on first use like the rest: an HTTPS opener loads the CA bundle and argon2 its
    # library, which a cold start that neither pays nor signs in has no use for.

    @cached_property
    def payment_transport(self) -> Transport:
        """How the payment providers talk HTTP: urllib, or no network in the test stage (tests
        stand in for Alipay, WeChat Pay and the notify URL the sandbox posts to)."""
        from portal.billing.providers.http import OfflineTransport, UrllibTransport

        if self._payment_transport is not None:
            return self._payment_transport
        return OfflineTransport() if self.settings.stage == "test" else UrllibTransport()

    @cached_property
    def password_hashing(self) -> PasswordHashing:
        """argon2id with the production parameters unless the caller (a test) gives others."""
        from portal.accounts.passwords import default_hashing

        return self._password_hashing or default_hashing()

    # -- the store ---------------------------------------------------------------------

    @cached_property
    def table(self) -> Table:
        from portal.store.table import Table
        from portal.store.tables import MAIN

        return Table(self.clients.dynamodb, self.settings.table_name(MAIN.suffix))

    @cached_property
    def counters(self) -> WindowCounter:
        from portal.store.counters import WindowCounter

        return WindowCounter(self.table, self.clock)

    # -- platform ----------------------------------------------------------------------

    @cached_property
    def sender(self) -> MessageSender:
        """The local outbox in the local and test stages, SNS in dev and prod; every message
        signed with the company's name."""
        from portal.messaging import SignedSender, SnsSender

        if self._sender is not None:
            inner = self._sender
        elif self.settings.is_local:
            inner = self.outbox
        else:
            inner = SnsSender(self.clients.sns)
        return SignedSender(inner, self._sms_signature)

    def _sms_signature(self) -> str:
        """The SMS signature from the estate directory (cached a minute): the registered one,
        else the company's name."""
        from portal.errors import Unavailable

        try:
            return self.estates.company().signature()
        except Unavailable:
            return ""

    @cached_property
    def outbox(self) -> OutboxSender:
        from portal.messaging import OutboxSender

        return OutboxSender(self.table, self.clock)

    @cached_property
    def dispatcher(self) -> Dispatcher:
        """How tasks written by a request get run soon (see :mod:`portal.tasks.dispatch`)."""
        from portal.tasks.dispatch import (
            InlineDispatcher,
            LambdaDispatcher,
            SweepOnly,
            WakeDispatcher,
        )

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
        from portal.tasks.queue import TaskQueue

        return TaskQueue(self.dispatcher, self.clock)

    @cached_property
    def audit(self) -> AuditLog:
        from portal.accounts.audit import AuditLog

        return AuditLog(self.table, self.clock)

    # -- estates -----------------------------------------------------------------------

    @cached_property
    def estates(self) -> EstateDirectory:
        from portal.estates.directory import EstateDirectory

        return EstateDirectory(self.table, self.clock)

    # -- uploads -----------------------------------------------------------------------

    @cached_property
    def uploads(self) -> UploadService:
        """Photos straight to S3; :class:`ConfigurationError` rather than a guessed bucket,
        or a local run whose S3 calls could reach AWS."""
        from portal.store import client as aws
        from portal.store.objects import Bucket
        from portal.uploads.service import UploadService

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

    # -- tasks: every part adds its kinds ---------------------------------------------

    @cached_property
    def task_runner(self) -> TaskRunner:
        """Every kind of task, with its handler: the work done off the request."""
        from portal.tasks.runner import TaskRunner

        return TaskRunner(self.table, self.task_kinds(), self.clock)

    def task_kinds(self) -> dict[str, TaskKind]:
        """The kinds of task of this part of the wiring (each part adds its own to these)."""
        return {}
