"""``portal kpi --estate SLUG [--month YYYY-MM] [--json] [--trace]``: a month's service KPIs.

The report of :class:`portal.workorders.kpi.MonthlyKpis` (formulas and which orders
belong to a month: that module's docstring). On a terminal: a table, zh-CN and
English labels from the catalogs (``site.kpi.*``, ``kpi.*``), the date the figures
are due, and with ``--trace`` the order numbers (or unit ids) behind each figure.
``--json`` prints :meth:`KpiReport.as_dict` (every numerator and denominator with its
refs). The month defaults to the last one, whose report is the one due. Exit status:
0 with a report, 2 when the month or the estate cannot be used.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from portal.i18n import LANGS, both, translate

if TYPE_CHECKING:
    from portal.workorders.kpi import KpiResult

TRACE_SHOWN = 30
"""On a terminal, at most this many refs of a list; ``--json`` has them all."""


def register(main: click.Group) -> None:
    """Add the ``kpi`` and ``kpi-publish`` commands to the ``portal`` command line."""
    main.add_command(kpi)
    main.add_command(kpi_publish)


@click.command("kpi-publish")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True,
              help="The JSON file `portal build --results` reads.")
def kpi_publish(out: str) -> None:
    """The approved monthly results of the last 12 months (服务承诺), for the site build."""
    from pathlib import Path

    from portal.cli.context import services as current
    from portal.commitments.published import dump

    found = current().commitments.published()
    Path(out).write_text(dump(found), encoding="utf-8")
    click.echo(f"{len(found)} → {out}")


@click.command("kpi")
@click.option("--estate", required=True, help="Slug of the estate (e.g. lanting).")
@click.option("--month", default=None, help="YYYY-MM in local time (default: last month).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, with every ref.")
@click.option("--trace", is_flag=True, help="List the order numbers behind each figure.")
def kpi(estate: str, month: str | None, as_json: bool, trace: bool) -> None:
    """An estate's monthly service KPIs (月度服务指标) against their targets."""
    from portal.cli.context import services as current
    from portal.errors import NotFound
    from portal.store.errors import StoreError
    from portal.workorders.kpi import Month

    services = current()
    tz = services.settings.time_zone
    try:
        wanted = Month.parse(month) if month else Month.of(services.clock(), tz).previous()
    except ValueError:
        click.echo(both("kpi.month_invalid", value=month), err=True)
        sys.exit(2)
    try:
        report = services.kpis.report(estate, wanted)
        name = services.estates.estate(estate).name
    except NotFound:
        click.echo(both("kpi.unknown_estate", estate=estate), err=True)
        sys.exit(2)
    except StoreError as exc:
        click.echo(both("staff.cli.store_failed", table=services.table.name, problem=str(exc)),
                   err=True)  # fmt: skip
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    from portal.clock import local_text, parse_iso, zone
    from portal.service_levels import KPI_REPORT_DUE_DAY

    click.echo(" / ".join(translate("kpi.title", lang, name=name.get(lang), estate=estate,
                                    month=report.month) for lang in LANGS))  # fmt: skip
    click.echo(both("kpi.as_of", tz=tz, as_of=local_text(parse_iso(report.as_of), zone(tz))))
    click.echo(both("kpi.due", date=report.due_by.isoformat(), day=KPI_REPORT_DUE_DAY))
    if not report.month_over:
        click.echo(both("kpi.month_running"))
    click.echo(both("kpi.orders", count=report.orders))
    click.echo()
    for line in _table([("", report.kpis), (both("kpi.stages"), report.stages)]):
        click.echo(line)
    if trace:
        click.echo()
        for result in (*report.kpis, *report.stages):
            if result.status != "no_data":
                for line in _trace(result):
                    click.echo(line)


def label(key: str) -> str:
    """``零修急修及时率 / Repairs on time``: a KPI's or an SLA stage's name in both languages."""
    from portal import service_levels as sl
    from portal.workorders.kpi import STAGE_NAMES

    if key not in STAGE_NAMES:
        return both(f"site.kpi.{key}")
    minutes = {"acknowledge": sl.ACKNOWLEDGE_MIN, "dispatch": sl.DISPATCH_MIN,
               "feedback": sl.FEEDBACK_MIN, "on_site": sl.TECHNICIAN_ON_SITE_MIN}  # fmt: skip
    return both(f"kpi.stage.{key}", minutes=minutes.get(key, 0), hours=sl.MINOR_REPAIR_RESOLVE_H)


def _figure(value: float, unit: str) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + ("%" if unit == "percent" else "‰")


def _row(r: KpiResult) -> list[str]:
    value = r.value
    target = "—"
    if r.target is not None and r.direction is not None:
        target = both(f"site.kpi_{r.direction}", value=_figure(r.target, r.unit))
    ratio = "—" if r.status == "no_data" else f"{len(r.numerator)}/{len(r.denominator)}"
    return [label(r.key), "—" if value is None else _figure(value, r.unit), ratio, target,
            both(f"kpi.status.{r.status}"), str(len(r.pending)) if r.pending else ""]  # fmt: skip


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(sections: Sequence[tuple[str, Sequence[KpiResult]]]) -> list[str]:
    """One table, its columns as wide as the widest cell of every section."""
    heading = [both(f"kpi.heading.{h}") for h in ("kpi", "value", "ratio", "target", "status",
                                                   "pending")]  # fmt: skip
    rows = [[_row(r) for r in results] for _, results in sections]
    everything = [heading, *(row for section in rows for row in section)]
    widths = [max(_width(row[i]) for row in everything) for i in range(len(heading))]
    right = {1, 2}  # the figures line up on the right

    def line(row: Sequence[str]) -> str:
        cells = [(" " * (w - _width(c)) + c) if i in right else (c + " " * (w - _width(c)))
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]  # fmt: skip
        return "  ".join(cells).rstrip()

    out = [line(heading), "  ".join("-" * w for w in widths)]
    for (title, _), section in zip(sections, rows, strict=True):
        out += (["", title] if title else []) + [line(r) for r in section]
    return out


def _refs(refs: Sequence[str]) -> str:
    shown = ", ".join(refs[:TRACE_SHOWN])
    return f"({len(refs)}) {shown}{', …' if len(refs) > TRACE_SHOWN else ''}".rstrip()


def _trace(r: KpiResult) -> list[str]:
    """The numerator's refs, the denominator's refs that are not in it, and what is pending
    (the valid complaint rate's denominator is every household: only its count)."""
    above = set(r.numerator)
    lines = [label(r.key), f"  {both('kpi.trace.numerator')} {_refs(r.numerator)}"]
    if r.key == "valid_complaint_rate":
        lines.append(f"  {both('kpi.trace.households', count=len(r.denominator))}")
    else:
        missed = [x for x in r.denominator if x not in above]
        lines.append(f"  {both('kpi.trace.missed')} {_refs(missed)}")
    if r.pending:
        lines.append(f"  {both('kpi.trace.pending')} {_refs(r.pending)}")
    return lines
