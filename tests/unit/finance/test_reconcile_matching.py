"""The three-way matcher on hand-made lines: each kind of discrepancy, and nothing else."""

from __future__ import annotations

from portal.finance.reconcile.kinds import KINDS, expected_fee
from portal.finance.reconcile.lines import ProviderLine
from portal.finance.reconcile.matching import match_bank, match_provider

DAY = "2026-11-22"
TENPAY = "财付通支付科技有限公司"


def pay(otn: str, tx: str, gross: int, fee: int | None = None, n: int = 2) -> ProviderLine:
    return ("pay", otn, tx, "", gross, expected_fee("wechat", gross) if fee is None else fee, DAY, n)


def test_the_agreed_fee_is_the_rate_times_the_gross_rounded_half_up() -> None:
    assert expected_fee("wechat", 37100) == 223  # 222.6
    assert expected_fee("wechat", 25000) == 150
    assert expected_fee("wechat", 2500) == 15 and expected_fee("wechat", 2583) == 15  # 15.498


def test_each_provider_discrepancy_is_found_once_and_matched_lines_are_silent() -> None:
    ours = [("P1", "T1", 10000), ("P2", "T2", 20000), ("P3", "T3", 30000), ("P4", "T4", 40000),
            ("P5", "", 50000)]  # fmt: skip
    lines = [pay("P1", "T1", 10000), pay("P2", "T2", 20100), pay("P3", "T3", 30000, fee=200),
             pay("P1", "T1", 10000, n=5), pay("P5", "T5", 50000), pay("P5", "T9", 50000, n=7),
             pay("X9", "T8", 700)]  # fmt: skip
    found, batches = match_provider("wechat", ours, [], lines, ours_day=lambda _o: DAY)
    assert sorted((d.kind, d.ref, d.line) for d in found) == [
        ("amount_differs", "P2", 2), ("duplicate", "P1", 5), ("duplicate", "P5", 7),
        ("fee_differs", "P3", 2), ("missing_at_provider", "P4", 0), ("missing_in_ours", "X9", 2),
    ]  # fmt: skip
    assert batches == {DAY: sum(ln[4] - ln[5] for ln in lines)}


def test_an_order_paid_again_under_another_transaction_is_the_duplicate_whatever_the_order() -> None:
    found, _ = match_provider("wechat", [("P1", "T1", 100)], [],
                              [pay("P1", "T2", 100, n=2), pay("P1", "T1", 100, n=3)])  # fmt: skip
    assert [(d.kind, d.transaction_id) for d in found] == [("duplicate", "T2")]


def test_refunds_match_by_our_refund_number_or_by_order_and_amount() -> None:
    refunds = [("P1R01", "P1", 500), ("P2R01", "P2", 300), ("P3R01", "P3", 200)]
    lines: list[ProviderLine] = [("refund", "P1", "T1", "P1R01", -500, -3, DAY, 2),
                                 ("refund", "P2", "T2", "", -300, -2, DAY, 3)]  # fmt: skip
    found, _ = match_provider("wechat", [], refunds, lines, ours_day=lambda _o: DAY)
    assert [(d.kind, d.ref) for d in found] == [("missing_at_provider", "P3R01")]


def test_a_settlement_is_found_in_the_bank_within_its_window_and_other_credits_are_unexplained() -> None:
    batches = {("wechat", "2026-11-20"): 1000, ("wechat", "2026-11-21"): 2000,
               ("wechat", "2026-11-22"): 3000}  # fmt: skip
    bank = [("B1", "2026-11-21", 1000, TENPAY, "", 2), ("B2", "2026-11-25", 2000, TENPAY, "", 3),
            ("B3", "2026-11-23", 999, "某公司", "", 4)]  # fmt: skip
    found = match_bank(batches, bank)
    assert [(d.kind, d.ref) for d in found] == [("settlement_missing", "wechat:2026-11-22"),
                                                ("bank_unexplained", "B3")]  # fmt: skip


def test_an_offline_deposit_explains_its_bank_credit() -> None:
    bank = [("B3", "2026-11-23", 999, "王先生", "物业费现金", 4)]
    assert match_bank({}, bank, explained=[("HB-1", "2026-11-23", 999)]) == []


def test_a_transfer_the_desk_recorded_that_the_bank_never_credited_is_settlement_missing() -> None:
    bank = [("B3", "2026-11-27", 999, "王先生", "", 4),  # four days later: out of the window
            ("B4", "2026-11-24", 500, "李女士", "", 5)]  # fmt: skip
    found = match_bank({}, bank, explained=[("TR-1", "2026-11-23", 999), ("TR-2", "2026-11-23", 500)])
    assert [(d.kind, d.day, d.ref, d.provider, d.ours_fen) for d in found] == [
        ("settlement_missing", "2026-11-23", "TR-1", "transfer", 999),
        ("bank_unexplained", "2026-11-27", "B3", "bank", None),
    ]


def test_the_discrepancy_kinds_table_names_every_kind_the_matcher_can_report() -> None:
    assert set(KINDS) == {"missing_at_provider", "missing_in_ours", "amount_differs",
                          "fee_differs", "duplicate", "settlement_missing", "bank_unexplained"}  # fmt: skip
