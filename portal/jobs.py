"""Scheduled jobs, in one table: what runs on a clock, and how to run it by hand.

==================  ================  ===============================  ==========================
name                schedule          Zappa calls                      the work
==================  ================  ===============================  ==========================
``task-sweep``      every minute      ``functions.tasks.run_due``      tasks a failed dispatch or
                                                                       attempt left behind
``escalation``      every minute      ``functions.tasks.climb_ladder`` the work orders' ladder
``callback-plan``   every day         ``functions.tasks.plan_callbacks`` periodic callbacks planned
``payment-sweep``   every 5 minutes   ``functions.tasks.sweep_payments`` payments pending after 5
                                                                       minutes asked about at
                                                                       the provider
``refund-sweep``    every 5 minutes   ``functions.tasks.sweep_refunds`` refunds whose outcome is
                                                                       unknown asked again
``greetings``       every day         ``functions.tasks.send_greetings`` festival and birthday
                                                                       greetings, due bills and
                                                                       events, once per owner
                                                                       per occasion
``kpi-results``     every day         ``functions.tasks.prepare_results`` last month's KPI
                                                                       results per estate, from
                                                                       the 3rd, once (then a
                                                                       supervisor approves them)
``site-clock``      every minute      ``functions.tasks.tick_site``    the site rebuilt when a
                                                                       notice's publish or
                                                                       expiry time or a local
                                                                       midnight has come
==================  ================  ===============================  ==========================

:data:`JOBS` is read by everything that runs a job, so they cannot disagree:

- ``infra/zappa_settings.json``: its ``events`` are :func:`zappa_events` (a test
  compares them; ``portal jobs events`` prints them);
- the Lambda entry points: ``functions.tasks.<entry>`` exists for every job
  (:mod:`functions.tasks` makes them from this table);
- the dev server's task thread (:class:`portal.tasks.dispatch.TaskLoop`) runs each
  job every :attr:`Job.period_s` seconds;
- by hand: ``portal jobs run NAME`` (``portal jobs list`` shows the table).

**Adding a job is one line**: a :class:`Job` in :data:`JOBS` with its name, an
EventBridge ``rate(...)`` schedule, the name of its Lambda entry point and the
work, a function of the :class:`portal.wiring.Services` (which must build
whatever the job needs). Then regenerate the events of ``zappa_settings.json``
(``portal jobs events``) — the test says so if you forget.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.wiring import Services

ENTRY_MODULE = "functions.tasks"
"""Where Zappa finds every job's entry point (``functions.tasks.<entry>``)."""

_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Job:
    name: str
    """What ``portal jobs run`` takes (lower case, dashes)."""
    schedule: str
    """An EventBridge rate expression: ``rate(1 minute)``, ``rate(6 hours)``, ``rate(1 day)``."""
    entry: str
    """The name of its Lambda entry point in :mod:`functions.tasks`."""
    work: Callable[[Services], object]
    """The job itself; what it returns is logged (counts, a number of items)."""

    @property
    def function(self) -> str:
        """The dotted path Zappa's handler imports and calls on the schedule."""
        return f"{ENTRY_MODULE}.{self.entry}"

    @property
    def period_s(self) -> int:
        """Seconds between two runs (the dev server's loop runs it that often)."""
        return rate_seconds(self.schedule)

    def run(self, services: Services) -> object:
        return self.work(services)


def rate_seconds(schedule: str) -> int:
    """``rate(5 minutes)`` → 300. Only rate expressions: the local loop must understand
    every schedule, and a job that must run at a wall-clock time checks it itself."""
    m = _RATE.fullmatch(schedule)
    if not m:
        raise ValueError(f"not an EventBridge rate expression: {schedule!r}")
    count, unit = int(m[1]), m[2].rstrip("s")
    if count < 1 or (count == 1) != (m[2] == unit):  # rate(1 minute), rate(2 minutes)
        raise ValueError(f"EventBridge wants 'rate(1 {unit})' or 'rate(N {unit}s)': {schedule!r}")
    return count * _UNIT_S[unit]


JOBS: tuple[Job, ...] = (
    Job("task-sweep", "rate(1 minute)", "run_due", lambda s: s.task_runner.run_due()),
    Job("escalation", "rate(1 minute)", "climb_ladder", lambda s: s.climb_ladder()),
    Job("callback-plan", "rate(1 day)", "plan_callbacks", lambda s: s.plan_callbacks()),
    Job("payment-sweep", "rate(5 minutes)", "sweep_payments", lambda s: s.ledger.sweep()),
    Job("refund-sweep", "rate(5 minutes)", "sweep_refunds", lambda s: s.refunds.sweep()),
    Job("greetings", "rate(1 day)", "send_greetings", lambda s: s.send_greetings()),
    Job("kpi-results", "rate(1 day)", "prepare_results", lambda s: s.prepare_results()),
    Job("site-clock", "rate(1 minute)", "tick_site", lambda s: s.site_rebuilder.tick()),
)
"""Every scheduled job. One line each; see the module docstring."""


def by_name(name: str) -> Job | None:
    return next((j for j in JOBS if j.name == name), None)


def by_entry(entry: str) -> Job | None:
    return next((j for j in JOBS if j.entry == entry), None)


def zappa_events() -> list[dict[str, str]]:
    """The ``events`` of every stage in ``infra/zappa_settings.json``."""
    return [{"function": j.function, "expression": j.schedule} for j in JOBS]
