"""``portal collection``: the desk's payment (again = the same receipt), the foreman's count,
a debit file, the report and the exports, as the routes do them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from portal.accounts.owners import Owner
from portal.billing.model import UnitKey
from portal.cli.collection import register
from portal.wiring import Services
from tests.support.finance import debit_csv


@pytest.fixture
def portal_cli(billed: Services) -> click.Group:
    @click.group(context_settings={"obj": billed})
    def main() -> None:
        """A stand-in for ``portal.cli.main``."""

    register(main)
    return main


def invoke(cli: click.Group, *args: str) -> Any:
    return CliRunner().invoke(cli, ["collection", *args], catch_exceptions=False)


def test_a_desk_payment_from_the_command_line_is_recorded_once_per_request_id(
    portal_cli: click.Group,
) -> None:
    args = ("record", "--estate", "lanting", "--unit", "2/1-1503", "--bill", "2026-11-management",
            "--method", "cash", "--amount", "371.00", "--request-id", "cli-desk-000001")  # fmt: skip
    first = invoke(portal_cli, *args)
    assert first.exit_code == 0, first.output
    assert "已收款 371.00 元（现金），收据编号 lanting-2026-000001" in first.output
    again = invoke(portal_cli, *args)
    assert "已登记过" in again.output and "lanting-2026-000001" in again.output
    paid = invoke(portal_cli, *args[:-1], "cli-desk-000002")
    assert paid.exit_code == 2 and "已经缴清" in paid.output


def test_debits_report_and_exports_from_the_command_line(
    portal_cli: click.Group, owner: Owner, tmp_path: Path
) -> None:
    path = tmp_path / "托收.csv"
    path.write_bytes(debit_csv(("2", "1-1503", "742.00", "成功", "DD2026112201")))
    out = invoke(portal_cli, "debits", str(path), "--estate", "lanting")
    assert out.exit_code == 0 and "入账 1 笔" in out.output
    assert "重复 1 笔" in invoke(portal_cli, "debits", str(path), "--estate", "lanting").output
    report = invoke(portal_cli, "report", "--estate", "lanting", "--period", "2026-11")
    assert report.exit_code == 0 and "合计" in report.output and "25.00%" in report.output
    xlsx = tmp_path / "收缴率.xlsx"
    done = invoke(portal_cli, "export", "collection", "--estate", "lanting", "--period", "2026-11",
                  "--out", str(xlsx))  # fmt: skip
    assert done.exit_code == 0 and xlsx.read_bytes().startswith(b"PK")
    csv_path = tmp_path / "欠费.csv"
    invoke(portal_cli, "export", "arrears", "--estate", "lanting", "--format", "csv", "--out", str(csv_path))
    assert csv_path.read_bytes().startswith("\ufeff房号".encode())


def test_the_backfill_gives_older_bills_the_estate_key_once(portal_cli: click.Group, billed: Services) -> None:
    from portal.store import billing_keys
    from portal.store.tables import GSI2

    for bill in billed.bills.of_unit(UnitKey("lanting", "2", "1-1503")):  # as written before the key
        billed.table.update(billing_keys.bill("lanting", "2", "1-1503", bill.bill_id),
                            remove=(GSI2.hash_key, GSI2.range_key or ""))  # fmt: skip
    first = invoke(portal_cli, "backfill", "--estate", "lanting")
    assert first.exit_code == 0 and "已为 2 笔旧账单补写" in first.output
    assert "已为 0 笔旧账单补写" in invoke(portal_cli, "backfill", "--estate", "lanting").output
