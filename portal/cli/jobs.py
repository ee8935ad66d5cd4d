"""``portal jobs``: the scheduled jobs of :data:`portal.jobs.JOBS`, listed and run by hand.

``portal jobs run NAME`` runs one job once against the configured stage, as the
schedule would (the same services); ``portal jobs events`` prints the ``events``
that ``infra/zappa_settings.json`` must hold for every stage.
"""

from __future__ import annotations

import json
import sys

import click

from portal.i18n import both


def register(main: click.Group) -> None:
    main.add_command(jobs)


@click.group()
def jobs() -> None:
    """Scheduled jobs (定时任务): list them, run one by hand."""


@jobs.command("list")
def list_jobs() -> None:
    """Every scheduled job: name, schedule, the function Zappa calls."""
    from portal.jobs import JOBS

    width = max(len(j.name) for j in JOBS)
    for job in JOBS:
        click.echo(f"{job.name:<{width}}  {job.schedule:<16}  {job.function}")


@jobs.command("run")
@click.argument("name")
def run(name: str) -> None:
    """Run the job NAME once now, against the configured stage."""
    from portal.cli.context import services as current
    from portal.jobs import JOBS, by_name
    from portal.store.errors import StoreError

    job = by_name(name)
    if job is None:
        click.echo(both("ops.jobs.unknown", name=name, known=", ".join(j.name for j in JOBS)),
                   err=True)  # fmt: skip
        sys.exit(2)
    services = current()
    try:
        result = job.run(services)
    except StoreError as exc:
        click.echo(both("ops.jobs.failed", name=name, problem=str(exc)), err=True)
        sys.exit(1)
    click.echo(both("ops.jobs.done", name=name, result=result))


@jobs.command("events")
def events() -> None:
    """The `events` of zappa_settings.json, from the job table (JSON)."""
    from portal.jobs import zappa_events

    click.echo(json.dumps(zappa_events(), indent=4))
