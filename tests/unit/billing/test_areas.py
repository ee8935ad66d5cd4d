"""Unit areas import (房屋面积): a per-row report with row and column, all or nothing unless
partial is allowed, kept beside the unit list (a re-sync never overwrites it), and the
next billing run charges the management fee on the imported area."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from portal.cli.billing import register
from portal.errors import InvalidInput
from portal.wiring import Services
from tests.support.auth import AuthActions
from tests.unit.billing.conftest import UNIT

HEADER = "楼栋,单元/房号,建筑面积\n"


def run(services: Services, text: str, **kw: Any) -> Any:
    return services.areas.run(text.encode("utf-8"), estate=services.estates.estate("lanting"),
                              file_name="房屋面积.csv", actor="staff:qian", **kw)  # fmt: skip


def test_an_imported_area_is_what_the_next_bill_is_computed_from(services: Services) -> None:
    report = run(services, HEADER + "2栋,1单元1503室,140.25\n")
    assert (report.outcome, report.written) == ("imported", 1)
    services.billing_run.run("lanting", "2026-11", actor="cli:test")
    bill = next(b for b in services.bills.of_unit(UNIT) if b.item == "management")
    # 140.25 m² × 280 fen = 39,270 fen (the unit list said 132.5 m²: 37,100)
    assert bill.amount_fen == 39270 and bill.basis["area_m2"] == "140.25"
    services.estates.company()  # the unit list synced again leaves the imported area alone
    services.billing_run.run("lanting", "2026-12", actor="cli:test")
    december = next(b for b in services.bills.of_unit(UNIT) if b.period == "2026-12")
    assert december.amount_fen == 39270


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(
    services: Services,
) -> None:
    report = run(services, HEADER + "2,1-1503,132.5\n9,1-1501,90\n2,1-1504,-3\n2,1-1503,100\n"
                 "2,x,80\n")  # fmt: skip
    assert report.outcome == "rejected" and report.written == 0
    errors = {r.row: [(e.code, e.column) for e in r.errors] for r in report.rows if not r.ok}
    assert errors == {3: [("unknown_building", "楼栋")], 4: [("bad_area", "建筑面积")],
                      5: [("duplicate", "")], 6: [("bad_room", "单元/房号")]}  # fmt: skip
    assert report.rows[1].errors[0].message("en").startswith("Building “9”")
    partial = run(services, HEADER + "2,1-1503,132.5\n9,1-1501,90\n", allow_partial=True)
    assert (partial.outcome, partial.written) == ("partially_imported", 1)


def test_a_file_without_the_columns_says_which_it_needs(services: Services) -> None:
    with pytest.raises(InvalidInput) as exc:
        run(services, "房号,姓名\n1-1503,王芳\n")
    assert exc.value.code == "areas_no_header"


def test_finance_uploads_areas_through_the_api_and_the_cli(
    auth: AuthActions, services: Services, tmp_path: Path
) -> None:
    finance = auth.staff("qian.finance", "finance", estates=("lanting",))
    res = finance.client.post("/api/bills/areas", query_string={"estate": "lanting"},
                              data={"file": (io.BytesIO((HEADER + "2,1-1503,140.25\n").encode()),
                                             "面积.csv")},
                              headers=finance.headers, content_type="multipart/form-data")  # fmt: skip
    assert res.status_code == 200 and res.json["outcome"] == "imported", res.json

    @click.group(context_settings={"obj": services})
    def main() -> None:
        """A stand-in for ``portal.cli.main``."""

    register(main)
    path = tmp_path / "面积.csv"
    path.write_text(HEADER + "2,1-1504,9999\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["billing", "areas", str(path), "--estate", "lanting"])
    assert out.exit_code == 1 and "第 2 行" in out.output and "Row 2" in out.output
