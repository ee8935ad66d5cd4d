"""The task queue (portal.tasks): a task is run once at a time, retried with back-off, given
up when too late, never lost to a failed dispatch; the dispatchers of each stage."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from portal.settings import Settings
from portal.store import keys
from portal.store.table import Table
from portal.tasks.dispatch import (
    RUN_TASK_COMMAND,
    InlineDispatcher,
    LambdaDispatcher,
    SweepOnly,
    WakeDispatcher,
)
from portal.tasks.queue import LEASE, TaskQueue
from portal.tasks.runner import BACKOFF, TaskKind, TaskRunner
from portal.wiring import Clients, Services
from tests.factories import FakeClock


class Calls:
    def __init__(self, fail: int = 0) -> None:
        self.payloads: list[Mapping[str, Any]] = []
        self.fail = fail

    def __call__(self, payload: Mapping[str, Any]) -> None:
        self.payloads.append(payload)
        if self.fail > 0:
            self.fail -= 1
            raise TimeoutError("provider did not answer")


class Recording:
    def __init__(self) -> None:
        self.notified: list[str] = []

    def notify(self, task_id: str) -> None:
        self.notified.append(task_id)


@pytest.fixture
def table(ddb: Any, settings: Settings) -> Table:
    return Table(ddb, settings.table_name("main"))


def _submit(table: Table, queue: TaskQueue, payload: Mapping[str, Any],
            give_up_after: timedelta = timedelta(hours=1)) -> str:  # fmt: skip
    task = queue.new("ping", payload, give_up_after=give_up_after)
    table.transact([task.put])
    queue.dispatch(task)
    return task.task_id


def _task(table: Table, task_id: str) -> dict[str, Any] | None:
    return table.get(keys.task(task_id))


def test_a_dispatched_task_runs_once_and_is_then_gone(table: Table, clock: FakeClock) -> None:
    calls, dispatcher = Calls(), Recording()
    runner = TaskRunner(table, {"ping": TaskKind(calls)}, clock)
    task_id = _submit(table, TaskQueue(dispatcher, clock), {"n": 1})
    assert dispatcher.notified == [task_id]
    assert runner.run(task_id) == "done"
    assert runner.run(task_id) == "skipped"  # a second dispatch of the same task
    assert runner.run_due() == {}
    assert calls.payloads == [{"n": 1}]
    assert _task(table, task_id) is None


def test_a_task_whose_dispatch_was_lost_is_run_by_the_sweep(table: Table, clock: FakeClock) -> None:
    calls = Calls()
    _submit(table, TaskQueue(SweepOnly(), clock), {"n": 2})
    assert TaskRunner(table, {"ping": TaskKind(calls)}, clock).run_due() == {"done": 1}
    assert calls.payloads == [{"n": 2}]


def test_a_task_being_run_cannot_be_claimed_by_a_second_runner(
    table: Table, clock: FakeClock
) -> None:
    task_id = _submit(table, TaskQueue(Recording(), clock), {})
    inner: list[str] = []
    second = TaskRunner(table, {"ping": TaskKind(lambda _: None)}, clock)
    first = TaskRunner(table, {"ping": TaskKind(lambda _: inner.append(second.run(task_id)))},
                       clock)  # fmt: skip
    assert first.run(task_id) == "done"
    assert inner == ["skipped"]


def test_a_task_whose_runner_died_is_run_again_when_its_lease_runs_out(
    table: Table, clock: FakeClock
) -> None:
    task_id = _submit(table, TaskQueue(Recording(), clock), {})
    table.update(keys.task(task_id), set={"state": "running", "lease": "dead-runner",
                                          "lease_until": "2026-11-22T02:01:00Z"})  # fmt: skip
    calls = Calls()
    runner = TaskRunner(table, {"ping": TaskKind(calls)}, clock)
    assert runner.run_due() == {}
    clock.now += LEASE
    assert runner.run_due() == {"done": 1}
    assert len(calls.payloads) == 1


def test_a_failing_task_is_retried_with_doubling_back_off_until_it_succeeds(
    table: Table, clock: FakeClock
) -> None:
    calls = Calls(fail=2)
    runner = TaskRunner(table, {"ping": TaskKind(calls, max_attempts=5)}, clock)
    task_id = _submit(table, TaskQueue(Recording(), clock), {})
    assert runner.run(task_id) == "retry"
    assert runner.run_due() == {}  # not yet due
    clock.now += BACKOFF
    assert runner.run_due() == {"retry": 1}
    clock.now += BACKOFF
    assert runner.run_due() == {}  # the second wait is twice as long
    clock.now += BACKOFF
    assert runner.run_due() == {"done": 1}
    assert len(calls.payloads) == 3


def test_a_task_out_of_attempts_is_kept_as_dead_with_its_last_error(
    table: Table, clock: FakeClock
) -> None:
    runner = TaskRunner(table, {"ping": TaskKind(Calls(fail=9), max_attempts=2)}, clock)
    task_id = _submit(table, TaskQueue(Recording(), clock), {})
    assert runner.run(task_id) == "retry"
    clock.now += BACKOFF
    assert runner.run(task_id) == "dead"
    item = _task(table, task_id)
    assert item is not None
    assert (item["state"], item["last_error"], item["attempts"]) == ("dead", "TimeoutError", 2)
    clock.now += timedelta(days=1)
    assert runner.run_due() == {}  # dead stays dead


def test_a_task_that_would_be_retried_too_late_is_given_up(table: Table, clock: FakeClock) -> None:
    runner = TaskRunner(table, {"ping": TaskKind(Calls(fail=9), max_attempts=9)}, clock)
    task_id = _submit(table, TaskQueue(Recording(), clock), {}, give_up_after=timedelta(seconds=10))
    assert runner.run(task_id) == "dead"


def test_a_task_of_an_unknown_kind_is_given_up_not_run(table: Table, clock: FakeClock) -> None:
    task_id = _submit(table, TaskQueue(Recording(), clock), {})
    assert TaskRunner(table, {}, clock).run(task_id) == "dead"


@pytest.mark.parametrize("task_id", ["", "TASK", "../../etc", "x" * 500, "2026-11-22T02:00:00Z#zz"])
def test_a_malformed_task_id_from_an_invoke_is_skipped(
    table: Table, clock: FakeClock, task_id: str
) -> None:
    assert TaskRunner(table, {}, clock).run(task_id) == "skipped"


# ----------------------------------------------------------------------------- dispatchers


class FakeLambda:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if self.error:
            raise self.error
        return {"StatusCode": 202}


def test_on_lambda_a_task_is_dispatched_as_an_async_invoke_of_zappas_command_route() -> None:
    client = FakeLambda()
    LambdaDispatcher(client, "owner-portal-prod").notify("2026-11-22T02:00:00Z#" + "a" * 32)
    (call,) = client.calls
    assert call["FunctionName"] == "owner-portal-prod"
    assert call["InvocationType"] == "Event"
    assert json.loads(call["Payload"]) == {"command": RUN_TASK_COMMAND,
                                           "task_id": "2026-11-22T02:00:00Z#" + "a" * 32}  # fmt: skip


def test_a_failed_invoke_does_not_fail_the_request() -> None:
    LambdaDispatcher(FakeLambda(ConnectionError("throttled")), "f").notify("t")


def test_each_stage_gets_its_dispatcher(ddb: Any, settings: Settings) -> None:
    def dispatcher(**changes: Any) -> object:
        cfg = settings.with_(**changes)
        return Services(cfg, Clients(cfg, dynamodb=ddb, lambda_=FakeLambda())).dispatcher

    assert isinstance(dispatcher(stage="test"), InlineDispatcher)
    assert isinstance(dispatcher(stage="local"), WakeDispatcher)
    assert isinstance(dispatcher(stage="prod", function_name="owner-portal-prod"),
                      LambdaDispatcher)  # fmt: skip
    assert isinstance(dispatcher(stage="prod"), SweepOnly)  # a command line: the sweep runs it


def test_the_run_command_exists_where_zappa_will_look_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    monkeypatch.setenv("PORTAL_STAGE", "test")  # functions.wsgi builds the app on import
    module, _, name = RUN_TASK_COMMAND.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))


def test_every_scheduled_function_in_zappa_settings_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from portal import ROOT

    monkeypatch.setenv("PORTAL_STAGE", "test")
    stages = json.loads((ROOT / "infra" / "zappa_settings.json").read_text(encoding="utf-8"))
    for stage in ("dev", "prod"):
        functions = {e["function"] for e in stages[stage]["events"]}
        assert {"functions.tasks.run_due", "functions.tasks.climb_ladder",
                "functions.tasks.sweep_payments"} <= functions  # fmt: skip
        for path in functions:
            module, _, name = path.rpartition(".")
            assert callable(getattr(importlib.import_module(module), name)), path
