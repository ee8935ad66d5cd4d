"""Offline payments match against bank deposits: the desk's bank transfers and a day's POS
slips (net of the acquirer's agreed fee, FEE_RATES["pos"]) explain the credits they make, so
only money nothing explains is "bank_unexplained"; an acquirer's deposit with another fee is
"fee_differs"."""

from __future__ import annotations

from portal.billing.model import UnitKey
from portal.billing.money import yuan
from portal.finance.reconcile.bank import BankMapping
from portal.finance.reconcile.days import card_days, offline_deposits
from portal.finance.reconcile.kinds import ACTIONS, FEE_RATES, expected_fee
from portal.wiring import Services
from tests.support.finance import DESK, NEIGHBOUR, UNIT, offline

ICBC = BankMapping("icbc", date="交易日期", counterparty="对方户名", credit="贷方发生额",
                   debit="借方发生额", serial="交易流水号", memo="摘要")  # fmt: skip


def _statement(transfer_fen: int, pos_fen: int, stranger_fen: int | None = None) -> bytes:
    """An ICBC statement: the transfer on the 22nd, the acquirer's POS settlement and a
    stranger's credit (by default of the same amount) on the 23rd."""
    stranger = pos_fen if stranger_fen is None else stranger_fen
    return f"""交易日期,交易流水号,对方户名,对方账号,借方发生额,贷方发生额,余额,摘要
2026-11-22,ICBC0101,林晓岚,6222000000001503,,{yuan(transfer_fen)},10000.00,物业费
2026-11-23,ICBC0102,银联商务股份有限公司,898430100000001,,{yuan(pos_fen)},20000.00,POS结算
2026-11-23,ICBC0103,某某装饰工程有限公司,6222000011112222,,{yuan(stranger)},30000.00,往来款
""".encode()


def _net(gross_fen: int) -> int:
    """What the acquirer deposits for one slip: the gross less the agreed fee."""
    return gross_fen - expected_fee("pos", gross_fen)


def _owed(services: Services, unit: UnitKey, bill_id: str) -> int:
    return next(b.outstanding_fen for b in services.bills.of_unit(unit) if b.bill_id == bill_id)


def _import(services: Services, data: bytes) -> None:
    services.reconcile_repo.save_mapping("lanting", ICBC, "staff:qian", "2026-11-22T10:00:00+08:00")
    report = services.statement_imports.run("lanting", "bank", data, file_name="icbc.csv",
                                            actor="staff:qian", bank_name="icbc")  # fmt: skip
    assert report.outcome == "imported", report.problems


def _unexplained(services: Services, day: str) -> list[tuple[str, int]]:
    view = services.reconcile_days.match("lanting", day, "staff:qian")
    return sorted((str(d["ref"]), int(d["bank_fen"])) for d in view.discrepancies
                  if d["kind"] == "bank_unexplained" and d["status"] == "open")  # fmt: skip


def test_a_transfer_and_a_days_pos_slips_explain_their_deposits_and_cash_explains_none(
    billed: Services,
) -> None:
    transfer = _owed(billed, UNIT, "2026-10-management") + _owed(billed, UNIT, "2026-11-management")
    pos = _owed(billed, NEIGHBOUR, "2026-11-management")
    cash = _owed(billed, NEIGHBOUR, "2026-10-management")
    assert cash == pos  # the stranger's credit could be taken for the cash: it must not be
    desk = billed.offline_payments
    desk.record(DESK, offline(UNIT, ["2026-10-management", "2026-11-management"], transfer,
                              "transfer", reference="ICBC0101"))  # fmt: skip
    desk.record(DESK, offline(NEIGHBOUR, ["2026-11-management"], pos, "pos"))
    desk.record(DESK, offline(NEIGHBOUR, ["2026-10-management"], cash, "cash"))
    _import(billed, _statement(transfer, _net(pos), cash))

    assert _unexplained(billed, "2026-11-22") == []  # the transfer, and the POS net of its fee
    assert _fees(billed, "2026-11-22") == []
    # The other credit is not the cash (cash is handed over to the foreman, not deposited).
    assert _unexplained(billed, "2026-11-23") == [("ICBC0103", cash)]


