"""The ledger under any sequence of events (hypothesis, stateful, on DynamoDB Local).

Owners create payments of any bills; the provider notifies them, repeats and
reorders its notifications, sends wrong amounts, closes payments, is asked by
the sweep; time passes; finance refunds. After every step, read from the store:

- one payment per provider transaction (and each transaction seen once);
- each bill's paid amount = what paid payments captured on it − what refunds gave back,
  never below 0 nor above the bill;
- a bill is ``paid`` exactly when it is fully covered;
- a payment in review or closed changed no bill;
- receipt numbers are 1..n for the estate's year, one per paid payment, no gap.

On DynamoDB Local rather than moto: its transactions report each item's cancellation
reason as DynamoDB does, and moto copies the whole table for every item of a
transaction, which makes hundreds of steps take minutes.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as run_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from portal.billing.model import UnitKey
from portal.billing.records import payment_of, refund_of
from portal.errors import Conflict, InvalidInput, Unavailable
from portal.estates.model import Company
from portal.settings import Settings
from portal.store.bootstrap import ensure_tables
from portal.store.items import decode_item
from portal.wiring import Clients, Services
from tests.conftest import put_estates
from tests.factories import FakeClock
from tests.support.auth import FAST_HASHING
from tests.support.payments import FakeAccounts, FakeProvider
from tests.unit.billing.conftest import finance, owner_of, put_units

UNITS = (UnitKey("lanting", "2", "1-1501"), UnitKey("lanting", "2", "1-1502"),
         UnitKey("lanting", "2", "1-1503"))  # fmt: skip
_prefix = itertools.count(1)


class Ledger(RuleBasedStateMachine):
    client: Any
    company: Company
    settings: Settings

    def __init__(self) -> None:
        super().__init__()
        cfg = self.settings.with_(table_prefix=f"{self.settings.table_prefix}{next(_prefix)}-")
        ensure_tables(self.client, cfg.table_prefix)
        self.clock = FakeClock()
        self.provider = FakeProvider()
        self.s = Services(cfg, Clients(cfg, dynamodb=self.client), self.clock,
                          password_hashing=FAST_HASHING, payment_accounts=FakeAccounts(self.provider))  # fmt: skip
        put_estates(self.s.table, self.company)
        put_units(self.s.table, self.company)
        self.s.billing_run.run("lanting", "2026-11", actor="cli:test")
        for unit in UNITS[:2]:
            self.s.billing_run.add_charge(unit, "2026-11", "card", 2000, "门禁卡", actor="x")
        self.payments: list[str] = []
        self.sent: list[tuple[dict[str, str], bytes]] = []

    def teardown(self) -> None:
        self.client.delete_table(TableName=self.s.table.name)

    # -- owners --------------------------------------------------------------------------------

    @rule(unit=st.sampled_from(UNITS), pick=st.sets(st.integers(0, 3), min_size=1))
    def create_payment(self, unit: UnitKey, pick: set[int]) -> None:
        bills = [b.bill_id for b in self.s.bills.of_unit(unit)]
        chosen = [bills[i % len(bills)] for i in sorted(pick)]
        try:
            payment, _ = self.s.payments.create(owner_of(unit), unit, list(dict.fromkeys(chosen)),
                                                "sandbox")  # fmt: skip
        except Conflict:
            return
        self.payments.append(payment.payment_id)

    # -- the provider --------------------------------------------------------------------------

    def _payment(self, i: int) -> Any:
        return self.s.payments.get(self.payments[i % len(self.payments)]) if self.payments else None

    @rule(i=st.integers(0, 50), wrong=st.booleans(), status=st.sampled_from(["paid", "closed"]))
    def notify(self, i: int, wrong: bool, status: str) -> None:
        p = self._payment(i)
        if p is None:
            return
        amount = p.amount_fen + (1 if wrong else 0)
        message = self.provider.notification(p.payment_id, amount, self.clock(),
                                             tx=f"T{p.payment_id}", status=status)  # fmt: skip
        self.sent.append(message)
        code, _, _ = self.s.ledger.notify("fake", *message)
        assert code == 200

    @rule(j=st.integers(0, 50))
    def replay(self, j: int) -> None:
        if self.sent:
            code, _, _ = self.s.ledger.notify("fake", *self.sent[j % len(self.sent)])
            assert code in (200, 400)  # 400: too old to be believed (the freshness window)

    @rule(i=st.integers(0, 50))
    def paid_at_provider(self, i: int) -> None:
        """The owner paid but the notification is lost: only the sweep will learn of it."""
        p = self._payment(i)
        if p is not None:
            self.provider.states[p.payment_id] = self.provider.paid(
                p.payment_id, p.amount_fen, tx=f"T{p.payment_id}")

    @rule(minutes=st.sampled_from([1, 6, 25]))
    def time_passes_and_the_sweep_runs(self, minutes: int) -> None:
        self.clock.now += timedelta(minutes=minutes)
        self.s.ledger.sweep()

    # -- finance -------------------------------------------------------------------------------

    @rule(i=st.integers(0, 50), percent=st.integers(1, 100))
    def refund(self, i: int, percent: int) -> None:
        p = self._payment(i)
        if p is None or p.refundable_fen <= 0:
            return
        amount = max(1, p.refundable_fen * percent // 100)
        with contextlib.suppress(Conflict, InvalidInput, Unavailable):
            self.s.refunds.refund(finance(), p.payment_id, amount, "核对退款")

    # -- what must always hold -------------------------------------------------------------------

    def _items(self) -> list[dict[str, Any]]:
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.s.table.name, FilterExpression="NOT begins_with(pk, :a)",
            ExpressionAttributeValues={":a": {"S": "AUDIT#"}})  # the audit lines: not needed
        return [decode_item(raw) for page in pages for raw in page.get("Items", [])]

    @invariant()
    def the_books_balance(self) -> None:
        items = self._items()
        kinds = Counter(str(i["pk"]).split("#")[0] for i in items)
        payments = [payment_of(i) for i in items if str(i["pk"]).startswith("PAY#") and i["sk"] == "META"]
        refunds = [refund_of(i) for i in items if str(i.get("sk", "")).startswith("REFUND#")]
        bills = {f'{i["unit_id"]}:{i["bill_id"]}': i for i in items if i.get("type") == "bill"}
        unit_of = {p.payment_id: p.unit.unit_id for p in payments}
        paid = [p for p in payments if p.status == "paid"]
        # one payment per provider transaction, each transaction and notification once
        with_tx = [p.transaction_id for p in payments if p.transaction_id]
        assert len(with_tx) == len(set(with_tx)) == kinds["PAYTX"]
        # each bill's paid amount = captured − refunded, within the bill; paid ⇔ fully covered
        expected = Counter[str]()
        for p in paid:
            for ln in p.lines:
                expected[f"{p.unit.unit_id}:{ln.bill_id}"] += ln.pay_fen
        for r in refunds:
            if r.state == "succeeded":
                for bill, fen in r.allocation.items():
                    expected[f"{unit_of[r.payment_id]}:{bill}"] -= fen
        for bill_id, b in bills.items():
            assert b["paid_fen"] == expected[bill_id], bill_id
            assert 0 <= b["paid_fen"] <= b["amount_fen"]
            assert (b["status"] == "paid") == (b["paid_fen"] == b["amount_fen"])
            assert ("gsi1pk" in b) == (b["status"] != "paid")
        # refunds never exceed what was captured
        for p in payments:
            assert 0 <= p.refunded_fen + p.refunding_fen <= p.captured_fen
        # receipts: 1..n, one per paid payment, matching the counter
        numbers = sorted(int(i["number"]) for i in items if i.get("type") == "receipt")
        assert numbers == list(range(1, len(paid) + 1))
        counter = next((i for i in items if str(i["pk"]).startswith("RECEIPTNO#")), {"n": 0})
        assert counter["n"] == len(paid)
        assert sorted(p.receipt_no for p in paid) == sorted(
            i["receipt_no"] for i in items if i.get("type") == "receipt")


def test_the_ledger_balances_whatever_happens(client: Any, settings: Settings,
                                              demo_company: Company) -> None:  # fmt: skip
    Ledger.client, Ledger.company, Ledger.settings = client, demo_company, settings
    run_state_machine_as_test(Ledger, settings=run_settings(
        max_examples=40, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))  # fmt: skip


@pytest.fixture(autouse=True)
def _quiet_hypothesis_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.chdir(tmp_path)  # hypothesis keeps its example database in ./.hypothesis
