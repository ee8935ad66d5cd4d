"""``portal finance``: a statement imported from the command line (all or nothing, once),
a day matched, closed, and reopened with a reason (moto)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from portal.cli.finance import register
from portal.wiring import Services

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reconcile"


@pytest.fixture
def portal_cli(services: Services) -> click.Group:
    @click.group(context_settings={"obj": services})
    def main() -> None:
        """A stand-in for ``portal.cli.main``."""

    register(main)
    return main


def invoke(cli: click.Group, *args: str) -> Any:
    return CliRunner().invoke(cli, ["finance", *args], catch_exceptions=False)


def test_a_statement_is_imported_once_and_a_second_import_adds_nothing(
    portal_cli: click.Group,
) -> None:
    path = str(FIXTURES / "wechat_trade.csv")
    first = invoke(portal_cli, "import", path, "--estate", "lanting", "--source", "wechat")
    assert first.exit_code == 0, first.output
    assert "已导入" in first.output and "Imported" in first.output
    assert "正在写入对账明细" not in first.output  # no progress bar when not on a terminal
    again = invoke(portal_cli, "import", path, "--estate", "lanting", "--source", "wechat")
    assert again.exit_code == 0 and "以前已导入过" in again.output and "nothing was added" in again.output


def test_a_bad_statement_is_rejected_with_its_line_and_nothing_is_written(
    portal_cli: click.Group, tmp_path: Path
) -> None:
    bad = tmp_path / "微信账单.csv"
    bad.write_text("这不是账单\n1,2,3\n", encoding="utf-8")
    res = invoke(portal_cli, "import", str(bad), "--estate", "lanting", "--source", "wechat")
    assert res.exit_code == 1 and "未导入任何内容" in res.output and "Line" in res.output


def test_a_day_is_matched_closed_and_reopened_only_with_a_reason(portal_cli: click.Group) -> None:
    matched = invoke(portal_cli, "match", "--estate", "lanting", "--day", "2026-11-20")
    assert matched.exit_code == 0, matched.output
    assert "lanting 2026-11-20" in matched.output
    closed = invoke(portal_cli, "close", "--estate", "lanting", "--day", "2026-11-20")
    assert closed.exit_code == 0 and "已结账" in closed.output and "Closed" in closed.output
    again = invoke(portal_cli, "match", "--estate", "lanting", "--day", "2026-11-20")
    assert again.exit_code == 2  # a closed day is locked
    no_reason = CliRunner().invoke(portal_cli, ["finance", "reopen", "--estate", "lanting",
                                                "--day", "2026-11-20"])  # fmt: skip
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    reopened = invoke(portal_cli, "reopen", "--estate", "lanting", "--day", "2026-11-20",
                      "--reason", "补记一笔到账")  # fmt: skip
    assert reopened.exit_code == 0 and "已对账" in reopened.output