def test_without_the_offline_payments_the_same_deposits_are_unexplained(billed: Services) -> None:
    transfer = _owed(billed, UNIT, "2026-10-management") + _owed(billed, UNIT, "2026-11-management")
    pos = _owed(billed, NEIGHBOUR, "2026-11-management")
    _import(billed, _statement(transfer, pos))
    assert _unexplained(billed, "2026-11-22") == [("ICBC0101", transfer)]
    assert _unexplained(billed, "2026-11-23") == [("ICBC0102", pos), ("ICBC0103", pos)]


def test_transfers_are_deposits_one_by_one_and_pos_slips_one_per_day() -> None:
    entries = {
        "2026-11-22": [{"method": "transfer", "reference": "T1", "amount_fen": 100, "payment_id": "p1"},
                       {"method": "pos", "amount_fen": 200, "payment_id": "p2"},
                       {"method": "pos", "amount_fen": 300, "payment_id": "p3"},
                       {"method": "cash", "amount_fen": 400, "payment_id": "p4"},
                       {"method": "transfer", "reference": "", "amount_fen": 500, "payment_id": "p5"}],
        "2026-11-23": [{"method": "cash", "amount_fen": 600, "payment_id": "p6"}],
    }  # fmt: skip
    fee = expected_fee("pos", 200) + expected_fee("pos", 300)  # slip by slip, half up each
    assert offline_deposits(entries) == [("T1", "2026-11-22", 100), ("p5", "2026-11-22", 500),
                                         ("pos:2026-11-22", "2026-11-22", 500 - fee)]  # fmt: skip
    assert card_days(entries) == [("2026-11-22", 500, fee)]


def test_the_acquirers_agreed_rate_is_read_from_the_one_table_and_rounds_each_slip_half_up() -> None:
    rate = FEE_RATES["pos"]
    assert 0 < rate < 20_000, "a card acquirer's rate is well under 2%"
    assert expected_fee("pos", 1_000_000) == rate  # ¥10,000 pays the rate in fen
    slips = {"2026-11-22": [{"method": "pos", "amount_fen": 9_091, "payment_id": f"p{i}"}
                            for i in range(3)]}  # fmt: skip
    assert card_days(slips) == [("2026-11-22", 27_273, 3 * expected_fee("pos", 9_091))]


def _fees(services: Services, day: str) -> list[dict[str, object]]:
    view = services.reconcile_days.match("lanting", day, "staff:qian")
    return [dict(d) for d in view.discrepancies if d["kind"] == "fee_differs" and d["status"] == "open"]


def test_an_acquirer_deposit_with_another_fee_is_fee_differs_not_an_unexplained_deposit(
    billed: Services,
) -> None:
    pos = _owed(billed, NEIGHBOUR, "2026-11-management")
    billed.offline_payments.record(DESK, offline(NEIGHBOUR, ["2026-11-management"], pos, "pos"))
    taken = expected_fee("pos", pos) + 150  # the acquirer took ¥1.50 more than agreed
    transfer = _owed(billed, UNIT, "2026-11-management")
    _import(billed, _statement(transfer, pos - taken, 1))

    [fee] = _fees(billed, "2026-11-22")
    assert fee["ref"] == "pos:2026-11-22" and fee["provider"] == "pos"
    assert (fee["ours_fen"], fee["provider_fen"], fee["bank_fen"], fee["expected_fen"]) == (
        pos, taken, pos - taken, expected_fee("pos", pos))
    assert "ICBC0102" not in [ref for ref, _ in _unexplained(billed, "2026-11-23")]
    assert "fee_differs" in ACTIONS["write_off_fee"]


def test_a_pos_day_the_acquirer_never_settled_is_settlement_missing(billed: Services) -> None:
    pos = _owed(billed, NEIGHBOUR, "2026-11-management")
    billed.offline_payments.record(DESK, offline(NEIGHBOUR, ["2026-11-management"], pos, "pos"))
    transfer = _owed(billed, UNIT, "2026-11-management")
    bank = _statement(transfer, 1, 1).replace("银联商务股份有限公司".encode(), "某某公司".encode())
    _import(billed, bank)  # the transfer came; nothing from the acquirer

    view = billed.reconcile_days.match("lanting", "2026-11-22", "staff:qian")
    [missing] = [d for d in view.discrepancies if d["kind"] == "settlement_missing"]
    assert missing["ref"] == "pos:2026-11-22" and missing["provider"] == "pos"
    assert missing["ours_fen"] == pos and missing["expected_fen"] == _net(pos)
    assert _fees(billed, "2026-11-22") == []
