"""A month's reconciliation scenario through the ledger, the imports and the matched day:
online payments, a duplicate notification (the order paid again), a refund, a missing
settlement and a fee difference → exactly those discrepancies; then the queue and the close."""

from __future__ import annotations

import pytest

from portal.errors import Conflict
from portal.finance.reconcile.bank import BankMapping
from portal.finance.reconcile.kinds import expected_fee
from portal.wiring import Services
from tests.support.payments import FakeProvider
from tests.unit.billing.conftest import NEIGHBOUR, UNIT, finance, owner_of

HEAD = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
        "付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
        "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")
SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
DAY = "2026-11-22"


def yuan(fen: int) -> str:
    return f"{'-' if fen < 0 else ''}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def bill_line(tx: str, otn: str, gross: int, fee_fen: int, refund: int = 0, refund_no: str = "") -> str:
    state = "REFUND" if refund else "SUCCESS"
    values = [f"{DAY} 10:00:00", "wx1", "1900000109", "0", "", tx, otn, "o1", "JSAPI", state,
              "OTHERS", "CNY", yuan(0 if refund else gross), "0.00", "5030" if refund else "0",
              refund_no or "0", yuan(refund), "0.00", "ORIGINAL" if refund else "",
              "SUCCESS" if refund else "", "物业费", "", f"{yuan(fee_fen)}000", "0.60%",
              yuan(0 if refund else gross), yuan(refund), ""]  # fmt: skip
    return ",".join("`" + v for v in values)


@pytest.fixture
def month(services: Services, provider: FakeProvider) -> tuple[Services, list[tuple[str, int]]]:
    provider.name = "wechat"  # the fake stands in for WeChat Pay: its lines are WeChat's
    services.billing_run.run("lanting", "2026-11", actor="cli:test")
    paid = []
    for unit in (UNIT, NEIGHBOUR):
        bills = [b.bill_id for b in services.bills.of_unit(unit) if b.outstanding_fen]
        payment, _ = services.payments.create(owner_of(unit), unit, bills, "wechat")
        assert services.ledger.record(provider.paid(payment.payment_id, payment.amount_fen)) == "recorded"
        paid.append((payment.payment_id, payment.amount_fen))
    # the provider notifies again: the first order paid a second time, under another transaction
    again = provider.paid(paid[0][0], paid[0][1], tx="T-paid-again")
    assert services.ledger.record(again) == "duplicate"
    refund = services.refunds.refund(finance(), paid[1][0], 1000, "多收退回")
    assert refund.state == "succeeded"
    return services, paid


def test_a_month_lists_exactly_the_duplicate_the_missing_settlement_and_the_fee_difference(
    month: tuple[Services, list[tuple[str, int]]],
) -> None:
    services, [(p1, a1), (p2, a2)] = month
    lines = [bill_line(f"T{p1}", p1, a1, expected_fee("wechat", a1)),
             bill_line("T-paid-again", p1, a1, expected_fee("wechat", a1)),
             bill_line(f"T{p2}", p2, a2, expected_fee("wechat", a2) + 7),  # fee over the rate
             bill_line(f"T{p2}", p2, 0, -6, 1000, f"{p2}R01")]  # fmt: skip
    fees = 2 * expected_fee("wechat", a1) + expected_fee("wechat", a2) + 7 - 6
    summary = f"`4,`{yuan(2 * a1 + a2)},`10.00,`0.00,`{yuan(fees)}000,`{yuan(2 * a1 + a2)},`10.00"
    data = "\n".join([HEAD, *lines, SUMMARY, summary]).encode("utf-8")
    imports = services.statement_imports
    report = imports.run("lanting", "wechat", data, file_name="wechat.csv", actor="staff:qian")
    assert (report.outcome, report.lines, report.problems) == ("imported", 4, [])
    again = imports.run("lanting", "wechat", data, file_name="wechat.csv", actor="staff:qian")
    assert (again.outcome, again.new_lines) == ("already_imported", 0)
    services.reconcile_repo.save_mapping("lanting", BankMapping(
        "icbc", date="交易日期", counterparty="对方户名", credit="贷方发生额"), "staff:qian", "")
    bank = "交易日期,对方户名,贷方发生额\n2026-11-23,兰亭物业,0.00\n".encode()  # no settlement came
    assert imports.run("lanting", "bank", bank, file_name="b.csv", actor="staff:qian",
                       bank_name="icbc").outcome == "imported"

    day = services.reconcile_days.match("lanting", DAY, "staff:qian")
    assert sorted((d["kind"], d["ref"]) for d in day.discrepancies) == [
        ("duplicate", p1), ("fee_differs", p2), ("settlement_missing", f"wechat:{DAY}")]

    with pytest.raises(Conflict):
        services.reconcile_days.close("lanting", DAY, "staff:qian")  # three still open
    for d in day.discrepancies:
        action = "write_off_fee" if d["kind"] == "fee_differs" else "chase"
        services.reconcile_days.resolve("lanting", DAY, d["id"], action, "已核实", "staff:qian")
    assert services.reconcile_days.close("lanting", DAY, "staff:qian").state == "closed"
    with pytest.raises(Conflict):
        services.reconcile_days.match("lanting", DAY, "staff:qian")
    late = imports.run("lanting", "wechat", data + b"\n", file_name="again.csv", actor="staff:qian")
    assert [p.code for p in late.problems] == ["day_closed"]
    reopened = services.reconcile_days.reopen("lanting", DAY, "补记到账", "staff:qian")
    assert reopened.state == "matched" and len(reopened.discrepancies) == 3  # nothing deleted
    actions = [e["action"] for e in services.audit.day("2026-11-22")]
    for done in ("reconcile.imported", "reconcile.matched", "reconcile.resolved",
                 "reconcile.closed", "reconcile.reopened"):
        assert done in actions, done
