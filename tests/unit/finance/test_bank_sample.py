"""A sample bank statement read for the column-mapping form: the header found under the
bank's title lines (GBK CSV and XLSX), the first rows under it, a guess of each field from the
words banks use (a column guessed once), and an unreadable file answered as a problem."""

from __future__ import annotations

import io

from openpyxl import Workbook

from portal.finance.reconcile.bank import BankMapping, parse
from portal.finance.reconcile.banksample import FIELDS, GUESSES, guess, sample

ICBC = (
    "中国工商银行账户明细\n"
    "账号:6222020200112233,户名:长沙常青藤物业服务有限公司\n"
    "交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,交易流水号\n"
    "2026-11-23,支付宝结算,,1000.00,5000.00,支付宝（中国）网络技术有限公司,ICBC001\n"
    "2026-11-23,手续费,12.00,,4988.00,,ICBC002\n"
)


def test_the_header_under_the_banks_title_lines_is_found_with_its_rows_and_guessed_fields() -> None:
    s = sample(ICBC.encode("gbk"))
    assert s.problem is None and s.header_row == 3
    assert s.columns == ("交易日期", "摘要", "借方发生额", "贷方发生额", "余额", "对方户名", "交易流水号")
    assert s.rows[0][3] == "1000.00" and len(s.rows) == 2
    assert s.guess == {"date": "交易日期", "credit": "贷方发生额", "debit": "借方发生额",
                       "counterparty": "对方户名", "serial": "交易流水号", "memo": "摘要"}  # fmt: skip
    mapping = BankMapping("icbc", **s.guess)
    parsed = parse(ICBC.encode("gbk"), mapping)
    assert parsed.problems == [] and [ln[2] for ln in parsed.bank_lines] == [100000]


def test_a_signed_amount_column_is_guessed_only_without_a_credit_column_and_once() -> None:
    assert guess(("记账日期", "交易金额", "对方账户名称", "用途")) == {
        "date": "记账日期", "amount": "交易金额", "counterparty": "对方账户名称", "memo": "用途"}
    assert "amount" not in guess(("日期", "收入金额", "金额"))
    assert set(GUESSES) == set(FIELDS)


def test_an_xlsx_sample_reads_like_a_csv() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["招商银行交易明细"], ["交易日", "交易时间", "贷方金额", "收付款人", "参考号"],
                ["2026-11-23", "10:00:00", 88.5, "财付通支付科技有限公司", "CMB9"]):  # fmt: skip
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    s = sample(out.getvalue())
    assert s.header_row == 2 and s.columns[2] == "贷方金额"
    assert s.rows == (("2026-11-23", "10:00:00", "88.5", "财付通支付科技有限公司", "CMB9"),)
    assert s.guess["credit"] == "贷方金额" and s.guess["counterparty"] == "收付款人"


def test_an_unreadable_or_empty_file_is_a_problem_not_an_error() -> None:
    assert sample(b"").problem is not None and sample(b"").problem.code == "empty"  # type: ignore[union-attr]
    bad = sample(b"\xd0\xcf\x11\xe0old xls")
    assert bad.problem is not None and "xlsx" in bad.problem.message("zh-CN")
