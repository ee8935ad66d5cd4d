"""Sign-in codes, the domain rules (portal.accounts.signin.owner) on moto: sending, limits, verifying."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from portal.accounts.audit import AuditLog
from portal.accounts.owners import Owner, owner_id_for
from portal.accounts.signin.owner import (
    MAX_TRIES,
    MAX_TRIES_PER_NUMBER,
    SENDS_PER_WINDOW,
    OwnerSignInService,
    new_code,
)
from portal.errors import InvalidInput, RateLimited, Unauthenticated
from portal.i18n import translate
from portal.settings import Settings
from portal.store.table import Table
from tests.factories import FakeClock, RecordingSender, make_owner, wired

PHONE = "13800138000"
UNKNOWN = "13900139000"
_HEX_DIGEST = re.compile(r"[0-9a-f]{32,64}")


class FlakySender(RecordingSender):
    """An SMS gateway that is down for its first ``failures`` attempts."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def send_sms(self, phone: str, text: str) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("SMS gateway down")
        super().send_sms(phone, text)


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def codes(ddb: Any, settings: Settings, clock: FakeClock, sender: RecordingSender) -> OwnerSignInService:
    return wired(ddb, settings, clock, sender, with_estates=False).owner_sign_in


@pytest.fixture
def owner(ddb: Any, settings: Settings) -> Owner:
    return make_owner(ddb, settings, PHONE, "王芳", ("lanting", "2", "1-1503"))


def _items(ddb: Any, settings: Settings) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ddb.scan(TableName=settings.table_name("main"))["Items"]
    return items


def _otp_sort_keys(ddb: Any, settings: Settings, owner_id: str) -> list[str]:
    return sorted(i["sk"]["S"] for i in _items(ddb, settings) if i["pk"]["S"] == f"OTP#{owner_id}")


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# ----------------------------------------------------------------------------- sending


def test_new_codes_are_six_random_digits_with_leading_zeros_kept() -> None:
    codes = {new_code() for _ in range(500)}
    assert all(re.fullmatch(r"\d{6}", c) for c in codes)
    assert len(codes) > 490  # random, not a counter or a constant


def test_a_known_owner_gets_an_sms_with_the_catalog_text_and_a_six_digit_code(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender
) -> None:
    codes.request("138 0013 8000")
    assert len(sender.sent) == 1
    phone, text = sender.sent[0]
    code = sender.last_code()
    assert phone == PHONE
    assert text == translate("auth.sms_code", "zh-CN", code=code, minutes=5)


def test_the_sms_can_be_sent_in_english(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender
) -> None:
    codes.request(PHONE, "en")
    assert sender.sent[0][1] == translate("auth.sms_code", "en", code=sender.last_code(), minutes=5)


def test_an_unknown_number_gets_no_sms_but_the_same_store_work_as_a_known_one(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, ddb: Any, settings: Settings
) -> None:
    codes.request(PHONE)
    codes.request(UNKNOWN)  # no exception, no difference the caller can see
    assert [p for p, _ in sender.sent] == [PHONE]
    known = _otp_sort_keys(ddb, settings, owner.owner_id)
    unknown = _otp_sort_keys(ddb, settings, owner_id_for(UNKNOWN, settings.phone_hash_key))
    assert known == unknown and "CODE" in known and any(sk.startswith("SENT#") for sk in known)


def test_the_code_is_stored_only_as_a_keyed_hash_bound_to_the_owner(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, ddb: Any, settings: Settings
) -> None:
    codes.request(PHONE)
    code = sender.last_code()
    items = _items(ddb, settings)
    stored = next(
        i for i in items if i["pk"]["S"] == f"OTP#{owner.owner_id}" and i["sk"]["S"] == "CODE"
    )
    assert stored["code_hash"]["S"] == codes.code_hash(owner.owner_id, code)
    assert codes.code_hash(owner.owner_id, code) != codes.code_hash("another-owner", code)
    for item in items:
        for name, value in item.items():
            text = str(next(iter(value.values())))
            if not _HEX_DIGEST.fullmatch(text):  # keyed hashes may contain any 6 digits
                assert code not in text, (name, item)
            if not (item["sk"]["S"] == "META" and name == "phone"):
                assert PHONE not in text, (name, item)  # only the owner profile holds the number


