"""Payments: created by the server's amount, recorded once from a verified notification,
put in review when the money does not fit, numbered receipts, refunds by finance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.billing.model import UnitKey
from portal.billing.receipts import parse_receipt_no
from portal.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from portal.store import billing_keys
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.payments import FakeProvider
from tests.unit.billing.conftest import NEIGHBOUR, UNIT, finance, owner_of

OWNER = owner_of(UNIT)


@pytest.fixture
def billed(services: Services) -> Services:
    services.billing_run.run("lanting", "2026-10", actor="cli:test")
    services.billing_run.run("lanting", "2026-11", actor="cli:test")
    return services


def pay(services: Services, unit: UnitKey = UNIT, bills: tuple[str, ...] = ()) -> str:
    owner = owner_of(unit)
    chosen = list(bills) or [b.bill_id for b in services.bills.of_unit(unit) if b.outstanding_fen]
    payment, _ = services.payments.create(owner, unit, chosen, "sandbox")
    return payment.payment_id


def notify(services: Services, provider: FakeProvider, payment_id: str, amount: int | None = None,
           **kw: str) -> tuple[int, bytes]:  # fmt: skip
    p = services.payments.get(payment_id)
    assert p is not None
    headers, body = provider.notification(payment_id, p.amount_fen if amount is None else amount,
                                          services.clock(), **kw)  # fmt: skip
    status, _, answer = services.ledger.notify("fake", headers, body)
    return status, answer


def test_a_payment_covers_the_outstanding_bills_at_the_servers_amount(
    billed: Services, provider: FakeProvider
) -> None:
    bills = billed.bills.of_unit(UNIT)
    payment, start = billed.payments.create(OWNER, UNIT, [b.bill_id for b in bills], "sandbox")
    assert payment.amount_fen == sum(b.amount_fen for b in bills) == 2 * 37100
    assert payment.status == "pending" and len(payment.payment_id) <= 32
    request = provider.started[-1]
    assert request.out_trade_no == payment.payment_id and request.amount_fen == payment.amount_fen
    assert request.notify_url.endswith("/api/payments/notify/fake")
    assert start.kind == "sandbox"
    held = billed.bills.of_unit(UNIT)
    assert {b.pending_payment for b in held} == {payment.payment_id}
    with pytest.raises(Conflict) as exc:
        billed.payments.create(OWNER, UNIT, [bills[0].bill_id], "sandbox")
    assert exc.value.code == "bill_payment_in_progress"


def test_only_an_owner_of_the_unit_pays_its_bills(billed: Services) -> None:
    with pytest.raises(Forbidden):
        billed.payments.create(owner_of(NEIGHBOUR), UNIT, ["2026-11-management"], "sandbox")
    with pytest.raises(Forbidden):
        billed.payments.create(finance(), UNIT, ["2026-11-management"], "sandbox")
    with pytest.raises(NotFound):
        billed.payments.create(OWNER, UNIT, ["2026-09-management"], "sandbox")
    with pytest.raises(Conflict) as exc:
        billed.payments.create(OWNER, UNIT, ["2026-11-management"], "alipay")
    assert exc.value.code == "payment_provider_not_offered"


def test_a_verified_notification_records_the_payment_once(
    billed: Services, provider: FakeProvider
) -> None:
    pid = pay(billed)
    status, answer = notify(billed, provider, pid, nid="N1", tx="T1")
    assert status == 200 and b"SUCCESS" in answer
    payment = billed.payments.get(pid)
    assert payment is not None and payment.status == "paid" and payment.transaction_id == "T1"
    assert payment.receipt_no == "lanting-2026-000001"
    assert all(b.status == "paid" and not b.pending_payment for b in billed.bills.of_unit(UNIT))
    # the same notification again, another notification of the same transaction, a late copy
    for nid in ("N1", "N2", "N3"):
        assert notify(billed, provider, pid, nid=nid, tx="T1")[0] == 200
    assert billed.table.get(billing_keys.receipt_counter("lanting", 2026))["n"] == 1  # type: ignore[index]
    assert billed.table.get(billing_keys.receipt("lanting", 2026, 2)) is None
    actions = [e["action"] for e in billed.audit.day("2026-11-22")]
    assert actions.count("payment.paid") == 1 and actions.count("payment.create") == 1


def test_a_notification_with_a_bad_signature_is_refused_and_changes_nothing(
    billed: Services, provider: FakeProvider
) -> None:
    pid = pay(billed)
    headers, body = provider.notification(pid, 74200, billed.clock())
    headers["X-Fake-Signature"] = "0" * 64
    status, _, answer = billed.ledger.notify("fake", headers, body)
    assert status == 400 and b"FAIL" in answer
    assert billed.payments.get(pid).status == "pending"  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        billed.ledger.notify("nopay", headers, body)


def test_a_notification_of_another_amount_goes_to_review_and_pays_no_bill(
    billed: Services, provider: FakeProvider
) -> None:
    pid = pay(billed)
    assert notify(billed, provider, pid, amount=100)[0] == 200
    payment = billed.payments.get(pid)
    assert payment is not None and payment.status == "review"
    assert payment.review_reason == "amount_mismatch" and payment.captured_fen == 100
    assert all(b.status == "unpaid" for b in billed.bills.of_unit(UNIT))
    assert [p.payment_id for p in billed.payments.in_review(finance(), "lanting")] == [pid]
    with pytest.raises(Forbidden):
        billed.payments.in_review(finance(("meixi",)), "lanting")
    # the right amount arriving afterwards does not pay the bills twice over: still review
    assert notify(billed, provider, pid)[0] == 200
    assert billed.payments.get(pid).status == "review"  # type: ignore[union-attr]


def test_a_late_notification_after_the_payment_closed_still_records_it(
    billed: Services, provider: FakeProvider, clock: FakeClock
) -> None:
    pid = pay(billed)
    assert notify(billed, provider, pid, status="closed")[0] == 200
    assert billed.payments.get(pid).status == "closed"  # type: ignore[union-attr]
    assert notify(billed, provider, pid)[0] == 200
    assert billed.payments.get(pid).status == "paid"  # type: ignore[union-attr]
    assert notify(billed, provider, pid, status="closed")[0] == 200  # reordered: ignored
    assert billed.payments.get(pid).status == "paid"  # type: ignore[union-attr]


def test_a_closed_payment_frees_its_bills_at_once_for_another_try(
    billed: Services, provider: FakeProvider
) -> None:
    pid = pay(billed, bills=("2026-11-management",))
    with pytest.raises(Conflict):  # held while the payment is open
        pay(billed, bills=("2026-11-management",))
    assert notify(billed, provider, pid, status="closed")[0] == 200  # the owner cancelled
    again = pay(billed, bills=("2026-11-management",))  # no 20-minute wait
    assert again != pid


def test_a_guide_answer_holds_no_bill(billed: Services, provider: FakeProvider) -> None:
    provider.start_kind = "guide"  # e.g. Alipay inside WeChat: open the system browser
    _, start = billed.payments.create(OWNER, UNIT, ["2026-11-management"], "sandbox",
                                      in_wechat=True)  # fmt: skip
    assert start.kind == "guide"
    (closed,) = billed.payments.of_unit(UNIT)
    assert (closed.status, closed.review_reason) == ("closed", "cannot_open_here")
    provider.start_kind = "sandbox"  # reopened in the system browser: pays at once
    assert pay(billed, bills=("2026-11-management",)) != closed.payment_id


def test_money_for_bills_paid_meanwhile_goes_to_review(
    billed: Services, provider: FakeProvider, clock: FakeClock
) -> None:
    first = pay(billed, bills=("2026-11-management",))
    clock.now += timedelta(minutes=21)  # its hold ran out: the owner pays again elsewhere
    second = pay(billed, bills=("2026-11-management",))
    assert notify(billed, provider, second)[0] == 200
    assert notify(billed, provider, first)[0] == 200
    assert billed.payments.get(first).review_reason == "bills_changed"  # type: ignore[union-attr]
    bill = next(b for b in billed.bills.of_unit(UNIT) if b.bill_id == "2026-11-management")
    assert bill.paid_fen == bill.amount_fen


def test_receipt_numbers_count_up_without_gaps_per_estate_and_year(
    billed: Services, provider: FakeProvider
) -> None:
    numbers = []
    for unit in (UNIT, NEIGHBOUR, UnitKey("lanting", "2", "1-1501")):
        pid = pay(billed, unit)
        notify(billed, provider, pid, amount=1 if unit == NEIGHBOUR else None)  # one in review
        p = billed.payments.get(pid)
        assert p is not None
        if p.receipt_no:
            numbers.append(parse_receipt_no(p.receipt_no))
    assert numbers == [("lanting", 2026, 1), ("lanting", 2026, 2)]
    receipt = billed.payments.receipt(OWNER, billed.payments.of_unit(UNIT)[0].payment_id)
    assert receipt.total_capital == "柒佰肆拾贰元整" and receipt.lines[0].name == "物业费"
    assert receipt.company.startswith("长沙") and receipt.title_en == "Receipt"


def test_a_full_refund_returns_the_bills_to_unpaid(billed: Services, provider: FakeProvider) -> None:
    pid = pay(billed)
    notify(billed, provider, pid)
    refund = billed.refunds.refund(finance(), pid, 74200, "业主重复缴费")
    assert refund.state == "succeeded" and provider.refunds[-1][1] == f"{pid}R01"
    payment = billed.payments.get(pid)
    assert payment is not None and payment.refunded_fen == 74200 and payment.refunding_fen == 0
    assert all(b.status == "unpaid" and b.paid_fen == 0 for b in billed.bills.of_unit(UNIT))
    assert [b.bill_id for b in billed.bills.unpaid_in_estate("lanting", "2026-11")].count(
        "2026-11-management") == 4  # fmt: skip
    with pytest.raises(Conflict):
        billed.refunds.refund(finance(), pid, 1, "再退一次")


def test_a_partial_refund_leaves_the_bill_partly_paid(billed: Services, provider: FakeProvider) -> None:
    pid = pay(billed)
    notify(billed, provider, pid)
    billed.refunds.refund(finance(), pid, 100, "多收了一元")
    bill = {b.bill_id: b for b in billed.bills.of_unit(UNIT)}["2026-11-management"]
    assert (bill.status, bill.paid_fen, bill.outstanding_fen) == ("partly_paid", 37000, 100)
    billed.refunds.refund(finance(), pid, 37100, "退回十月物业费",
                          allocation={"2026-10-management": 37100})  # fmt: skip
    bills = {b.bill_id: b for b in billed.bills.of_unit(UNIT)}
    assert bills["2026-10-management"].status == "unpaid"
    with pytest.raises(InvalidInput):
        billed.refunds.refund(finance(), pid, 10, "x", allocation={"2026-10-management": 10})
    with pytest.raises(InvalidInput):
        billed.refunds.refund(finance(), pid, 10, "  ")
    with pytest.raises(Forbidden):
        billed.refunds.refund(owner_of(UNIT), pid, 10, "我要退款")
    with pytest.raises(NotFound):
        billed.refunds.refund(finance(("meixi",)), pid, 10, "不是我的小区")


def test_a_refund_the_provider_refuses_fails_and_frees_the_amount(
    billed: Services, provider: FakeProvider
) -> None:
    pid = pay(billed)
    notify(billed, provider, pid)
    provider.refund_outcome = "refused"
    with pytest.raises(Conflict) as exc:
        billed.refunds.refund(finance(), pid, 500, "测试")
    assert exc.value.code == "refund_refused"
    payment = billed.payments.get(pid)
    assert payment is not None and payment.refunding_fen == 0 and payment.refunded_fen == 0
    assert [r.state for r in billed.refunds.of_payment(pid)] == ["failed"]
    actions = [e["action"] for e in billed.audit.day("2026-11-22")]
    assert "refund.requested" in actions and "refund.failed" in actions


def test_a_refund_without_an_answer_stays_reserved_until_the_sweep_settles_it(
    billed: Services, provider: FakeProvider, clock: FakeClock
) -> None:
    pid = pay(billed)
    notify(billed, provider, pid)
    provider.refund_outcome = "unknown"  # the provider may have refunded: we cannot tell
    made = billed.refunds.refund(finance(), pid, 500, "测试")
    assert made.state == "requested"
    payment = billed.payments.get(pid)
    assert payment is not None and payment.refunding_fen == 500
    assert payment.refundable_fen == payment.captured_fen - 500
    with pytest.raises(Conflict):  # the reserved amount cannot be refunded a second time
        billed.refunds.refund(finance(), pid, payment.refundable_fen + 1, "再退一次")
    assert billed.refunds.sweep() == {"checked": 0, "succeeded": 0, "failed": 0}  # too young
    clock.now += timedelta(minutes=6)
    assert billed.refunds.sweep()["checked"] == 1  # still no answer: it waits
    provider.refund_outcome = "refunded"
    assert billed.refunds.sweep() == {"checked": 1, "succeeded": 1, "failed": 0}
    (refund,) = billed.refunds.of_payment(pid)
    assert refund.state == "succeeded" and refund.provider_refund_id == f"RF{refund.refund_no}"
    assert [r[1] for r in provider.refunds] == [refund.refund_no]  # asked again, same number
    payment = billed.payments.get(pid)
    assert payment is not None and (payment.refunding_fen, payment.refunded_fen) == (0, 500)
    assert billed.refunds.sweep()["checked"] == 0  # settled: out of the sweep's index


def test_the_sweep_asks_the_provider_about_payments_still_pending(
    billed: Services, provider: FakeProvider, clock: FakeClock
) -> None:
    paid, forgotten = pay(billed, UNIT), pay(billed, NEIGHBOUR)
    provider.states[paid] = provider.paid(paid, billed.payments.get(paid).amount_fen)  # type: ignore[union-attr]
    assert billed.ledger.sweep().checked == 0  # too young
    clock.now += timedelta(minutes=6)
    report = billed.ledger.sweep()
    assert (report.checked, report.recorded, report.closed) == (2, 1, 0)
    clock.now += timedelta(minutes=20)
    assert billed.ledger.sweep().closed == 1
    assert billed.payments.get(forgotten).status == "closed"  # type: ignore[union-attr]
    assert billed.ledger.sweep().checked == 0


def test_a_provider_that_cannot_start_leaves_a_closed_payment(
    billed: Services, provider: FakeProvider
) -> None:
    provider.fail_start = True
    with pytest.raises(Unavailable):
        pay(billed)
    (payment,) = billed.payments.of_unit(UNIT)
    assert payment.status == "closed"


def test_statements_show_unpaid_late_and_paid_bills(billed: Services, provider: FakeProvider) -> None:
    statement = billed.statements.of_unit(OWNER, UNIT)
    assert [b.bill_id for b in statement.unpaid] == ["2026-10-management", "2026-11-management"]
    assert [statement.late(b) for b in statement.unpaid] == [True, False]
    assert statement.outstanding_fen == 74200 and statement.years == ("2026",)
    notify(billed, provider, pay(billed, bills=("2026-10-management",)))
    statement = billed.statements.of_unit(finance(), UNIT)
    assert [b.bill_id for b in statement.paid] == ["2026-10-management"]
    with pytest.raises(NotFound):
        billed.statements.of_unit(owner_of(NEIGHBOUR), UNIT)
    with pytest.raises(NotFound):
        billed.statements.of_unit(finance(("meixi",)), UNIT)
    (mine,) = billed.statements.mine(OWNER, "2026")
    assert len(mine.history) == 2
