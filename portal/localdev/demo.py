"""Demo people for the local run, so that sign-in can be tried at once.

Only ``portal dev`` calls this, and only in the local stage: a handful of
owners imported from ``site/content/demo/roster.csv`` through the real roster
importer, and a few staff accounts with a known local password. Idempotent:
running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from portal.accounts.audit import actor
from portal.accounts.passwords import hash_password
from portal.accounts.staff.model import StaffAccount
from portal.acknowledgements.sync import register_all
from portal.estates.sync import SyncReport, read_company, sync_company
from portal.greetings.events import register_all as register_events
from portal.store.bootstrap import ensure_tables
from portal.wiring import Services

DEMO_PASSWORD = "lanting-demo-2026"
"""Password of the demo staff accounts: local only, printed when ``portal dev`` starts."""

DEMO_ESTATE = "lanting"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    name: str
    roles: tuple[str, ...]
    estates: tuple[str, ...] = ()


DEMO_STAFF = (
    DemoStaff("admin", "系统管理员", ("admin",)),
    DemoStaff("qian.desk", "钱前台", ("front_desk",), (DEMO_ESTATE,)),
    DemoStaff("li.butler", "李管家", ("butler",), (DEMO_ESTATE,)),
)


def seed_demo(services: Services, content_dir: Path) -> SyncReport:
    """Create missing tables, sync the company of ``content_dir`` and register its notices
    that ask for 已知晓 (``portal seed``)."""
    company = read_company(content_dir)  # SyncError before anything is created or written
    created = ensure_tables(services.clients.dynamodb, services.settings.table_prefix)
    report = sync_company(services.table, company, created)
    services.estates.forget()
    register_all(services.acknowledgement_repo, content_dir, services.clock())  # 已知晓 notices
    register_events(services.events, content_dir, services.clock())  # for event sign-ups
    return report


def seed_demo_people(services: Services, content_dir: Path) -> tuple[int, int]:
    """Import the demo owners and create the demo staff; returns (owners rows, staff created)."""
    if not services.settings.is_local:
        raise RuntimeError("demo accounts are for the local stage only")
    estate = services.estates.company().estate(DEMO_ESTATE)
    rows = 0
    roster = content_dir / "demo" / "roster.csv"
    if estate is not None and roster.is_file():
        report = services.roster.run(
            roster.read_bytes(),
            estate=estate,
            file_name=roster.name,
            actor=actor("cli", "portal-dev"),
            source_ip="127.0.0.1",
        )
        rows = len(report.rows)
    repo = services.staff_repo
    created = 0
    for person in DEMO_STAFF:
        if repo.get(person.username) is None:
            repo.put(
                StaffAccount(
                    username=person.username,
                    name=person.name,
                    roles=frozenset(person.roles),
                    estates=frozenset(person.estates),
                    password_hash=hash_password(DEMO_PASSWORD),
                )
            )
            created += 1
    return rows, created