def test_invalid_numbers_are_refused_before_anything_is_stored(
    codes: OwnerSignInService, ddb: Any, settings: Settings
) -> None:
    for raw in ("12345", "23800138000", "1380013800a", ""):
        with pytest.raises(InvalidInput) as err:
            codes.request(raw)
        assert err.value.code == "invalid_phone"
    assert _items(ddb, settings) == []


def test_a_second_code_within_60_seconds_is_refused_with_the_seconds_to_wait(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, clock: FakeClock
) -> None:
    codes.request(PHONE)
    first = sender.last_code()
    clock.now += timedelta(seconds=20)
    with pytest.raises(RateLimited) as err:
        codes.request(PHONE)
    assert err.value.code == "code_sent_recently" and err.value.params["seconds"] == 40
    assert len(sender.sent) == 1
    clock.now += timedelta(seconds=40)
    codes.request(PHONE)
    assert len(sender.sent) == 2
    with pytest.raises(Unauthenticated):
        codes.verify(PHONE, first)  # a new code replaces the old one
    assert codes.verify(PHONE, sender.last_code()).owner_id == owner.owner_id


def test_at_most_ten_codes_a_day_then_refused_until_the_next_day(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, clock: FakeClock
) -> None:
    for _ in range(SENDS_PER_WINDOW):
        codes.request(PHONE)
        clock.now += timedelta(seconds=61)
    with pytest.raises(RateLimited) as err:
        codes.request(PHONE)
    assert err.value.code == "code_daily_limit"
    day_end = datetime(2026, 11, 23, tzinfo=UTC)
    assert err.value.params["seconds"] == int((day_end - clock.now).total_seconds())
    assert len(sender.sent) == SENDS_PER_WINDOW
    clock.now = day_end
    codes.request(PHONE)
    assert len(sender.sent) == SENDS_PER_WINDOW + 1


def test_unknown_numbers_are_limited_exactly_like_known_ones(
    codes: OwnerSignInService, owner: Owner, clock: FakeClock
) -> None:
    outcomes: dict[str, list[str]] = {PHONE: [], UNKNOWN: []}
    for step in (0, 20, 45, 0):
        clock.now += timedelta(seconds=step)
        for phone, seen in outcomes.items():
            try:
                codes.request(phone)
                seen.append("sent")
            except RateLimited as exc:
                seen.append(f"{exc.code}:{exc.params['seconds']}")
    assert outcomes[PHONE] == outcomes[UNKNOWN]
    assert outcomes[PHONE] == ["sent", "code_sent_recently:40", "sent", "code_sent_recently:60"]


def test_when_the_sms_gateway_is_down_the_code_is_sent_on_a_later_attempt(
    ddb: Any, settings: Settings, clock: FakeClock, owner: Owner
) -> None:
    flaky = FlakySender(failures=2)
    services = wired(ddb, settings, clock, flaky, with_estates=False)
    services.owner_sign_in.request(PHONE)  # the owner is told "sent" whatever the gateway does
    assert flaky.sent == []
    clock.now += timedelta(seconds=15)
    assert services.task_runner.run_due() == {"retry": 1}  # back-off doubles: 15 s, then 30 s
    clock.now += timedelta(seconds=30)
    assert services.task_runner.run_due() == {"done": 1}
    assert len(flaky.sent) == 1
    assert services.owner_sign_in.verify(PHONE, flaky.last_code()).owner_id == owner.owner_id


