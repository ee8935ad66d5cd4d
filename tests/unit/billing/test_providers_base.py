"""The shared rules: exact yuan ↔ fen, the ±5-minute window, what a payment request accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.billing.providers.base import (
    NotificationRejected,
    PaymentRequest,
    check_fresh,
    fen_from_yuan,
    yuan_from_fen,
)

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("yuan", "fen"), [
    ("0.01", 1), ("0.10", 10), ("88.80", 8880), ("1234567.89", 123456789),
    ("19.99", 1999), ("0.29", 29), ("100000000.00", 10_000_000_000),
])  # fmt: skip
def test_yuan_to_fen_is_exact(yuan: str, fen: int) -> None:
    # 0.29 and 19.99 are the classic float traps (0.29 * 100 = 28.999999999999996).
    assert fen_from_yuan(yuan) == fen
    assert yuan_from_fen(fen) == yuan


@pytest.mark.parametrize("text", ["0.00", "100000000.01", "1.5", "1", "1.234", "+1.00", "1e2",
                                  "NaN", "Infinity", "", "1.00\n"])
def test_anything_but_exact_yuan_in_range_is_refused(text: str) -> None:
    with pytest.raises(NotificationRejected) as caught:
        fen_from_yuan(text)
    assert caught.value.reason == "bad_amount"


@pytest.mark.parametrize(("offset_s", "fresh"), [(0, True), (300, True), (-300, True),
                                                 (301, False), (-301, False)])
def test_the_window_is_five_minutes_either_way(offset_s: int, fresh: bool) -> None:
    sent = NOW + timedelta(seconds=offset_s)
    if fresh:
        check_fresh(sent, NOW)
    else:
        with pytest.raises(NotificationRejected, match="stale"):
            check_fresh(sent, NOW)


@pytest.mark.parametrize("changes", [
    {"out_trade_no": "short"}, {"out_trade_no": "P" * 33}, {"out_trade_no": "P2026 1122"},
    {"amount_fen": 0}, {"amount_fen": -1}, {"amount_fen": 1.5}, {"amount_fen": True},
    {"subject": " "}, {"subject": "费" * 121}, {"notify_url": "/api/notify"},
    {"expires_at": datetime(2026, 11, 22, 10, 0)},
])  # fmt: skip
def test_a_payment_request_refuses_what_no_provider_would_take(changes: dict[str, object]) -> None:
    values: dict[str, object] = {"out_trade_no": "P20261122ABCDEF01", "amount_fen": 100,
                                 "subject": "物业费", "notify_url": "https://x.cn/n",
                                 "return_url": "https://x.cn/r"}  # fmt: skip
    values.update(changes)
    with pytest.raises(ValueError):
        PaymentRequest(**values)  # type: ignore[arg-type]
