"""``portal collection``: offline payments, cash handover, direct debits, collection rate,
arrears, reminders and exports from the command line (the twins of the finance routes).

Changes are audited as the command line's actor (``cli:<user>@<host>``). Exit status: 0
done, 1 the store failed, 2 the input cannot be used.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from portal.errors import DomainError, describe
from portal.i18n import LANGS, both, translate

T = TypeVar("T")


def register(main: click.Group) -> None:
    main.add_command(collection)


@click.group()
def collection() -> None:
    """Offline payments, handover, direct debits, collection rate (收缴率), arrears (欠费)."""


def _run(work: Callable[[], T]) -> T:
    from portal.store.errors import StoreError

    try:
        return work()
    except DomainError as exc:
        for lang in LANGS:
            click.echo(describe(exc, lang), err=True)
        sys.exit(2)
    except StoreError as exc:
        click.echo(both("staff.cli.store_failed", table="-", problem=str(exc)), err=True)
        sys.exit(1)


def _source() -> str:
    return f"cli:{socket.gethostname()}"


@collection.command("record")
@click.option("--estate", required=True)
@click.option("--unit", required=True, help="building/room, e.g. 2/1-1503")
@click.option("--bill", "bills", multiple=True, required=True, help="A bill id (repeat for more).")
@click.option("--method", type=click.Choice(["cash", "transfer", "pos"]), required=True)
@click.option("--amount", required=True, help="Yuan received, e.g. 371.00")
@click.option("--request-id", required=True, help="Your id of this payment: again = the same one.")
@click.option("--reference", default="", help="Bank serial or POS slip number.")
def record(estate: str, unit: str, bills: tuple[str, ...], method: str, amount: str,
           request_id: str, reference: str) -> None:  # fmt: skip
    """Record money taken at the desk, with a receipt numbered like online ones."""
    from portal.accounts.audit import cli_actor
    from portal.billing.model import UnitKey
    from portal.billing.money import parse_yuan, yuan
    from portal.cli.context import services
    from portal.errors import InvalidInput
    from portal.finance.offline import OfflineRequest

    building, _, room = unit.partition("/")

    def work() -> Any:
        try:
            fen = parse_yuan(amount)
        except (ValueError, ArithmeticError):
            raise InvalidInput("bill_amount_invalid") from None
        req = OfflineRequest(UnitKey(estate, building, room), bills, method, fen,  # type: ignore[arg-type]
                             request_id, reference)  # fmt: skip
        return services().offline_payments.apply(req, cli_actor(), source_ip=_source())

    done = _run(work)
    p = done.payment
    key = "collection.cli.recorded" if done.first else "collection.cli.seen"
    for lang in LANGS:
        click.echo(translate(key, lang, amount=yuan(p.amount_fen), receipt=p.receipt_no,
                             method=translate(f"collection.methods.{p.provider}", lang)))  # fmt: skip


@collection.command("handovers")
@click.option("--estate", required=True)
@click.option("--since", default="", help="From this local day (YYYY-MM-DD).")
def handovers(estate: str, since: str) -> None:
    """Guards' cash batches: state, count, amount, overdue."""
    from portal.billing.money import yuan
    from portal.cli.context import services

    s = services()
    today = s.handovers.today()
    for b in _run(lambda: s.handovers.of_estate(None, estate, since)):
        late = " " + both("collection.handover.overdue") if b.overdue(today) else ""
        click.echo(f"{b.day} {b.collector} {b.count} ¥{yuan(b.total_fen)} "
                   f"{both(f'collection.handover.states.{b.state}')}{late}")  # fmt: skip


@collection.command("confirm")
@click.option("--estate", required=True)
@click.option("--day", required=True)
@click.option("--collector", required=True)
@click.option("--count", type=int, required=True)
@click.option("--amount", required=True, help="Yuan counted.")
@click.option("--note", default="")
def confirm(estate: str, day: str, collector: str, count: int, amount: str, note: str) -> None:
    """The foreman's count of a guard's batch."""
    from portal.accounts.audit import cli_actor
    from portal.billing.money import parse_yuan, yuan
    from portal.cli.context import services

    s = services()
    b = _run(lambda: s.handovers.confirm(None, estate, day, collector, count=count,
                                         amount_fen=parse_yuan(amount), note=note,
                                         source_ip=_source(), who=cli_actor()))  # fmt: skip
    for lang in LANGS:
        click.echo(translate("collection.cli.confirmed", lang, day=b.day, collector=b.collector,
                             state=translate(f"collection.handover.states.{b.state}", lang),
                             count=b.counted_count, amount=yuan(b.counted_fen)))  # fmt: skip


