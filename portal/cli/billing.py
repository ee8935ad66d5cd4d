"""``portal billing``: issue a period's bills, import meter readings, set parking spaces.

``portal billing run --estate E --period YYYY-MM`` is the command-line twin of
``POST /api/bills/runs``: the same :class:`portal.billing.run.BillingRun`
(idempotent: run it again, or after an interruption, and only the missing bills
are issued), with a progress bar on a terminal and nothing but the report
otherwise. Exit status: 0 done, 1 the store failed, 2 the input cannot be used.
"""

from __future__ import annotations

import socket
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from portal.errors import DomainError, describe
from portal.i18n import LANGS, both, translate


def register(main: click.Group) -> None:
    main.add_command(billing)


@click.group()
def billing() -> None:
    """Bills (应收): billing runs, meter readings, parking spaces."""


def _fail(exc: DomainError) -> None:
    for lang in LANGS:
        click.echo(describe(exc, lang), err=True)
    sys.exit(2)


@billing.command("run")
@click.option("--estate", required=True, help="Slug of the estate (e.g. lanting).")
@click.option("--period", required=True, help="The month billed: YYYY-MM.")
@click.option("--workers", default=16, show_default=True, help="Transactions in flight at once.")
def run(estate: str, period: str, workers: int) -> None:
    """Issue the period's bills: one per unit and fee item (idempotent)."""
    from portal.accounts.audit import cli_actor
    from portal.billing.money import yuan
    from portal.cli.context import services as current
    from portal.store.errors import StoreError

    services = current()
    services.billing_run.workers = max(1, workers)
    with ExitStack() as stack:
        bar: list[Any] = []

        def progress(done: int, total: int) -> None:
            if not sys.stdout.isatty():
                return  # quiet when not on a terminal (a log, a pipe, CI)
            if not bar:
                bar.append(stack.enter_context(click.progressbar(
                    length=total, label=both("billing.run.progress"), file=sys.stdout)))  # fmt: skip
            bar[0].update(done)

        try:
            report = services.billing_run.run(estate, period, actor=cli_actor(),
                                              source_ip=f"cli:{socket.gethostname()}",
                                              progress=progress)  # fmt: skip
        except DomainError as exc:
            _fail(exc)
            return
        except StoreError as exc:
            click.echo(both("staff.cli.store_failed", table=services.table.name, problem=str(exc)),
                       err=True)  # fmt: skip
            sys.exit(1)
    for lang in LANGS:
        click.echo(translate("billing.run.report", lang, estate=report.estate, period=report.period,
                             units=report.units, planned=report.planned,
                             total=yuan(report.total_fen), created=report.created,
                             existing=report.existing))  # fmt: skip
    if report.skipped:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(report.skipped.items()))
        click.echo(both("billing.run.skipped", reasons=reasons))


@billing.command("readings")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--estate", required=True, help="Slug of the estate.")
@click.option("--period", required=True, help="The month read: YYYY-MM.")
@click.option("--dry-run", is_flag=True, help="Validate and report only; write nothing.")
@click.option("--allow-partial", is_flag=True, help="Write the good rows even if others have errors.")
def readings(file: Path, estate: str, period: str, dry_run: bool, allow_partial: bool) -> None:
    """Import water and electricity meter readings (CSV or XLSX) with a per-row report."""
    from portal.accounts.audit import cli_actor
    from portal.cli.context import services as current

    services = current()
    try:
        report = services.readings.run(
            file.read_bytes(), estate=services.estates.estate(estate), period=period,
            file_name=file.name, actor=cli_actor(), source_ip=f"cli:{socket.gethostname()}",
            dry_run=dry_run, allow_partial=allow_partial)  # fmt: skip
    except DomainError as exc:
        _fail(exc)
        return
    for lang in LANGS:
        click.echo(report.message(lang))
    for row in report.rows:
        for error in row.errors:
            where = both("billing.readings.cli.row", row=row.row)
            click.echo(f"{where}: {error.message('zh-CN')} / {error.message('en')}")
    sys.exit(1 if report.has_errors else 0)


@billing.command("areas")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--estate", required=True, help="Slug of the estate.")
@click.option("--dry-run", is_flag=True, help="Validate and report only; write nothing.")
@click.option("--allow-partial", is_flag=True, help="Write the good rows even if others have errors.")
def areas(file: Path, estate: str, dry_run: bool, allow_partial: bool) -> None:
    """Import the units' areas (房屋面积, CSV or XLSX) with a per-row report."""
    from portal.accounts.audit import cli_actor
    from portal.cli.context import services as current

    services = current()
    try:
        report = services.areas.run(
            file.read_bytes(), estate=services.estates.estate(estate), file_name=file.name,
            actor=cli_actor(), source_ip=f"cli:{socket.gethostname()}", dry_run=dry_run,
            allow_partial=allow_partial)  # fmt: skip
    except DomainError as exc:
        _fail(exc)
        return
    for lang in LANGS:
        click.echo(report.message(lang))
    for row in report.rows:
        for error in row.errors:
            where = both("billing.readings.cli.row", row=row.row)
            click.echo(f"{where}: {error.message('zh-CN')} / {error.message('en')}")
    sys.exit(1 if report.errors else 0)


@billing.command("parking")
@click.option("--estate", required=True)
@click.option("--unit", "unit_path", required=True, help="building/room, e.g. 2/1-1503")
@click.option("--spaces", type=int, required=True, help="Parking spaces rented (0: none).")
def parking(estate: str, unit_path: str, spaces: int) -> None:
    """Set how many parking spaces a unit rents (车位费 from the next run on)."""
    from portal.accounts.audit import cli_actor
    from portal.billing.model import UnitKey
    from portal.cli.context import services as current

    building, _, room = unit_path.partition("/")
    unit = UnitKey(estate, building, room)
    try:
        current().billing_run.set_standing(unit, "parking", spaces, actor=cli_actor())
    except DomainError as exc:
        _fail(exc)
    click.echo(both("billing.cli.standing_set", unit=unit.unit_id, quantity=spaces))
