"""How a task written by a request gets run soon, per stage.

==============  ======================  ==============================================
stage           dispatcher              what "soon" is
==============  ======================  ==============================================
dev, prod       :class:`LambdaDispatcher` an asynchronous invoke of this very function
                                        (``InvocationType=Event``), run by Zappa's
                                        ``command`` route: :func:`functions.tasks.run_task`
local           :class:`WakeDispatcher`   wakes the dev server's task thread
                                        (:class:`TaskLoop`), which also sweeps each second
test            :class:`InlineDispatcher` runs the task at once, in the caller's thread
                                        (so a test reads the outbox right after)
==============  ======================  ==============================================

Every dispatcher does the same on the request path whatever the task holds,
and never raises: a dispatch that fails is only logged, because the
scheduled sweep (every minute on AWS) runs whatever is still due.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from portal.tasks.runner import TaskRunner

logger = logging.getLogger(__name__)

RUN_TASK_COMMAND = "functions.tasks.run_task"
"""What Zappa's handler imports and calls for a ``{"command": ...}`` event."""


class LambdaDispatcher:
    """An asynchronous invoke of the function itself (dev and prod)."""

    def __init__(self, client: Any, function_name: str) -> None:
        self.client, self.function_name = client, function_name

    def notify(self, task_id: str) -> None:
        payload = json.dumps({"command": RUN_TASK_COMMAND, "task_id": task_id})
        try:
            self.client.invoke(FunctionName=self.function_name, InvocationType="Event",
                               Payload=payload.encode())  # fmt: skip
        except Exception as exc:
            logger.warning("task %s not dispatched (%s): the sweep will run it",
                           task_id, type(exc).__name__)  # fmt: skip


class SweepOnly:
    """No dispatch (a command-line run against AWS): the scheduled sweep runs the task."""

    def notify(self, task_id: str) -> None:
        logger.info("task %s left to the scheduled sweep", task_id)


class InlineDispatcher:
    """Runs the task at once in the caller's thread (the test stage)."""

    def __init__(self, runner: Callable[[], TaskRunner]) -> None:
        self.runner = runner

    def notify(self, task_id: str) -> None:
        try:
            self.runner().run(task_id)
        except Exception:  # a store error: the task stays for the sweep, as on AWS
            logger.exception("task %s could not be run inline", task_id)


class WakeDispatcher:
    """Wakes the local task thread (the local stage)."""

    def __init__(self) -> None:
        self.wake = threading.Event()

    def notify(self, task_id: str) -> None:
        self.wake.set()


class TaskLoop:
    """The dev server's task thread: runs what is due when woken, and every ``interval_s``;
    and each ``periodic`` job, ``(period_s, job)``, every ``period_s`` seconds (the scheduled
    jobs of :data:`portal.jobs.JOBS`, on their own schedules)."""

    def __init__(self, runner: TaskRunner, wake: threading.Event, interval_s: float = 1.0,
                 periodic: Sequence[tuple[float, Callable[[], object]]] = ()) -> None:  # fmt: skip
        self.runner, self.wake, self.interval_s = runner, wake, interval_s
        self.periodic = tuple(periodic)
        self._next_run = [0.0] * len(self.periodic)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="portal-dev-tasks", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout=5)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.wake.wait(self.interval_s)
            self.wake.clear()
            if self.stopping.is_set():
                return
            try:
                self.runner.run_due()
            except Exception:  # DynamoDB Local restarting, say: try again next round
                logger.exception("local task run failed")
            self.run_periodic()

    def run_periodic(self) -> None:
        """Run each periodic job whose time has come (one failing does not stop the others)."""
        for i, (period_s, job) in enumerate(self.periodic):
            now = time.monotonic()
            if now < self._next_run[i]:
                continue
            self._next_run[i] = now + period_s
            try:
                job()
            except Exception:
                logger.exception("local periodic job failed")
