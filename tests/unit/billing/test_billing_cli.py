"""``portal billing``: the run, readings and parking spaces from the command line (moto)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from portal.cli.billing import register
from portal.wiring import Services
from tests.unit.billing.conftest import UNIT


@pytest.fixture
def portal_cli(services: Services) -> click.Group:
    @click.group(context_settings={"obj": services})
    def main() -> None:
        """A stand-in for ``portal.cli.main``."""

    register(main)
    return main


def invoke(cli: click.Group, *args: str) -> Any:
    return CliRunner().invoke(cli, ["billing", *args], catch_exceptions=False)


def test_the_run_reports_and_a_second_run_issues_nothing(portal_cli: click.Group,
                                                         services: Services) -> None:  # fmt: skip
    first = invoke(portal_cli, "run", "--estate", "lanting", "--period", "2026-11")
    assert first.exit_code == 0, first.output
    assert "新开 4 笔" in first.output and "4 issued now" in first.output
    assert "正在生成账单" not in first.output  # no progress bar when not on a terminal
    again = invoke(portal_cli, "run", "--estate", "lanting", "--period", "2026-11")
    assert "新开 0 笔，已存在 4 笔" in again.output
    bad = invoke(portal_cli, "run", "--estate", "lanting", "--period", "2026-13")
    assert bad.exit_code == 2 and "2026-11" in bad.output


def test_readings_and_parking(portal_cli: click.Group, services: Services, tmp_path: Path) -> None:
    path = tmp_path / "抄表.csv"
    path.write_text("楼栋,单元/房号,表类,上期读数,本期读数\n2,1-1503,电,10,12\n2,1-1503,电,1,2\n",
                    encoding="utf-8")  # fmt: skip
    res = invoke(portal_cli, "readings", str(path), "--estate", "lanting", "--period", "2026-11",
                 "--allow-partial")  # fmt: skip
    assert res.exit_code == 1 and "第 3 行" in res.output and "Row 3" in res.output
    res = invoke(portal_cli, "parking", "--estate", "lanting", "--unit", "2/1-1503", "--spaces", "2")
    assert res.exit_code == 0
    invoke(portal_cli, "run", "--estate", "lanting", "--period", "2026-11")
    items = sorted(b.item for b in services.bills.of_unit(UNIT))
    assert items == ["electricity", "management", "parking"]
