"""Offline payments: one transaction with the ledger's receipt counter, idempotent by request
id, bills conditioned as the ledger does, a guard's door cash into the handover batch."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.billing.receipts import parse_receipt_no
from portal.errors import Conflict, Forbidden, NotFound
from portal.store import billing_keys, collection_keys
from portal.wiring import Services
from tests.support.finance import (
    DESK,
    FOREMAN,
    GUARD,
    MANAGEMENT_FEN,
    NEIGHBOUR,
    UNIT,
    offline,
    staff,
)  # fmt: skip
from tests.support.payments import FakeProvider
from tests.unit.billing.conftest import owner_of


def test_desk_cash_pays_the_bills_and_takes_the_next_receipt_number_after_an_online_one(
    billed: Services, provider: FakeProvider
) -> None:
    payment, _ = billed.payments.create(owner_of(NEIGHBOUR), NEIGHBOUR, ["2026-10-management"], "sandbox")
    assert billed.ledger.record(provider.paid(payment.payment_id, payment.amount_fen)) == "recorded"
    done = billed.offline_payments.record(DESK, offline(UNIT, ["2026-10-management", "2026-11-management"],
                                                        2 * MANAGEMENT_FEN))  # fmt: skip
    assert done.first and done.payment.status == "paid" and done.payment.provider == "cash"
    assert done.payment.receipt_no == "lanting-2026-000002"
    assert {b.status for b in billed.bills.of_unit(UNIT)} == {"paid"}
    receipt = billed.table.get(billing_keys.receipt(*parse_receipt_no(done.payment.receipt_no)))  # type: ignore[misc]
    assert receipt is not None and receipt["total_fen"] == 2 * MANAGEMENT_FEN
    assert receipt["provider"] == "cash"
    counter = billed.table.get(billing_keys.receipt_counter("lanting", 2026))
    assert counter is not None and counter["n"] == 2
    audit = [e for e in billed.audit.day("2026-11-22") if e["action"] == "payment.offline"]
    assert audit and audit[0]["actor"] == "staff:desk.li"


def test_the_same_request_id_again_answers_the_first_recording_and_writes_nothing(
    billed: Services,
) -> None:
    req = offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN, "transfer", request_id="form-0001-abcd",
                  reference="BANK20261122001")  # fmt: skip
    first = billed.offline_payments.record(DESK, req)
    again = billed.offline_payments.record(DESK, req)
    assert first.first and not again.first
    assert again.payment.payment_id == first.payment.payment_id
    assert again.payment.receipt_no == first.payment.receipt_no
    counter = billed.table.get(billing_keys.receipt_counter("lanting", 2026))
    assert counter is not None and counter["n"] == 1
    with pytest.raises(Conflict) as exc:  # the same id for another unit is a client bug
        billed.offline_payments.record(DESK, offline(NEIGHBOUR, ["2026-11-management"], MANAGEMENT_FEN,
                                                     request_id="form-0001-abcd"))  # fmt: skip
    assert exc.value.code == "offline_request_reused"


def test_an_amount_other_than_what_the_bills_owe_is_refused_with_409(billed: Services) -> None:
    with pytest.raises(Conflict) as exc:
        billed.offline_payments.record(DESK, offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN - 1))
    assert exc.value.code == "offline_amount_differs"
    assert billed.table.get(billing_keys.receipt_counter("lanting", 2026)) is None


def test_a_bill_held_by_an_online_payment_in_progress_or_already_paid_is_refused(
    billed: Services, provider: FakeProvider
) -> None:
    payment, _ = billed.payments.create(owner_of(UNIT), UNIT, ["2026-11-management"], "sandbox")
    with pytest.raises(Conflict) as exc:
        billed.offline_payments.record(DESK, offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN))
    assert exc.value.code == "bill_payment_in_progress"
    billed.ledger.record(provider.paid(payment.payment_id, MANAGEMENT_FEN))
    with pytest.raises(Conflict) as exc:
        billed.offline_payments.record(DESK, offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN))
    assert exc.value.code == "bill_already_paid"
    with pytest.raises(NotFound):
        billed.offline_payments.record(DESK, offline(UNIT, ["2026-09-management"], MANAGEMENT_FEN))


def test_a_hold_that_ran_out_no_longer_blocks_the_desk(billed: Services) -> None:
    billed.payments.create(owner_of(UNIT), UNIT, ["2026-11-management"], "sandbox")
    billed.clock.now += timedelta(minutes=30)  # type: ignore[attr-defined]
    done = billed.offline_payments.record(DESK, offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN))
    assert done.payment.receipt_no.endswith("000001")


def test_who_may_record_front_desk_finance_admin_and_a_guard_only_door_cash(billed: Services) -> None:
    with pytest.raises(Forbidden):
        billed.offline_payments.record(FOREMAN, offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN))
    with pytest.raises(Forbidden):
        billed.offline_payments.record(staff("front_desk", estates=("meixi",)),
                                       offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN))  # fmt: skip
    with pytest.raises(Forbidden):
        billed.offline_payments.record(GUARD, offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN, "pos"))
    with pytest.raises(Conflict) as exc:
        billed.offline_payments.record(DESK, offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN,
                                                     "pos", at_door=True))  # fmt: skip
    assert exc.value.code == "offline_door_cash_only"
    done = billed.offline_payments.record(GUARD, offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN,
                                                         at_door=True))  # fmt: skip
    assert done.payment.status == "paid"


def test_door_cash_joins_the_guards_batch_of_the_day_in_the_same_transaction(billed: Services) -> None:
    total = 0
    for unit in (UNIT, NEIGHBOUR):
        owed = billed.bills.many(unit, ["2026-11-management"])[0].amount_fen
        billed.offline_payments.record(GUARD, offline(unit, ["2026-11-management"], owed,
                                                      at_door=True))  # fmt: skip
        total += owed
    batch = billed.table.get(collection_keys.handover("lanting", "2026-11-22", "guard.zhao"))
    assert batch is not None
    assert batch["count"] == 2 and batch["total_fen"] == total
    assert batch["state"] == "open" and batch["collector_name"] == "赵保安"
    listed = billed.offline_payments.of_day(staff("finance"), "lanting", "2026-11-22")
    assert [i["at_door"] for i in listed] == [True, True]


def test_the_front_desk_reads_its_days_list_and_its_units_account_a_guard_neither(
    billed: Services,
) -> None:
    done = billed.offline_payments.record(DESK, offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN))
    listed = billed.offline_payments.of_day(DESK, "lanting", "2026-11-22")
    assert [i["receipt_no"] for i in listed] == [done.payment.receipt_no]
    statement = billed.statements.of_unit(DESK, NEIGHBOUR)
    assert statement.outstanding_fen > 0, "the desk sees what a unit owes before taking it"
    assert billed.payments.receipt(DESK, done.payment.payment_id).receipt_no == done.payment.receipt_no
    for who in (GUARD, FOREMAN, staff("front_desk", estates=("meixi",))):
        with pytest.raises(Forbidden):
            billed.offline_payments.of_day(who, "lanting", "2026-11-22")
