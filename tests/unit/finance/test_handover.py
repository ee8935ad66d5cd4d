"""Cash handover: the foreman's count confirms a guard's batch or records a discrepancy; a
batch not confirmed by the end of the next day is overdue; every change audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.errors import Conflict, Forbidden, NotFound
from portal.wiring import Services
from tests.support.finance import DESK, FINANCE, FOREMAN, GUARD, MANAGEMENT_FEN, UNIT, offline


@pytest.fixture
def collected(billed: Services) -> Services:
    billed.offline_payments.record(GUARD, offline(UNIT, ["2026-11-management"], MANAGEMENT_FEN,
                                                  at_door=True))  # fmt: skip
    return billed


def test_the_same_count_and_amount_confirm_the_batch_and_a_retry_answers_the_same(
    collected: Services,
) -> None:
    collected.clock.now += timedelta(days=1)  # type: ignore[attr-defined]
    batch = collected.handovers.confirm(FOREMAN, "lanting", "2026-11-22", "guard.zhao", count=1,
                                        amount_fen=MANAGEMENT_FEN)  # fmt: skip
    assert batch.state == "confirmed" and batch.confirmed_by == "staff:foreman.sun"
    again = collected.handovers.confirm(FOREMAN, "lanting", "2026-11-22", "guard.zhao", count=1,
                                        amount_fen=MANAGEMENT_FEN)  # fmt: skip
    assert again.confirmed_at == batch.confirmed_at
    with pytest.raises(Conflict):
        collected.handovers.confirm(FOREMAN, "lanting", "2026-11-22", "guard.zhao", count=0,
                                    amount_fen=0)  # fmt: skip
    actions = [e["action"] for e in collected.audit.day("2026-11-23")]
    assert actions.count("handover.confirmed") == 1


def test_a_different_count_is_recorded_as_a_discrepancy_for_finance(collected: Services) -> None:
    batch = collected.handovers.confirm(FOREMAN, "lanting", "2026-11-22", "guard.zhao", count=1,
                                        amount_fen=MANAGEMENT_FEN - 100, note="少100元")  # fmt: skip
    assert batch.state == "discrepancy" and batch.counted_fen == MANAGEMENT_FEN - 100
    listed = collected.handovers.of_estate(FINANCE, "lanting")
    assert [b.state for b in listed] == ["discrepancy"]


def test_a_batch_still_open_after_the_end_of_the_next_day_is_overdue(collected: Services) -> None:
    (batch,) = collected.handovers.of_estate(FOREMAN, "lanting")
    day = collected.handovers.today()
    assert not batch.overdue(day) and not batch.overdue(day + timedelta(days=1))
    assert batch.overdue(day + timedelta(days=2))


def test_cash_after_the_confirmation_cannot_join_that_batch(collected: Services) -> None:
    collected.handovers.confirm(FOREMAN, "lanting", "2026-11-22", "guard.zhao", count=1,
                                amount_fen=MANAGEMENT_FEN)  # fmt: skip
    with pytest.raises(Conflict) as exc:
        collected.offline_payments.record(GUARD, offline(UNIT, ["2026-10-management"], MANAGEMENT_FEN,
                                                         at_door=True))  # fmt: skip
    assert exc.value.code == "handover_closed"


def test_only_foreman_finance_and_admin_confirm_and_a_missing_batch_is_404(collected: Services) -> None:
    with pytest.raises(Forbidden):
        collected.handovers.confirm(DESK, "lanting", "2026-11-22", "guard.zhao", count=1,
                                    amount_fen=MANAGEMENT_FEN)  # fmt: skip
    with pytest.raises(NotFound):
        collected.handovers.confirm(FOREMAN, "lanting", "2026-11-21", "guard.zhao", count=1,
                                    amount_fen=MANAGEMENT_FEN)  # fmt: skip
