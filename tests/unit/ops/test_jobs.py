"""The scheduled jobs: one table, read by Zappa's settings, the Lambda entry points, the dev
server's loop and ``portal jobs``."""

from __future__ import annotations

import importlib
import json
import threading
import time
from typing import Any

import click
import pytest
from click.testing import CliRunner

from portal import ROOT
from portal.cli import jobs as jobs_cli
from portal.jobs import JOBS, by_name, rate_seconds, zappa_events
from portal.tasks.dispatch import TaskLoop
from portal.wiring import Services

ZAPPA_SETTINGS = ROOT / "infra" / "zappa_settings.json"


def test_the_events_of_every_zappa_stage_are_the_job_table() -> None:
    stages = json.loads(ZAPPA_SETTINGS.read_text(encoding="utf-8"))
    for name, stage in stages.items():
        assert stage["events"] == zappa_events(), (
            f"{name}: regenerate the events with `portal jobs events`"
        )


def test_every_job_has_a_lambda_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_STAGE", "test")  # functions.wsgi builds the app on import
    for job in JOBS:
        module, _, name = job.function.rpartition(".")
        entry = getattr(importlib.import_module(module), name)
        assert callable(entry) and entry.__name__ == job.entry
    tasks = importlib.import_module("functions.tasks")
    with pytest.raises(AttributeError):
        tasks.no_such_job  # noqa: B018


def test_names_and_entries_are_unique_and_schedules_are_rates() -> None:
    assert len({j.name for j in JOBS}) == len(JOBS)
    assert len({j.entry for j in JOBS}) == len(JOBS)
    assert {j.name for j in JOBS} >= {"task-sweep", "escalation"}
    assert all(j.period_s >= 60 for j in JOBS)


@pytest.mark.parametrize(("expression", "seconds"), [
    ("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(1 hour)", 3600),
    ("rate(6 hours)", 21600), ("rate(1 day)", 86400),
])  # fmt: skip
def test_rate_expressions(expression: str, seconds: int) -> None:
    assert rate_seconds(expression) == seconds


@pytest.mark.parametrize("expression", [
    "rate(1 minutes)", "rate(2 minute)", "rate(0 minutes)", "cron(0 2 * * ? *)", "1 minute",
])  # fmt: skip
def test_what_eventbridge_or_the_local_loop_would_not_take_is_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        rate_seconds(expression)


def test_a_job_run_by_its_entry_point_uses_the_apps_services(
    monkeypatch: pytest.MonkeyPatch, services: Services
) -> None:
    monkeypatch.setenv("PORTAL_STAGE", "test")
    tasks = importlib.import_module("functions.tasks")
    monkeypatch.setattr(tasks, "services", lambda: services)
    assert tasks.run_due({"detail-type": "Scheduled Event"}, None) == {}
    assert tasks.climb_ladder(None, None) == 0


def test_the_local_loop_runs_each_periodic_job_on_its_own_period() -> None:
    calls: list[str] = []
    runner: Any = type("R", (), {"run_due": lambda self: {}})()

    def boom() -> None:
        calls.append("boom")
        raise RuntimeError("a failing job does not stop the others")

    loop = TaskLoop(runner, threading.Event(), periodic=[
        (3600.0, lambda: calls.append("hourly")), (0.0, boom), (0.0, lambda: calls.append("now")),
    ])  # fmt: skip
    loop.run_periodic()
    loop.run_periodic()
    assert calls.count("hourly") == 1
    assert calls.count("boom") == 2 and calls.count("now") == 2


def test_the_dev_server_loop_has_every_job() -> None:
    from functions.local.server import _task_loop

    fake: Any = type("Services", (), {"dispatcher": None, "task_runner": None})()
    loop = _task_loop(fake)
    assert [p for p, _ in loop.periodic] == [j.period_s for j in JOBS]


def _cli(services: Services) -> click.Group:
    @click.group(context_settings={"obj": services})
    def main() -> None:
        """A stand-in for ``portal.cli.main``."""

    jobs_cli.register(main)
    return main


def test_portal_jobs_run_list_and_events(services: Services) -> None:
    cli = _cli(services)
    done = CliRunner().invoke(cli, ["jobs", "run", "escalation"], catch_exceptions=False)
    assert done.exit_code == 0 and "escalation" in done.output
    unknown = CliRunner().invoke(cli, ["jobs", "run", "nope"])
    assert unknown.exit_code == 2 and "task-sweep" in unknown.output
    listed = CliRunner().invoke(cli, ["jobs", "list"]).output
    assert all(j.name in listed and j.function in listed for j in JOBS)
    printed = CliRunner().invoke(cli, ["jobs", "events"]).output
    assert json.loads(printed) == zappa_events()
    assert by_name("task-sweep") is not None


def test_the_sweep_job_runs_a_due_task(services: Services) -> None:
    job = by_name("task-sweep")
    assert job is not None
    start = time.monotonic()
    assert job.run(services) == {}
    assert time.monotonic() - start < 5
