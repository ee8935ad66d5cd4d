"""The `portal` command line: the main group, and one module per command group.

Each command is a thin wrapper: the work lives in the module it imports, and
imports are lazy so that `portal build` starts fast. ``portal dev`` is added
by the console script (:mod:`functions.local.command`), since it serves the
HTTP layer.
"""

from __future__ import annotations

import click

from portal.logs import setup_logging


@click.group()
def main() -> None:
    """Owner portal: build and publish the site, run it locally, load demo data."""
    setup_logging(stream_handler=True)


def _register_groups() -> None:
    from portal.cli import billing, doctor, estates, infra, jobs, kpi, notices, owners, site, staff

    site.register(main)
    staff.register(main)
    owners.register(main)
    estates.register(main)
    kpi.register(main)
    jobs.register(main)
    infra.register(main)
    doctor.register(main)
    billing.register(main)
    notices.register(main)


_register_groups()


if __name__ == "__main__":
    main()
