"""``portal owners import FILE --estate SLUG [--dry-run] [--allow-partial] [--json]``.

The command line twin of ``POST /api/owners/import``: the same
:class:`portal.accounts.roster.importer.RosterImporter`, the same report and the same audit event
(actor ``cli:<operating-system user>``, source ``cli:<host name>``), run by an
operator with access to the tables. Exit status: 0 when every row is good, 1
when some rows have errors (the report says whether anything was written), 2
when the file or the estate cannot be used at all.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import click

from portal.errors import DomainError, describe
from portal.i18n import LANGS, translate


def register(main: click.Group) -> None:
    """Add the ``owners`` command group to the ``portal`` command line."""
    main.add_command(owners)


@click.group()
def owners() -> None:
    """Owners (业主): import the owner roster."""


@owners.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--estate", required=True, help="Slug of the estate (e.g. lanting).")
@click.option("--dry-run", is_flag=True, help="Validate and report only; write nothing.")
@click.option(
    "--allow-partial", is_flag=True, help="Write the good rows even if other rows have errors."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (as the API).")
def import_roster(
    file: Path,
    estate: str,
    dry_run: bool,
    allow_partial: bool,
    as_json: bool,
) -> None:
    """Import the owner roster (业主名册) of an estate from a CSV or XLSX file."""
    from portal.accounts.audit import cli_actor
    from portal.cli.context import services as current

    services = current()
    try:
        report = services.roster.run(
            file.read_bytes(),
            estate=services.estates.estate(estate),
            file_name=file.name,
            actor=cli_actor(),
            source_ip=f"cli:{socket.gethostname()}",
            dry_run=dry_run,
            allow_partial=allow_partial,
        )
    except DomainError as exc:
        for lang in LANGS:
            click.echo(
                translate("roster.cli.file_error", lang, message=describe(exc, lang)), err=True
            )
        sys.exit(2)
    if as_json:
        from portal.accounts.roster.payload import ImportReportOut

        click.echo(ImportReportOut.of(report).model_dump_json(indent=2))
    else:
        for lang in LANGS:
            click.echo(report.message(lang))
        for row in report.rows:
            if row.status != "error":
                continue
            where = " ".join(v for v in (row.unit_id, row.phone) if v)
            click.echo(
                f"{translate('roster.cli.row', 'zh-CN', row=row.row)} / "
                f"{translate('roster.cli.row', 'en', row=row.row)}: {where}"
            )
            for error in row.errors:
                click.echo(f"  - {error.message('zh-CN')} / {error.message('en')}")
    sys.exit(1 if report.has_errors else 0)
