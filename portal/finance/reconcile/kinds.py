"""The tables reconciliation reads (the code and the tests both read these, nothing else).

Discrepancy kinds (:data:`KINDS`)
    What can be wrong between our ledger, the provider's statement and the bank:

    ======================  ==============================================================
    kind                    meaning
    ======================  ==============================================================
    ``missing_at_provider`` a payment (or refund) we recorded that the provider's statement
                            does not list
    ``missing_in_ours``     a provider line (payment or refund) we have no record of
    ``amount_differs``      the provider's gross differs from the amount we recorded
    ``fee_differs``         the provider's fee differs from the agreed rate × gross
    ``duplicate``           a second provider line for an order we recorded once (the same
                            line twice, or the order paid again under another transaction)
    ``settlement_missing``  a day's net settlement, or a transfer the desk recorded, that never
                            arrived in the bank
    ``bank_unexplained``    a bank deposit that no settlement (or offline batch) explains
    ======================  ==============================================================

Agreed fee rates (:data:`FEE_RATES`)
    Parts per million of the gross, per provider: 0.6% is ``6000``. The fee of a
    payment is ``gross × rate`` rounded **half up to the whole fen**, as both providers
    round it (:func:`expected_fee`). Refund lines give back a fee; it is not checked.
    ``pos`` is the card acquirer's rate on the front desk's POS slips: it settles a day's
    slips in one deposit, net of the fee of each slip.

Settlement (:data:`SETTLEMENT`)
    A provider settles each day's net (payments − refunds − fees) into the bank
    ``lag_days`` later (T+1), as one deposit from one of ``payers`` (the counterparty
    name on the bank statement); a deposit up to ``grace_days`` later (a weekend, a
    holiday) still counts.

Resolutions (:data:`ACTIONS`)
    What finance does about a discrepancy: every action needs a note; nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["missing_at_provider", "missing_in_ours", "amount_differs", "fee_differs",
               "duplicate", "settlement_missing", "bank_unexplained"]  # fmt: skip
KINDS: tuple[Kind, ...] = ("missing_at_provider", "missing_in_ours", "amount_differs",
                           "fee_differs", "duplicate", "settlement_missing", "bank_unexplained")  # fmt: skip

Action = Literal["matched_by_hand", "write_off_fee", "refund", "chase"]
ACTIONS: dict[Action, frozenset[Kind]] = {
    "matched_by_hand": frozenset(KINDS),
    "write_off_fee": frozenset({"fee_differs"}),
    "refund": frozenset({"duplicate", "missing_in_ours", "amount_differs"}),
    "chase": frozenset(KINDS),
}
"""action → the kinds it may resolve (a fee is written off only where a fee differs; money
is refunded only where the provider holds money we did not apply)."""

Provider = Literal["alipay", "wechat"]
PROVIDERS: tuple[Provider, ...] = ("alipay", "wechat")

FEE_RATES: dict[str, int] = {"alipay": 6000, "wechat": 6000, "pos": 5500}
"""provider (or ``pos``, the card acquirer) → the agreed fee in parts per million of the
gross (0.6%; the acquirer's 0.55%)."""
ACQUIRER = "pos"
"""The card acquirer's key in :data:`FEE_RATES` and :data:`SETTLEMENT`."""


@dataclass(frozen=True)
class Settlement:
    lag_days: int
    grace_days: int
    payers: tuple[str, ...]


SETTLEMENT: dict[str, Settlement] = {
    "alipay": Settlement(1, 3, ("支付宝（中国）网络技术有限公司", "支付宝(中国)网络技术有限公司", "alipay")),
    "wechat": Settlement(1, 3, ("财付通支付科技有限公司", "tenpay")),
    ACQUIRER: Settlement(1, 3, ("银联商务", "拉卡拉", "通联支付", "unionpay")),
}


def expected_fee(provider: str, gross_fen: int) -> int:
    """The agreed fee of a payment of ``gross_fen``: rate × gross, half up to the fen."""
    rate = FEE_RATES[provider]
    return (gross_fen * rate * 2 + 1_000_000) // 2_000_000 if gross_fen >= 0 else -expected_fee(
        provider, -gross_fen)


def paid_by(provider: str, counterparty: str) -> bool:
    """Whether a bank deposit's counterparty is the provider's settlement account."""
    name = counterparty.strip().lower()
    return any(p.lower() in name for p in SETTLEMENT[provider].payers)
