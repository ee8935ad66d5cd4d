"""Statement files as the providers publish them: each read to exact fen, footers checked,
a bad file reported by line and column."""

from __future__ import annotations

from pathlib import Path

from portal.finance.reconcile import alipay, bank, wechat
from portal.finance.reconcile.bank import BankMapping
from portal.finance.reconcile.lines import fast_fee_fen, fee_fen, fen

FIXTURES = Path(__file__).parents[2] / "fixtures" / "reconcile"
ICBC = BankMapping("icbc", date="交易日期", counterparty="对方户名", credit="贷方发生额",
                   debit="借方发生额", serial="交易流水号", memo="摘要")  # fmt: skip


def test_the_alipay_business_detail_in_gbk_gives_payments_a_refund_and_their_fees() -> None:
    parsed = alipay.parse((FIXTURES / "alipay_business_gbk.csv").read_bytes())
    assert parsed.ok, parsed.problems
    assert parsed.account == "20881234567890120156"
    assert parsed.provider_lines == [
        ("pay", "20261122a1b2c3d4lanting", "2026112222001401231000000001", "", 37100, 223,
         "2026-11-22", 6),
        ("pay", "20261122e5f6a7b8lanting", "2026112222001401231000000002", "", 50000, 300,
         "2026-11-22", 7),
        ("refund", "20261122a1b2c3d4lanting", "2026112222001401231000000001",
         "20261122a1b2c3d4lantingR01", -7100, -43, "2026-11-22", 8),
    ]  # fmt: skip


def test_the_alipay_account_detail_puts_each_fee_line_on_its_payment_and_skips_withdrawals() -> None:
    parsed = alipay.parse((FIXTURES / "alipay_account_utf8.csv").read_bytes())
    assert parsed.ok, parsed.problems
    assert [(ln[0], ln[1], ln[4], ln[5]) for ln in parsed.provider_lines] == [
        ("pay", "20261122a1b2c3d4lanting", 37100, 223),
        ("pay", "20261122c0ffee00lanting", 30000, 180),
    ]
    assert parsed.skipped == 1  # 提现


def test_an_alipay_file_whose_footer_does_not_add_up_is_refused_at_the_footer_line() -> None:
    data = (FIXTURES / "alipay_business_gbk.csv").read_bytes().decode("gbk")
    data = data.replace("#交易合计：2笔，商家实收共871.00元", "#交易合计：2笔，商家实收共871.01元")
    parsed = alipay.parse(data.encode("gbk"))
    assert [(p.line, p.column, p.code) for p in parsed.problems] == [(10, "交易合计", "summary_mismatch")]


def test_the_wechat_trade_bill_strips_backticks_rounds_five_decimal_fees_and_checks_its_summary() -> None:
    parsed = wechat.parse((FIXTURES / "wechat_trade.csv").read_bytes())
    assert parsed.ok, parsed.problems
    assert parsed.provider_lines == [
        ("pay", "20261122aa00bb11lanting", "4200001234202611220000000001", "", 37100, 223,
         "2026-11-22", 2),
        ("pay", "20261122cc22dd33lanting", "4200001234202611220000000002", "", 25000, 150,
         "2026-11-22", 3),
        ("refund", "20261122aa00bb11lanting", "4200001234202611220000000001",
         "20261122aa00bb11lantingR01", -7100, -43, "2026-11-22", 4),
    ]  # fmt: skip


def test_a_wechat_line_with_a_bad_amount_is_reported_by_line_and_column_and_nothing_is_kept() -> None:
    data = (FIXTURES / "wechat_trade.csv").read_bytes().decode("utf-8-sig")
    parsed = wechat.parse(data.replace("`250.00,`0.00,`0,", "`25O.00,`0.00,`0,").encode())
    assert [(p.line, p.code) for p in parsed.problems][:1] == [(3, "amount_invalid")]
    assert not parsed.ok


def test_a_wechat_bill_cut_before_its_summary_is_refused() -> None:
    data = (FIXTURES / "wechat_trade.csv").read_bytes().decode("utf-8-sig")
    parsed = wechat.parse(data.split("总交易单数")[0].encode())
    assert [p.code for p in parsed.problems] == ["summary_missing"]


def test_a_bank_statement_in_gbk_is_read_with_the_saved_mapping_keeping_only_credits() -> None:
    parsed = bank.parse((FIXTURES / "bank_icbc_gbk.csv").read_bytes(), ICBC)
    assert parsed.ok, parsed.problems
    assert parsed.bank_lines == [
        ("ICBC0001", "2026-11-23", 54670, "财付通支付科技有限公司", "财付通结算", 4),
        ("ICBC0002", "2026-11-23", 888800, "某某装饰工程有限公司", "往来款", 5),
    ]
    assert parsed.skipped == 1


def test_a_bank_statement_as_xlsx_reads_date_serials_and_numbers() -> None:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["交易日期", "交易流水号", "对方户名", "贷方发生额", "借方发生额", "摘要"])
    ws.append([46349, "X1", "财付通支付科技有限公司", 546.7, None, "结算"])  # 2026-11-23
    buf = io.BytesIO()
    wb.save(buf)
    parsed = bank.parse(buf.getvalue(), ICBC)
    assert parsed.ok, parsed.problems
    assert parsed.bank_lines == [("X1", "2026-11-23", 54670, "财付通支付科技有限公司", "结算", 2)]


def test_a_bank_file_without_the_mapped_columns_names_the_missing_column() -> None:
    parsed = bank.parse("日期,金额\n2026-11-23,1.00\n".encode(), ICBC)
    assert [(p.code, p.column) for p in parsed.problems] == [("column_missing", "交易日期")]


def test_yuan_are_read_exactly_and_fees_round_half_up_to_the_fen() -> None:
    assert fen("1,234.56") == 123456 and fen("-0.05") == -5 and fen("12") == 1200
    for bad in ("1.234", "abc", "", "1.", "１２"):
        try:
            fen(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
    for text in ("2.22600", "0.00500", "-0.42600", "0.00499", "1.5"):
        assert fast_fee_fen(text) == fee_fen(text), text
    assert fast_fee_fen("0.00500") == 1 and fast_fee_fen("-0.42600") == -43
