"""Offline payments match against bank deposits: the desk's bank transfers and a day's POS
slips explain the credits they make, so only money nothing explains is "bank_unexplained"."""

from __future__ import annotations

from portal.billing.model import UnitKey
from portal.billing.money import yuan
from portal.finance.reconcile.bank import BankMapping
from portal.finance.reconcile.days import offline_deposits
from portal.wiring import Services
from tests.support.finance import DESK, NEIGHBOUR, UNIT, offline

ICBC = BankMapping("icbc", date="交易日期", counterparty="对方户名", credit="贷方发生额",
                   debit="借方发生额", serial="交易流水号", memo="摘要")  # fmt: skip


def _statement(transfer_fen: int, pos_fen: int) -> bytes:
    """An ICBC statement: the transfer on the 22nd, the POS settlement and a stranger's credit
    of the same amount on the 23rd."""
    return f"""交易日期,交易流水号,对方户名,对方账号,借方发生额,贷方发生额,余额,摘要
2026-11-22,ICBC0101,林晓岚,6222000000001503,,{yuan(transfer_fen)},10000.00,物业费
2026-11-23,ICBC0102,银联商务股份有限公司,898430100000001,,{yuan(pos_fen)},20000.00,POS结算
2026-11-23,ICBC0103,某某装饰工程有限公司,6222000011112222,,{yuan(pos_fen)},30000.00,往来款
""".encode()


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
    _import(billed, _statement(transfer, pos))

    assert _unexplained(billed, "2026-11-22") == []  # the transfer
    # One credit is the day's POS settlement; the other is not the cash (cash is handed over).
    assert _unexplained(billed, "2026-11-23") == [("ICBC0103", pos)]


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
    assert offline_deposits(entries) == [("T1", "2026-11-22", 100), ("p5", "2026-11-22", 500),
                                         ("pos:2026-11-22", "2026-11-22", 500)]  # fmt: skip
