"""Demo people for the local run, so that sign-in can be tried at once.

Only ``portal dev`` calls this, and only in the local stage: a handful of
owners imported from ``site/content/demo/roster.csv`` through the real roster
importer, and a few staff accounts with a known local password. Idempotent:
running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.accounts.audit import AuditLog
from portal.accounts.passwords import hash_password
from portal.accounts.roster import RosterImporter
from portal.accounts.staff import StaffAccount, StaffRepo
from portal.estates import load_company
from portal.settings import Settings

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


def seed_demo_people(client: Any, settings: Settings, content_dir: Path) -> tuple[int, int]:
    """Import the demo owners and create the demo staff; returns (owners rows, staff created)."""
    if not settings.is_local:
        raise RuntimeError("demo accounts are for the local stage only")
    table = settings.table_name("main")
    company, _ = load_company(content_dir)
    estate = company.estate(DEMO_ESTATE) if company else None
    rows = 0
    roster = content_dir / "demo" / "roster.csv"
    if estate is not None and roster.is_file():
        report = RosterImporter(client, table, settings.phone_hash_key).run(
            roster.read_bytes(),
            estate=estate,
            file_name=roster.name,
            actor="cli:portal-dev",
            source_ip="127.0.0.1",
            audit=AuditLog(client, table),
        )
        rows = len(report.rows)
    repo = StaffRepo(client, table)
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