def test_a_code_that_could_not_be_sent_before_it_would_expire_is_given_up(
    ddb: Any, settings: Settings, clock: FakeClock, owner: Owner, sender: RecordingSender
) -> None:
    services = wired(ddb, settings, clock, FlakySender(failures=100), with_estates=False)
    services.owner_sign_in.request(PHONE)
    for _ in range(6):
        clock.now += timedelta(minutes=1)
        services.task_runner.run_due()
    tasks = [i for i in _items(ddb, settings) if i["pk"]["S"] == "TASK"]
    assert [t["state"]["S"] for t in tasks] == ["dead"]
    # The owner may ask again after the resend interval, and that code gets through.
    wired(ddb, settings, clock, sender, with_estates=False).owner_sign_in.request(PHONE)
    assert len(sender.sent) == 1


# ----------------------------------------------------------------------------- verifying


def test_the_right_code_signs_the_owner_in(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender
) -> None:
    codes.request(PHONE)
    signed_in = codes.verify("+86 138-0013-8000", sender.last_code())
    assert signed_in.owner_id == owner.owner_id and signed_in.name == "王芳"


def test_a_code_typed_with_full_width_digits_is_accepted(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender
) -> None:
    codes.request(PHONE)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in sender.last_code())
    assert codes.verify(PHONE, f" {full_width} ").owner_id == owner.owner_id


def test_a_code_works_only_once(codes: OwnerSignInService, owner: Owner, sender: RecordingSender) -> None:
    codes.request(PHONE)
    code = sender.last_code()
    codes.verify(PHONE, code)
    with pytest.raises(Unauthenticated) as err:
        codes.verify(PHONE, code)
    assert err.value.code == "code_invalid"


def test_a_code_is_valid_for_five_minutes_only(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, clock: FakeClock
) -> None:
    codes.request(PHONE)
    clock.now += timedelta(minutes=4, seconds=59)
    codes.verify(PHONE, sender.last_code())
    codes.request(PHONE)
    clock.now += timedelta(minutes=5)
    with pytest.raises(Unauthenticated) as err:
        codes.verify(PHONE, sender.last_code())
    assert err.value.code == "code_invalid"


def test_a_wrong_or_malformed_code_is_code_invalid(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender
) -> None:
    codes.request(PHONE)
    for guess in (_wrong(sender.last_code()), "12345", "abcdef", " "):
        with pytest.raises(Unauthenticated) as err:
            codes.verify(PHONE, guess)
        assert err.value.code == "code_invalid"


def test_an_unknown_number_is_answered_like_a_wrong_code(codes: OwnerSignInService, owner: Owner) -> None:
    codes.request(UNKNOWN)
    with pytest.raises(Unauthenticated) as err:
        codes.verify(UNKNOWN, "123456")
    assert err.value.code == "code_invalid"
    with pytest.raises(Unauthenticated) as err:
        codes.verify("13700137000", "123456")  # never asked for a code either
    assert err.value.code == "code_invalid"


def test_five_wrong_codes_lock_the_number_even_for_the_right_code(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, clock: FakeClock
) -> None:
    codes.request(PHONE)
    code = sender.last_code()
    for _ in range(MAX_TRIES):
        with pytest.raises(Unauthenticated):
            codes.verify(PHONE, _wrong(code))
    clock.now += timedelta(minutes=3, seconds=20)
    with pytest.raises(RateLimited) as err:
        codes.verify(PHONE, code)
    assert err.value.code == "code_locked"
    assert err.value.params == {"seconds": 400, "minutes": 7}  # until the 10-minute window ends


def test_when_the_ten_minute_window_ends_the_owner_can_try_again(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, clock: FakeClock
) -> None:
    codes.request(PHONE)
    for _ in range(MAX_TRIES):
        with pytest.raises(Unauthenticated):
            codes.verify(PHONE, _wrong(sender.last_code()))
    clock.now += timedelta(minutes=9, seconds=59)
    with pytest.raises(RateLimited):
        codes.verify(PHONE, sender.last_code())
    clock.now += timedelta(seconds=1)
    codes.request(PHONE)  # the first code has expired meanwhile
    assert codes.verify(PHONE, sender.last_code()).owner_id == owner.owner_id


