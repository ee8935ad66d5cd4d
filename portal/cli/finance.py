"""``portal finance``: statements in, the three-way match, the day's close (对账、结账).

The command-line twins of ``/api/reconcile/...``, on the same services:

- ``portal finance import FILE --estate E --source alipay|wechat|bank [--bank B]``: a
  statement file, all or nothing (a bad file: every problem with its line and column,
  nothing written; the same file again: nothing added), with a progress bar on a terminal;
- ``portal finance match --estate E --day YYYY-MM-DD``: the three-way match of a day, and
  its discrepancies;
- ``portal finance day`` shows a day; ``close`` locks it; ``reopen --reason`` opens it again.

Exit status: 0 done, 1 the file was rejected (or the store failed), 2 the input cannot be used.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import click

from portal.errors import DomainError, describe
from portal.i18n import LANGS, both, translate


def register(main: click.Group) -> None:
    main.add_command(finance)


@click.group()
def finance() -> None:
    """Reconciliation (对账): statements, the three-way match, closing a day."""


def _fail(exc: DomainError) -> None:
    for lang in LANGS:
        click.echo(describe(exc, lang), err=True)
    sys.exit(2)


def _where() -> str:
    return f"cli:{socket.gethostname()}"


def _fen(value: Any) -> str:
    from portal.billing.money import yuan

    return "-" if value is None or value == "" else yuan(int(value))


def _show(view: Any) -> None:
    """A day and its discrepancies, both languages for the day line."""
    for lang in LANGS:
        click.echo(translate("reconcile.cli.day", lang, estate=view.estate, day=view.day,
                             state=translate(f"reconcile.states.{view.state}", lang),
                             count=len(view.discrepancies), open=view.open_count))  # fmt: skip
    for d in view.discrepancies:
        click.echo(translate("reconcile.cli.discrepancy", "zh-CN", status=d.get("status", ""),
                             kind=translate(f"reconcile.kinds.{d.get('kind', '')}", "zh-CN"),
                             ref=d.get("ref", ""), ours=_fen(d.get("ours_fen")),
                             provider=_fen(d.get("provider_fen")), bank=_fen(d.get("bank_fen")),
                             id=d.get("id", "")))  # fmt: skip


@finance.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--estate", required=True, help="Slug of the estate (e.g. lanting).")
@click.option("--source", required=True, type=click.Choice(["alipay", "wechat", "bank"]))
@click.option("--bank", "bank_name", default="", help="The bank (its saved column mapping).")
def import_statement(file: Path, estate: str, source: str, bank_name: str) -> None:
    """Import a statement: Alipay's or WeChat Pay's bill, or a bank statement (CSV/XLSX)."""
    from portal.accounts.audit import cli_actor
    from portal.cli.context import services as current

    services = current()
    with ExitStack() as stack:
        bar: list[Any] = []

        def progress(done: int, total: int) -> None:
            if not sys.stdout.isatty():
                return
            if not bar:
                bar.append(stack.enter_context(click.progressbar(
                    length=total, label=both("reconcile.cli.progress"), file=sys.stdout)))  # fmt: skip
            bar[0].update(done)

        try:
            report = services.statement_imports.run(
                estate, source, file.read_bytes(), file_name=file.name,  # type: ignore[arg-type]
                actor=cli_actor(), bank_name=bank_name, source_ip=_where(), progress=progress)  # fmt: skip
        except DomainError as exc:
            _fail(exc)
            return
    for lang in LANGS:
        click.echo(translate(f"reconcile.outcomes.{report.outcome}", lang, lines=report.lines,
                             new=report.new_lines, skipped=report.skipped,
                             others=report.other_estates, count=len(report.problems)))  # fmt: skip
    for problem in report.problems:
        click.echo(f"{problem.message('zh-CN')} / {problem.message('en')}")
    sys.exit(1 if report.outcome == "rejected" else 0)


F = TypeVar("F", bound=Callable[..., None])


def _day_options(fn: F) -> F:
    fn = click.option("--day", required=True, help="The day: YYYY-MM-DD.")(fn)
    return click.option("--estate", required=True, help="Slug of the estate.")(fn)


@finance.command("match")
@_day_options
def match(estate: str, day: str) -> None:
    """Run the three-way match of a day and list its discrepancies."""
    from portal.accounts.audit import cli_actor
    from portal.cli.context import services as current

    try:
        _show(current().reconcile_days.match(estate, day, cli_actor(), _where()))
    except DomainError as exc:
        _fail(exc)


@finance.command("day")
@_day_options
def show_day(estate: str, day: str) -> None:
    """Show a day: its state and discrepancies."""
    from portal.cli.context import services as current

    try:
        _show(current().reconcile_days.view(estate, day))
    except DomainError as exc:
        _fail(exc)


@finance.command("close")
@_day_options
def close(estate: str, day: str) -> None:
    """Close and lock a reconciled day."""
    from portal.accounts.audit import cli_actor
    from portal.cli.context import services as current

    try:
        _show(current().reconcile_days.close(estate, day, cli_actor(), _where()))
    except DomainError as exc:
        _fail(exc)


@finance.command("reopen")
@_day_options
@click.option("--reason", required=True, help="Why the closed day must change.")
def reopen(estate: str, day: str, reason: str) -> None:
    """Reopen a closed day, with the reason (audited)."""
    from portal.accounts.audit import cli_actor
    from portal.cli.context import services as current

    try:
        _show(current().reconcile_days.reopen(estate, day, reason, cli_actor(), _where()))
    except DomainError as exc:
        _fail(exc)
