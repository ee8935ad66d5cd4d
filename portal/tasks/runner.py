"""Running tasks: claim, run the handler, then complete, retry or give up.

Each kind of task is declared once, in the wiring, as a :class:`TaskKind`: its
handler and how many attempts it gets. A handler receives the task's payload;
returning means done, raising means "try again later" (back-off
:data:`BACKOFF`, doubled each attempt), until the attempts are used up or the
task's ``give_up_at`` has passed, when it is marked dead and logged.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from portal.clock import Clock, iso
from portal.store import keys
from portal.store.errors import ConditionFailed
from portal.store.table import Table
from portal.tasks.queue import LEASE, Task, claimable, state_of, still_leased_by, task_of

logger = logging.getLogger(__name__)

Handler = Callable[[Mapping[str, Any]], None]
Outcome = Literal["done", "retry", "dead", "skipped"]
BACKOFF = timedelta(seconds=15)
SWEEP_BATCH = 100
"""Tasks one sweep takes on at most (the next sweep takes the rest)."""
_TASK_ID = re.compile(r"[0-9T:.+Z-]{20,40}#[0-9a-f]{32}")


@dataclass(frozen=True)
class TaskKind:
    handler: Handler
    max_attempts: int = 5


class TaskRunner:
    """Runs tasks of the kinds it knows; any number of runners may share the queue."""

    def __init__(self, table: Table, kinds: Mapping[str, TaskKind], clock: Clock) -> None:
        self.table, self.kinds, self.clock = table, kinds, clock

    def run(self, task_id: str) -> Outcome:
        """Run one task if it is claimable now; ``skipped`` if it is not (done, leased, later)."""
        if not _TASK_ID.fullmatch(task_id):
            logger.warning("not a task id: %r", task_id[:80])
            return "skipped"
        task = self._claim(task_id)
        if task is None:
            return "skipped"
        kind = self.kinds.get(task.kind)
        if kind is None:
            logger.error("task %s has an unknown kind %r", task.task_id, task.kind)
            return self._give_up(task, "unknown_kind")
        try:
            kind.handler(task.payload)
        except Exception as exc:
            # The exception's text may carry personal data (a provider echoing a number).
            logger.warning("task %s (%s) failed on attempt %d: %s",
                           task.task_id, task.kind, task.attempts, type(exc).__name__)  # fmt: skip
            return self._retry_or_give_up(task, kind, type(exc).__name__)
        self._complete(task)
        return "done"

    def run_due(self, limit: int = SWEEP_BATCH) -> dict[str, int]:
        """Run every task that is due (the scheduled sweep); how many ended which way."""
        now = iso(self.clock())
        counts: dict[str, int] = {}
        taken = 0
        for item in self.table.iter_query(keys.TASK_PARTITION, consistent=True):
            if taken >= limit:
                break
            state = state_of(item)
            due = (state == "pending" and str(item.get("due_at", "")) <= now) or (
                state == "running" and str(item.get("lease_until", "")) <= now
            )
            if not due:
                continue
            taken += 1
            outcome = self.run(str(item["sk"]))
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    # -- the lifecycle -------------------------------------------------------------

    def _claim(self, task_id: str) -> Task | None:
        now = self.clock()
        try:
            item = self.table.update(
                keys.task(task_id),
                set={
                    "state": "running",
                    "lease": uuid.uuid4().hex,
                    "lease_until": iso(now + LEASE),
                },
                add={"attempts": 1},
                condition=claimable(now),
                returns="ALL_NEW",
            )
        except ConditionFailed:
            return None  # done already, another runner has it, or not due yet
        return task_of(item)

    def _complete(self, task: Task) -> None:
        try:
            self.table.delete(keys.task(task.task_id), still_leased_by(task.lease))
        except ConditionFailed:
            # Our lease ran out and another runner took the task: it will finish it.
            logger.warning("task %s finished after its lease ran out", task.task_id)

    def _retry_or_give_up(self, task: Task, kind: TaskKind, error: str) -> Outcome:
        now = self.clock()
        retry_at = now + BACKOFF * (2 ** (task.attempts - 1))
        if task.attempts >= kind.max_attempts or iso(retry_at) >= task.give_up_at:
            return self._give_up(task, error)
        self._set(task, {"state": "pending", "due_at": iso(retry_at), "last_error": error})
        return "retry"

    def _give_up(self, task: Task, error: str) -> Outcome:
        logger.error("task %s (%s) given up after %d attempt(s): %s",
                     task.task_id, task.kind, task.attempts, error)  # fmt: skip
        self._set(task, {"state": "dead", "last_error": error, "dead_at": iso(self.clock())})
        return "dead"

    def _set(self, task: Task, values: Mapping[str, Any]) -> None:
        try:
            self.table.update(keys.task(task.task_id), set=values, remove=("lease", "lease_until"),
                              condition=still_leased_by(task.lease))  # fmt: skip
        except ConditionFailed:
            logger.warning("task %s: lease lost before recording its outcome", task.task_id)
