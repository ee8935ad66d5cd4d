"""Staff password rules (one code per rule) and argon2id hashing."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError

from portal.accounts import passwords
from portal.errors import InvalidInput
from portal.i18n import catalog


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1!", "password_too_short"),
        ("Abc-12345", "password_too_short"),  # 9 characters
        ("x" * 100 + "Yz!" * 10, "password_too_long"),
        ("1357924680", "password_all_digits"),
        ("8888888888", "password_all_digits"),
        ("li.butler-2026", "password_contains_username"),
        ("MyLI.BUTLERpass", "password_contains_username"),
        ("12345678abc", "password_too_common"),
        ("qwertyuiop", "password_too_common"),
        ("QwertyUIOP", "password_too_common"),
        ("Password2024!", "password_too_common"),
        ("woaini1314", "password_too_common"),
        ("admin@123456", "password_too_common"),
        ("1qaz2wsx3edc", "password_too_common"),
        ("abababababab", "password_too_simple"),
        ("aaaaaaaaaaaa", "password_too_simple"),
    ],
)
def test_each_password_rule_is_refused_with_its_own_code(password: str, code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        passwords.check(password, "li.butler")
    assert err.value.code == code


def test_the_length_is_counted_as_typed_as_the_api_document_counts_it() -> None:
    # NFKC turns the ligature ﬃ into three letters and joins a letter with its accent:
    # minLength/maxLength in /api/openapi.json count what was typed, and so does the rule.
    expands = "Zq7-ﬃ" * 25 + "ﬃﬃﬃ"  # 128 characters typed, 178 after NFKC
    assert len(expands) == passwords.MAX_LENGTH and passwords.problem(expands) is None
    shrinks = "Zq7e\u0301" * 2  # 10 characters typed, 8 after NFKC
    assert len(shrinks) == passwords.MIN_LENGTH and passwords.problem(shrinks) is None
    short = "ﬃﬃ-7Zﬃ"  # 6 typed, 12 after NFKC
    assert passwords.problem(short).code == "password_too_short"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "password",
    ["lanting-garden-7", "Tq8#mZ2v!pLx", "绿树成荫的兰亭苑2号楼", "correct horse battery staple"],
)
def test_reasonable_passwords_are_accepted(password: str) -> None:
    assert passwords.problem(password, "li.butler") is None


def test_length_rules_carry_their_limits_for_the_message() -> None:
    short = passwords.problem("abc!", "")
    assert (
        short is not None
        and short.params == {"min": passwords.MIN_LENGTH}
        and short.params["min"] == 10
    )


def test_every_rule_code_has_a_message_in_both_languages() -> None:
    codes = {
        "password_too_short",
        "password_too_long",
        "password_all_digits",
        "password_contains_username",
        "password_too_common",
        "password_too_simple",
        "password_unchanged",
        "password_wrong",
    }
    for lang in ("zh-CN", "en"):
        missing = sorted(c for c in codes if f"errors.{c}" not in catalog(lang))
        assert not missing, (lang, missing)
    assert "10" in catalog("zh-CN")["errors.password_too_short"].format(min=10)


def test_hash_is_argon2id_with_the_chosen_parameters_and_a_fresh_salt() -> None:
    first = passwords.hash_password("lanting-garden-7")
    second = passwords.hash_password("lanting-garden-7")
    assert first.startswith("$argon2id$v=19$m=47104,t=1,p=1$")
    assert first != second  # salted
    assert "lanting-garden-7" not in first


def test_verify_accepts_the_password_and_refuses_others() -> None:
    stored = passwords.hash_password("lanting-garden-7")
    assert passwords.verify(stored, "lanting-garden-7").ok
    assert not passwords.verify(stored, "lanting-garden-8").ok
    assert not passwords.verify(stored, "LANTING-garden-7").ok


def test_full_width_input_matches_the_same_ascii_password() -> None:
    stored = passwords.hash_password("Lanting-Garden-7")
    assert passwords.verify(stored, "Ｌａｎｔｉｎｇ－Ｇａｒｄｅｎ－７").ok


def test_no_hash_is_verified_against_a_dummy_and_never_matches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    hashing = passwords.default_hashing()
    real = hashing.hasher

    class Spy:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def verify(self, stored: str, password: str) -> bool:
            calls.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(hashing, "hasher", Spy())
    dummy_password = "dummy password for unknown users"
    assert not passwords.verify(None, dummy_password).ok
    assert not passwords.verify("", "anything-at-all").ok
    assert len(calls) == 2 and all(c.startswith("$argon2id$v=19$m=47104,t=1,p=1$") for c in calls)


def test_a_hash_with_old_parameters_still_verifies_and_asks_for_a_rehash() -> None:
    old = PasswordHasher(time_cost=2, memory_cost=8 * 1024, parallelism=2, type=Type.ID)
    stored = old.hash("lanting-garden-7")
    result = passwords.verify(stored, "lanting-garden-7")
    assert result == passwords.Verification(ok=True, needs_rehash=True)
    assert not passwords.verify(
        passwords.hash_password("lanting-garden-7"), "lanting-garden-7"
    ).needs_rehash


def test_a_corrupt_stored_hash_never_matches() -> None:
    with pytest.raises(InvalidHashError):
        passwords.production_hasher().verify("not-a-hash", "x")
    assert not passwords.verify("not-a-hash", "lanting-garden-7").ok


def test_an_enormous_password_is_refused_without_unbounded_work() -> None:
    stored = passwords.hash_password("lanting-garden-7")
    assert not passwords.verify(stored, "lanting-garden-7" * 1000).ok


def test_the_wiring_hashes_with_the_production_parameters_unless_a_test_injects_others() -> None:
    from portal.settings import Settings
    from portal.wiring import Services

    wired = Services(Settings(stage="prod", phone_hash_key=b"k" * 32))
    assert wired.password_hashing.hasher is passwords.production_hasher()
    assert wired.staff_sign_in.hashing is wired.staff.hashing is wired.password_hashing
    assert wired.password_hashing.hash("lanting-garden-7").startswith("$argon2id$v=19$m=47104,t=1,p=1$")
