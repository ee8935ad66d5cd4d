"""Three-way matching: our ledger ↔ the provider's statement ↔ the bank (pure, no store).

1. :func:`match_provider` streams a provider's lines once against our payments and
   refunds of that provider, held in one dict keyed by ``out_trade_no`` whose value is
   one integer (the amount in fen and a 32-bit hash of the transaction id we recorded;
   negated once matched): no object per payment beyond the dict's key. A payment line

   - whose order is not ours is ``missing_in_ours``;
   - whose order was matched already, or that carries another transaction id than the
     one our ledger recorded for the order (paid twice), is a ``duplicate``;
   - else it matches, and its gross is compared with our amount (``amount_differs``)
     and its fee with the agreed rate (``fee_differs``, :func:`~.kinds.expected_fee`).

   Refund lines match our refunds by our refund number (``<payment>R<nn>``), or by
   order and amount where the file does not state the number. What is left of ours is
   ``missing_at_provider``. The lines' net (gross − fee) is summed per trade day: the
   settlement batches.
2. :func:`match_bank` finds each batch's deposit in the bank lines: the same amount,
   from the provider's settlement account (:data:`~.kinds.SETTLEMENT`), ``lag`` to
   ``lag + grace`` days after the trade day, the earliest first. A batch without one is
   ``settlement_missing``, and so is a bank transfer the desk recorded that no credit of
   the same amount follows within :data:`TRANSFER_DAYS`; a credit that no batch and no
   offline deposit explains is ``bank_unexplained``. The desk's POS slips of a day are one deposit of the card
   acquirer, net of the agreed fee of each slip (:data:`~.kinds.FEE_RATES` ``pos``); an
   acquirer's credit of that window that is not that net is a ``fee_differs`` (the fee it
   took against the agreed one), not an unexplained deposit; no credit from the acquirer in
   the window is ``settlement_missing``.

Every discrepancy names its day (the trade day; the deposit's day for the bank), the
reference it is about and the three amounts that were compared, so a person can trace it
to a line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from portal.finance.reconcile.kinds import (
    ACQUIRER,
    FEE_RATES,
    SETTLEMENT,
    Kind,
    expected_fee,
    paid_by,
)  # fmt: skip
from portal.finance.reconcile.lines import BankLine, ProviderLine

OurPayment = tuple[str, str, int]
"""(out_trade_no, transaction_id as our ledger recorded it, amount_fen)."""
OurRefund = tuple[str, str, int]
"""(refund_no, out_trade_no, amount_fen)."""
Deposit = tuple[str, str, int]
"""(reference, day, amount_fen): an offline deposit another part of finance expects."""
CardDay = tuple[str, int, int]
"""(day, gross_fen, agreed fee_fen) of the desk's POS slips of a day (the acquirer's deposit
``pos:<day>`` is the gross less the fee)."""
TRANSFER_DAYS = 3
"""A bank transfer the desk recorded is credited by the bank from that day to this many
days after it (weekends, a holiday); none in the window is ``settlement_missing``."""
_MASK = 0xFFFFFFFF
_SHIFT = 32


@dataclass(frozen=True)
class Discrepancy:
    kind: Kind
    day: str
    ref: str
    """What it is about: our order number, our refund number, ``<provider>:<day>`` of a
    settlement, or the bank line's serial (``line:<n>`` without one)."""
    provider: str
    ours_fen: int | None = None
    provider_fen: int | None = None
    bank_fen: int | None = None
    transaction_id: str = ""
    line: int = 0
    """The statement's line (provider or bank) it comes from, 0 for ours alone."""
    expected_fen: int | None = None
    """The fee the agreed rate gives (``fee_differs``)."""

    @property
    def key(self) -> str:
        """Stable identity within a day: the same finding on a second run is the same one."""
        return f"{self.kind}#{self.provider}#{self.ref}#{self.line}" if self.kind == "duplicate" \
            else f"{self.kind}#{self.provider}#{self.ref}"  # fmt: skip


def _tx_hash(tx: str) -> int:
    return (hash(tx) & _MASK) | 1 if tx else 0


def day_of_payment_id(out_trade_no: str) -> str:
    """Our payment ids start with their local day (``20261122…``)."""
    d = out_trade_no[:8]
    return f"{d[:4]}-{d[4:6]}-{d[6:8]}" if d.isdigit() else ""


