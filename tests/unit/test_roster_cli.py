"""``portal owners import``: the same import from the command line (moto)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from portal.accounts.owners import OwnerRepository
from portal.cli.owners import register
from portal.settings import Settings
from portal.store.table import Table
from portal.wiring import Services

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roster"


@pytest.fixture
def portal_cli(services: Services) -> click.Group:
    """The command group on the test's services (its tables, with the estates synced into them),
    handed over as click's context object as ``portal`` itself takes them."""

    @click.group(context_settings={"obj": services})
    def main() -> None:
        """A stand-in for ``portal.cli.main``."""

    register(main)
    return main


def invoke(cli: click.Group, *args: str) -> Any:
    return CliRunner().invoke(cli, ["owners", "import", *args], catch_exceptions=False)


def repo(ddb: Any, settings: Settings) -> OwnerRepository:
    return OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key)


def test_cli_imports_a_good_file_and_exits_0(
    portal_cli: click.Group, ddb: Any, settings: Settings
) -> None:
    result = invoke(portal_cli, str(FIXTURES / "good.csv"), "--estate", "lanting")
    assert result.exit_code == 0, result.output
    assert "导入完成" in result.output and "Imported 4 rows" in result.output
    owner = repo(ddb, settings).by_phone("13800138000")
    assert owner is not None and owner.name == "王芳"
    assert sorted(u.unit_id for u in owner.units) == ["lanting/1/1-801", "lanting/2/2-1503"]
    again = invoke(portal_cli, str(FIXTURES / "good.csv"), "--estate", "lanting")
    assert again.exit_code == 0 and "already imported" in again.output


def test_cli_lists_the_rows_with_errors_writes_nothing_and_exits_1(
    portal_cli: click.Group, ddb: Any, settings: Settings
) -> None:
    result = invoke(portal_cli, str(FIXTURES / "mixed.csv"), "--estate", "lanting")
    assert result.exit_code == 1
    assert "第 9 行 / Row 9: lanting/2/2-1503 138****8000" in result.output
    assert "与第 2 行重复" in result.output and "13800138000" not in result.output
    assert repo(ddb, settings).by_phone("13800138000") is None


def test_cli_allow_partial_writes_the_good_rows(
    portal_cli: click.Group, ddb: Any, settings: Settings
) -> None:
    result = invoke(
        portal_cli, str(FIXTURES / "mixed.csv"), "--estate", "lanting", "--allow-partial"
    )
    assert result.exit_code == 1  # some rows still have errors
    owner = repo(ddb, settings).by_phone("13800138000")
    assert owner is not None and owner.name == "王芳"
    assert sorted(u.unit_id for u in owner.units) == ["lanting/1/1-801", "lanting/2/2-1503"]
    assert repo(ddb, settings).by_phone("13700137000") is None


def test_cli_dry_run_prints_json_and_writes_nothing(
    portal_cli: click.Group, ddb: Any, settings: Settings
) -> None:
    result = invoke(
        portal_cli, str(FIXTURES / "good.csv"), "--estate", "lanting", "--dry-run", "--json"
    )
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["dry_run"] is True and report["written"] is False
    assert report["counts"]["owners_created"] == 3
    assert repo(ddb, settings).by_phone("13800138000") is None


def test_cli_import_is_audited_as_the_operator(
    portal_cli: click.Group, services: Services
) -> None:
    invoke(portal_cli, str(FIXTURES / "good.csv"), "--estate", "lanting")
    day = services.clock().date().isoformat()
    events = [e for e in services.audit.day(day) if e["action"] == "owners.import"]
    assert len(events) == 1 and events[0]["actor"].startswith("cli:")
    assert events[0]["source_ip"].startswith("cli:") and events[0]["target"] == "lanting"


def test_cli_refuses_an_unknown_estate_or_a_non_roster_file_with_exit_2(
    portal_cli: click.Group, tmp_path: Path
) -> None:
    result = invoke(portal_cli, str(FIXTURES / "good.csv"), "--estate", "nowhere")
    assert result.exit_code == 2 and "没有这个小区：nowhere" in result.output
    notes = tmp_path / "notes.csv"
    notes.write_text("姓名,备注\n王芳,你好\n", encoding="utf-8")
    result = invoke(portal_cli, str(notes), "--estate", "lanting")
    assert result.exit_code == 2 and "No header row found" in result.output