def test_the_lock_applies_per_number(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, ddb: Any, settings: Settings
) -> None:
    other = make_owner(ddb, settings, "13800138001", "李雷", ("lanting", "1", "1-0101"))
    for _ in range(MAX_TRIES + 1):
        with pytest.raises((Unauthenticated, RateLimited)):
            codes.verify(PHONE, "000000")
    codes.request(other.phone)
    assert codes.verify(other.phone, sender.last_code()).owner_id == other.owner_id


def test_a_deleted_owner_cannot_sign_in_with_a_pending_code(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, ddb: Any, settings: Settings
) -> None:
    codes.request(PHONE)
    ddb.delete_item(
        TableName=settings.table_name("main"),
        Key={"pk": {"S": f"OWNER#{owner.owner_id}"}, "sk": {"S": "META"}},
    )
    with pytest.raises(Unauthenticated):
        codes.verify(PHONE, sender.last_code())


# ----------------------------------------------------------------------------- audit and logs


def test_sign_ins_failures_and_locks_are_audited_with_masked_numbers(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, ddb: Any, settings: Settings
) -> None:
    codes.request(PHONE)
    code = sender.last_code()
    codes.verify(PHONE, code, source_ip="203.0.113.7")
    for _ in range(MAX_TRIES):  # the used code, again, from another address
        with pytest.raises(Unauthenticated):
            codes.verify(PHONE, code, source_ip="198.51.100.9")
    with pytest.raises(RateLimited):
        codes.verify(PHONE, code, source_ip="198.51.100.9")
    events = AuditLog(Table(ddb, settings.table_name("main"))).day("2026-11-22")
    actions = [e["action"] for e in events]
    assert actions.count("auth.login") == 1
    assert actions.count("auth.locked") == 1
    assert actions.count("auth.login_failed") == MAX_TRIES + 1  # 5 wrong + 1 refused attempt
    login = next(e for e in events if e["action"] == "auth.login")
    assert login["actor"] == f"owner:{owner.owner_id}" and login["source_ip"] == "203.0.113.7"
    for e in events:
        if e["action"] != "auth.login":
            assert e["actor"] == "anonymous" and e["target"] == "138****8000"
            assert e["source_ip"] == "198.51.100.9"
    assert PHONE not in repr(events)


def test_a_stranger_guessing_wrong_codes_cannot_lock_the_owner_out(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender
) -> None:
    codes.request(PHONE)
    code = sender.last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(MAX_TRIES):
        with pytest.raises(Unauthenticated):
            codes.verify(PHONE, wrong, source_ip="192.0.2.66")
    with pytest.raises(RateLimited):  # the stranger's own address is spent
        codes.verify(PHONE, wrong, source_ip="192.0.2.66")
    assert codes.verify(PHONE, code, source_ip="203.0.113.7").owner_id == owner.owner_id


def test_guessing_from_many_addresses_is_bounded_per_number(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender
) -> None:
    codes.request(PHONE)
    code = sender.last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    evaluated = 0
    for address in range(MAX_TRIES_PER_NUMBER // MAX_TRIES):
        for _ in range(MAX_TRIES):
            with pytest.raises(Unauthenticated):
                codes.verify(PHONE, wrong, source_ip=f"192.0.2.{address}")
            evaluated += 1
    assert evaluated == MAX_TRIES_PER_NUMBER
    with pytest.raises(RateLimited) as err:  # a fresh address, but the number's ceiling is hit
        codes.verify(PHONE, code, source_ip="198.51.100.200")
    assert err.value.code == "code_locked"


def test_log_lines_show_only_masked_numbers(
    codes: OwnerSignInService, owner: Owner, sender: RecordingSender, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="portal")
    codes.request(PHONE)
    codes.request(UNKNOWN)
    with pytest.raises(Unauthenticated):
        codes.verify(PHONE, _wrong(sender.last_code()))
    codes.verify(PHONE, sender.last_code())
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("portal"))
    assert "138****8000" in text
    assert PHONE not in text and UNKNOWN not in text