@collection.command("debits")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--estate", required=True)
@click.option("--json", "as_json", is_flag=True)
def debits(file: Path, estate: str, as_json: bool) -> None:
    """Import the bank's direct-debit result file (CSV/XLSX); the same file twice adds nothing."""
    from portal.accounts.audit import cli_actor
    from portal.cli.context import services

    s = services()
    report = _run(lambda: s.direct_debits.run(None, file.read_bytes(), estate=s.estates.estate(estate),
                                              file_name=file.name, who=cli_actor(),
                                              source_ip=_source()))  # fmt: skip
    if as_json:
        click.echo(json.dumps({"counts": report.counts, "recorded_fen": report.recorded_fen,
                               "rows": [{"row": r.row, "status": r.status, "unit_id": r.unit_id,
                                         "receipt_no": r.receipt_no,
                                         "errors": [e.message() for e in r.errors]}
                                        for r in report.rows]}, ensure_ascii=False))  # fmt: skip
        return
    for r in report.rows:
        if r.errors:
            click.echo(f"{r.row}: " + "；".join(e.message() for e in r.errors))
    for lang in LANGS:
        click.echo(report.message(lang))


@collection.command("report")
@click.option("--estate", required=True)
@click.option("--period", required=True)
@click.option("--building", default=None)
def report(estate: str, period: str, building: str | None) -> None:
    """The period's collection rate: by amount and by household, buildings (or units)."""
    from portal.billing.money import yuan
    from portal.cli.context import services

    r = _run(lambda: services().collection.report(None, estate, period, building))
    rows = [(u.unit.unit_id, u.figures) for u in r.units] or list(r.buildings.items())
    for key, f in [*rows, (both("collection.export.total"), r.total)]:
        click.echo(f"{key}\t¥{yuan(f.paid_fen)}/¥{yuan(f.billed_fen)}\t{f.rate_amount or '-'}%\t"
                   f"{f.paid_households}/{f.households}\t{f.rate_households or '-'}%")  # fmt: skip
    click.echo(both("collection.page.recovered", amount=yuan(r.arrears_recovered_fen),
                    households=r.arrears_recovered_households))  # fmt: skip


@collection.command("backfill")
@click.option("--estate", required=True)
def backfill(estate: str) -> None:
    """Give bills issued before the estate-wide bill index its key (once; again adds nothing),
    so the collection report reads them per estate and period."""
    from portal.cli.context import services

    s = services()
    done = _run(lambda: s.bills.backfill_estate_index(estate, s.collection.units(estate)))
    click.echo(both("collection.cli.backfilled", estate=estate, bills=done))


@collection.command("remind")
@click.option("--estate", required=True)
@click.option("--unit", "units", multiple=True, help="estate/building/room; none: every unit in arrears")
def remind(estate: str, units: tuple[str, ...]) -> None:
    """Remind owners in arrears (催缴): at most once every N days, never at night."""
    from portal.accounts.audit import cli_actor
    from portal.cli.context import services

    r = _run(lambda: services().arrears.remind_as(cli_actor(), estate, units, _source()))
    click.echo(both("collection.cli.reminded", sent=len(r.sent), skipped=len(r.skipped),
                    without=r.without_phone))  # fmt: skip


@collection.command("export")
@click.argument("what", type=click.Choice(["collection", "arrears"]))
@click.option("--estate", required=True)
@click.option("--period", default="", help="YYYY-MM (collection).")
@click.option("--building", default=None)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export(what: str, estate: str, period: str, building: str | None, fmt: str, out: Path) -> None:
    """Write the collection report or the arrears list as XLSX or CSV (UTF-8 with BOM)."""
    from portal.cli.context import services
    from portal.finance.exports import arrears_table, collection_table, render

    s = services()
    if what == "collection":
        table = collection_table(_run(lambda: s.collection.report(None, estate, period, building)))
    else:
        table = arrears_table(_run(lambda: s.arrears.of_estate(None, estate, building or "")))
    out.write_bytes(render(table, "xlsx" if fmt == "xlsx" else "csv"))
    click.echo(both("collection.cli.written", path=str(out), rows=len(table.rows)))
