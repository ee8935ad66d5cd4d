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
``payment_providers``       the payment settings, the providers' HTTP transport, clock; the
                            sandbox (local, test) on the table, tasks and a throw-away key
``bills``, ``billing_run``  the table, the estate directory, audit, clock
``statements``              the bills, clock, time zone (what owners and finance read)
``payments``, ``ledger``    the table, bills, payment providers, audit, clock, time zone, site URL
``refunds``                 the table, payments, bills, payment providers, audit, clock
``readings``                the table, audit, clock (meter readings import)
``areas``                   the table, audit, clock (unit areas import)
``statement_imports``       the reconcile repository (the table), audit, clock
``publishing``              the publishing repository (the table), audit, tasks, estates, clock
``site_rebuilder``          settings (content, build folder, site URL), the repository, clock;
                            on AWS the ``live_site`` (site bucket, CloudFront, the lease;
                            refused without ``site_bucket`` and ``cdn_distribution``)
``reconcile_days``          the reconcile repository, audit, clock (match, resolve, close)
``offline_payments``        the table, bills, audit, clock, time zone (desk, door, debit)
``handovers``               the table, audit, clock, time zone (a guard's cash, the foreman)
``direct_debits``           offline payments, bills, owners, tasks, sender, audit, clock
``collection``              the table, bills, clock, time zone (收缴率 reports)
``arrears``                 the table, bills, owners, tasks, sender, audit, clock (欠费, 催缴)
``acknowledgements``        the table, estates, owners, audit, clock (已知晓 and its coverage)
``commitments``             the table, KPIs, estates, audit, clock (monthly results made public)
``greetings``               the table, owners, profiles, bills, events, tasks, sender, audit,
                            clock, time zone (festivals, birthdays, due bills, events)
``events``                  the table, owners, audit, clock (community event sign-ups)
==========================  ===============================================
"""

from __future__ import annotations

from portal.wiring.clients import Clients
from portal.wiring.owner_comms import OwnerCommsWiring
from portal.wiring.publishing import PublishingWiring
from portal.wiring.reconcile import ReconcileWiring

__all__ = ["Clients", "Services"]


class Services(OwnerCommsWiring, ReconcileWiring, PublishingWiring):
    """Every service of the portal for one settings object (see the module's table).

    Built from one part per domain (:mod:`portal.wiring.core`, ``accounts``, ``workorders``,
    ``payments``, ``billing``, ``finance``, ``reconcile``, ``owner_comms``, ``publishing``);
    each part adds its kinds of task to :meth:`task_kinds`.
    """
