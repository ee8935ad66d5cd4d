"""``portal estates sync``: write a company's ``company.yaml`` into the store (idempotent);
``portal estates notices``: register the content's 已知晓 notices and campaign events.

The API and the command line read estates, buildings and units from the store
(the estate directory), never from ``site/content``. A real company's file is
synced with this command; ``portal seed`` does the same for the demo content
(and creates missing tables, which in production CloudFormation owns).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from portal.i18n import both


def register(main: click.Group) -> None:
    main.add_command(estates)
    estates.add_command(notices)


@click.command("notices")
@click.option("--content", "content_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Content folder (default: site/content).")
def notices(content_dir: Path | None) -> None:
    """Register the content's notices that ask for 已知晓 and its campaigns' events (sign-ups)."""
    from portal.acknowledgements.sync import register_all
    from portal.cli.context import services as current
    from portal.greetings.events import register_all as register_events

    services = current()
    folder = content_dir or services.settings.content_dir
    found = register_all(services.acknowledgement_repo, folder, services.clock())
    events = register_events(services.events, folder, services.clock())
    click.echo(f"{found} 已知晓 / acknowledgement notices, {events} events")


@click.group()
def estates() -> None:
    """Estates (小区): the company, its estates, buildings and units in the store."""


@estates.command("sync")
@click.option("--content", "content_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Folder with company.yaml (default: site/content).")
def sync(content_dir: Path | None) -> None:
    """Write company.yaml into the store: missing or changed items only."""
    from portal.cli.context import services as current
    from portal.estates.sync import SyncError, sync_file
    from portal.store.errors import StoreError

    services = current()
    try:
        report = sync_file(services.table, content_dir or services.settings.content_dir)
    except SyncError as exc:
        for err in exc.errors:
            click.echo(str(err), err=True)
        sys.exit(1)
    except StoreError as exc:
        click.echo(both("staff.cli.store_failed", table=services.table.name, problem=str(exc)),
                   err=True)  # fmt: skip
        sys.exit(1)
    click.echo(report)
