"""The collection rate of a month, computed by hand: current period apart from arrears
recovered, by amount and by household, the daily path, the drill-down and the exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.billing.model import UnitKey
from portal.finance.collection import FORMULAS, Figures, periods_back, rate
from portal.finance.exports import collection_table, to_csv, to_xlsx
from portal.wiring import Services
from tests.support.finance import DESK, FINANCE, offline
from tests.support.payments import FakeProvider
from tests.unit.billing.conftest import owner_of

U1501, U1502, U1503, U1504 = (UnitKey("lanting", "2", f"1-150{i}") for i in range(1, 5))
NOV_BILLED = 26936 + 37100 + 37100 + 26936
"""1-1501 and 1-1504 are smaller flats (269.36 a month), 1-1502 and 1-1503 pay 371.00."""


def at(services: Services, day: int, hour: int = 2) -> None:
    services.clock.now = datetime(2026, 11, day, hour, 0, tzinfo=UTC)  # type: ignore[attr-defined]


@pytest.fixture
def november(billed: Services, provider: FakeProvider) -> Services:
    """1-1501 pays November online on the 5th; 1-1502 November in cash on the 10th; 1-1503
    October and November by transfer on the 12th; 1-1504 pays nothing. Today is the 22nd."""
    at(billed, 5)
    payment, _ = billed.payments.create(owner_of(U1501), U1501, ["2026-11-management"], "sandbox")
    notice = provider.paid(payment.payment_id, 26936, at="2026-11-05T02:00:00Z")
    assert billed.ledger.record(notice) == "recorded"
    at(billed, 10)
    billed.offline_payments.record(DESK, offline(U1502, ["2026-11-management"], 37100))
    at(billed, 12)
    billed.offline_payments.record(DESK, offline(U1503, ["2026-10-management", "2026-11-management"],
                                                 74200, "transfer", reference="BANK001"))  # fmt: skip
    at(billed, 22)
    return billed


def test_the_rate_of_november_equals_the_hand_computed_figure(november: Services) -> None:
    r = november.collection.report(FINANCE, "lanting", "2026-11")
    assert r.total == Figures(billed_fen=NOV_BILLED, paid_fen=26936 + 37100 + 37100, households=4,
                              paid_households=3)  # fmt: skip
    assert r.total.rate_amount == Decimal("78.97")  # 1011.36 / 1280.72
    assert r.total.rate_households == Decimal("75.00")  # 3 of 4 households
    # October's fee 1-1503 paid on the 12th is arrears recovered, not November's collection
    assert (r.arrears_recovered_fen, r.arrears_recovered_households) == (37100, 1)
    assert list(r.buildings) == ["2"] and r.buildings["2"] == r.total


def test_the_trend_and_the_daily_path_toward_98_percent(november: Services) -> None:
    r = november.collection.report(FINANCE, "lanting", "2026-11")
    trend = dict(r.trend)
    assert [p for p, _ in r.trend] == periods_back("2026-11", 12)
    assert trend["2026-10"].rate_amount == Decimal("28.97")  # only 1-1503's 371.00 of 1280.72
    assert trend["2026-09"].rate_amount is None  # nothing billed
    daily = {d.day: d for d in r.daily}
    assert len(r.daily) == 22  # to today
    assert daily["2026-11-04"].paid_fen == 0
    assert daily["2026-11-05"].paid_fen == 26936
    assert daily["2026-11-11"].paid_fen == 26936 + 37100
    assert daily["2026-11-22"].paid_fen == r.total.paid_fen
    assert daily["2026-11-22"].rate == Decimal("78.97")
    assert daily["2026-11-22"].target == Decimal("71.87")  # 98% × 22/30


def test_a_buildings_drill_down_lists_each_unit_with_its_earlier_arrears(november: Services) -> None:
    r = november.collection.report(FINANCE, "lanting", "2026-11", building="2")
    units = {u.unit.room: u for u in r.units}
    assert units["1-1504"].figures == Figures(26936, 0, 1, 0)
    assert units["1-1504"].arrears_fen == 26936  # October, unpaid
    assert units["1-1503"].arrears_fen == 0
    assert sum((u.figures for u in r.units), Figures()) == r.total


def test_rates_are_percentages_with_two_decimals_half_up_and_read_the_formula_table() -> None:
    assert rate(1, 3) == Decimal("33.33") and rate(2, 3) == Decimal("66.67")
    assert rate(0, 0) is None and rate(98, 100) == Decimal("98.00")
    assert FORMULAS["rate_amount"] == ("paid_fen", "billed_fen")
    assert Figures(300, 200, 3, 1).rate_of("rate_households") == Decimal("33.33")


def test_the_exports_have_chinese_headers_yuan_with_two_decimals_and_the_screens_totals(
    november: Services,
) -> None:
    r = november.collection.report(FINANCE, "lanting", "2026-11")
    table = collection_table(r)
    raw = to_csv(table)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["楼栋", "应收（元）", "实收（元）", "未收（元）"]
    assert rows[-1][:5] == ["合计", "1280.72", "1011.36", "269.36", "78.97"]
    book = load_workbook(io.BytesIO(to_xlsx(table)))
    sheet = book.active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == "楼栋" and values[-1][0] == "合计"
    assert Decimal(str(values[-1][1])) == Decimal("1280.72")
    assert Decimal(str(values[-1][2])) == Decimal("1011.36")
    assert sheet.cell(row=len(values), column=2).number_format == "0.00"
