"""Code requests are limited per client address and company-wide, whoever the number belongs to."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from portal.accounts.signin import owner as otp
from portal.accounts.signin.owner import CODES_PER_ADDRESS, OwnerSignInService
from portal.errors import RateLimited
from portal.settings import Settings
from tests.factories import FakeClock, RecordingSender, make_owner, wired
from tests.support.auth import SAME_ORIGIN

NUMBERS = [
    f"139{n:08d}" for n in range(CODES_PER_ADDRESS + 1)
]  # all different: per-phone limits never hit


@pytest.fixture
def codes(ddb: Any, settings: Settings, clock: FakeClock) -> OwnerSignInService:
    return wired(ddb, settings, clock, RecordingSender()
    ).owner_sign_in


def test_one_address_gets_a_limited_number_of_codes_an_hour(
    codes: OwnerSignInService, clock: FakeClock
) -> None:
    for phone in NUMBERS[:CODES_PER_ADDRESS]:
        codes.request(phone, source_ip="203.0.113.7")
    with pytest.raises(RateLimited) as exc:
        codes.request(NUMBERS[-1], source_ip="203.0.113.7")
    assert exc.value.code == "codes_from_address" and 0 < exc.value.params["seconds"] <= 3600
    codes.request(NUMBERS[-1], source_ip="198.51.100.9")  # another network is not affected
    clock.now += timedelta(hours=1)
    codes.request(NUMBERS[-1], source_ip="203.0.113.7")  # the next hour starts afresh


def test_the_address_limit_counts_unknown_numbers_too(
    codes: OwnerSignInService, ddb: Any, settings: Settings
) -> None:
    make_owner(ddb, settings, NUMBERS[0], "王芳", ("lanting", "2", "1-1503"))
    for phone in NUMBERS[:CODES_PER_ADDRESS]:  # one owner, the rest unknown: all count the same
        codes.request(phone, source_ip="203.0.113.7")
    with pytest.raises(RateLimited):
        codes.request(NUMBERS[0], source_ip="203.0.113.7")


def test_the_company_wide_daily_budget_stops_sending(
    codes: OwnerSignInService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(otp, "CODES_PER_DAY", 3)
    for i, phone in enumerate(NUMBERS[:3]):
        codes.request(phone, source_ip=f"203.0.113.{i}")
    with pytest.raises(RateLimited) as exc:
        codes.request(NUMBERS[3], source_ip="203.0.113.99")
    assert exc.value.code == "codes_budget"
    clock.now += timedelta(days=1)
    codes.request(NUMBERS[3], source_ip="203.0.113.99")


def test_the_api_answers_429_with_retry_after_when_an_address_is_over_its_limit(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(otp, "CODES_PER_ADDRESS", 2)
    client = app.test_client()
    headers = SAME_ORIGIN
    for phone in NUMBERS[:2]:
        assert (
            client.post("/api/auth/code", json={"phone": phone}, headers=headers).status_code == 200
        )
    res = client.post("/api/auth/code", json={"phone": NUMBERS[2]}, headers=headers)
    assert res.status_code == 429 and res.json["error"]["code"] == "codes_from_address"
    assert int(res.headers["Retry-After"]) > 0 and res.json["error"]["message_en"]