def match_provider(provider: str, ours: Iterable[OurPayment], refunds: Iterable[OurRefund],
                   lines: Iterable[ProviderLine], *,
                   ours_day: Callable[[str], str] = day_of_payment_id,
                   ) -> tuple[list[Discrepancy], dict[str, int]]:  # fmt: skip
    """The discrepancies between our records of ``provider`` and its lines, and the net
    settlement of each trade day."""
    found: list[Discrepancy] = []
    add = found.append
    table: dict[str, int] = {}
    for otn, tx, amount in ours:
        table[otn] = (amount << _SHIFT) | _tx_hash(tx)
    by_no: dict[str, tuple[str, int]] = {}
    by_order: dict[tuple[str, int], str] = {}
    for refund_no, otn, amount in refunds:
        by_no[refund_no] = (otn, amount)
        by_order[(otn, amount)] = refund_no
    rate = FEE_RATES[provider]
    foreign: set[str] = set()
    batches: dict[str, int] = {}
    get = table.get
    for line in lines:
        kind, otn, tx, refund_no, gross, fee, day, n = line
        batches[day] = batches.get(day, 0) + gross - fee
        if kind == "pay":
            v = get(otn)
            if v is None:
                dup = otn in foreign
                foreign.add(otn)
                add(Discrepancy("duplicate" if dup else "missing_in_ours", day, otn, provider,
                                None, gross, None, tx, n))  # fmt: skip
                continue
            if v < 0 or ((h := v & _MASK) and h != _tx_hash(tx)):
                add(Discrepancy("duplicate", day, otn, provider, (v if v >= 0 else ~v) >> _SHIFT,
                                gross, None, tx, n))  # fmt: skip
                continue
            table[otn] = ~v
            amount = v >> _SHIFT
            if amount != gross:
                add(Discrepancy("amount_differs", day, otn, provider, amount, gross, None, tx, n))
            elif fee != (want := (gross * rate * 2 + 1_000_000) // 2_000_000):
                add(Discrepancy("fee_differs", day, otn, provider, amount, fee, None, tx, n, want))
        elif kind == "refund":
            _refund(provider, line, by_no, by_order, add)
    for otn, v in table.items():
        if v >= 0:
            add(Discrepancy("missing_at_provider", ours_day(otn), otn, provider, v >> _SHIFT))
    for refund_no, (otn, amount) in by_no.items():
        add(Discrepancy("missing_at_provider", ours_day(otn), refund_no, provider, -amount))
    return found, batches


def _refund(provider: str, line: ProviderLine, by_no: dict[str, tuple[str, int]],
            by_order: dict[tuple[str, int], str], add: Callable[[Discrepancy], None]) -> None:  # fmt: skip
    _, otn, tx, refund_no, gross, _, day, n = line
    amount = -gross
    if not refund_no:
        refund_no = by_order.get((otn, amount), "")
    ours = by_no.pop(refund_no, None) if refund_no else None
    if ours is None:
        add(Discrepancy("missing_in_ours", day, refund_no or otn, provider, None, gross, None, tx, n))
        return
    by_order.pop((ours[0], ours[1]), None)
    if ours[1] != amount:
        add(Discrepancy("amount_differs", day, refund_no, provider, -ours[1], gross, None, tx, n))


def match_bank(batches: Mapping[tuple[str, str], int], bank: Iterable[BankLine],
               explained: Iterable[Deposit] = (), cards: Iterable[CardDay] = ()
               ) -> list[Discrepancy]:  # fmt: skip
    """Each settlement batch ((provider, trade day) → net) against the bank's credits."""
    credits = sorted(bank, key=lambda b: (b[1], b[5]))
    used = [False] * len(credits)
    found: list[Discrepancy] = []
    for (provider, day), net in sorted(batches.items()):
        if net <= 0:
            continue  # nothing to deposit (a day of refunds is taken from the balance)
        rule = SETTLEMENT[provider]
        start = _plus(day, rule.lag_days)
        end = _plus(day, rule.lag_days + rule.grace_days)
        for i, (_, bday, amount, payer, _memo, _n) in enumerate(credits):
            if not used[i] and start <= bday <= end and amount == net and paid_by(provider, payer):
                used[i] = True
                break
        else:
            found.append(Discrepancy("settlement_missing", day, f"{provider}:{day}", provider,
                                     None, net))  # fmt: skip
    matched: set[str] = set()
    for ref, day, amount in explained:
        for i, (_, bday, credit, _p, _m, _n) in enumerate(credits):
            if not used[i] and credit == amount and day <= bday <= _plus(day, TRANSFER_DAYS):
                used[i] = True
                matched.add(ref)
                break
        else:
            if not ref.startswith(f"{ACQUIRER}:") and amount > 0:  # POS days: _card_fees
                # a transfer the desk recorded that the bank never credited
                found.append(Discrepancy("settlement_missing", day, ref, "transfer", amount))
    found += _card_fees(cards, credits, used, matched)
    for i, (serial, bday, amount, _payer, _memo, n) in enumerate(credits):
        if not used[i]:
            found.append(Discrepancy("bank_unexplained", bday, serial or f"line:{n}", "bank",
                                     None, None, amount, "", n))  # fmt: skip
    return found


def _card_fees(cards: Iterable[CardDay], credits: list[BankLine], used: list[bool],
               matched: set[str]) -> list[Discrepancy]:  # fmt: skip
    """The acquirer's deposits of the POS days whose net no credit equals: the closest credit
    from the acquirer (at most the gross) in the window is the day's, with another fee; a
    POS day with no credit from the acquirer in the window is ``settlement_missing``."""
    rule = SETTLEMENT[ACQUIRER]
    found: list[Discrepancy] = []
    for day, gross, fee in cards:
        ref = f"{ACQUIRER}:{day}"
        if ref in matched or gross <= 0:
            continue
        end = _plus(day, rule.lag_days + rule.grace_days)
        near = [i for i, (_, bday, credit, payer, _m, _n) in enumerate(credits)
                if not used[i] and day <= bday <= end and 0 < credit <= gross
                and paid_by(ACQUIRER, payer)]  # fmt: skip
        if not near:  # nothing from the acquirer in the window: the settlement never came
            found.append(Discrepancy("settlement_missing", day, ref, ACQUIRER, gross, None,
                                     None, expected_fen=gross - fee))  # fmt: skip
            continue
        i = min(near, key=lambda k: abs(gross - fee - credits[k][2]))
        used[i] = True
        serial, _bday, credit, _payer, _memo, n = credits[i]
        found.append(Discrepancy("fee_differs", day, ref, ACQUIRER, gross, gross - credit, credit,
                                 serial, n, fee))  # fmt: skip
    return found


def _plus(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


__all__ = ["Discrepancy", "expected_fee", "match_bank", "match_provider"]
