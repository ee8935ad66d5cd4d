from __future__ import annotations

import logging

import pytest

from portal.accounts.identity import Identity, UnitRef
from portal.accounts.policy import POLICY, ROLES, Target, can, require, sees_phone
from portal.errors import Forbidden, InvalidInput, Unauthenticated
from portal.phones import MaskPhonesFilter, mask, mask_text, normalise, phone_hash
from portal.settings import ConfigurationError, Settings


@pytest.mark.parametrize(
    "raw", ["13800138000", "138 0013 8000", "+86 138-0013-8000", "008613800138000"]
)
def test_mainland_mobile_numbers_are_normalised(raw: str) -> None:
    assert normalise(raw) == "13800138000"


@pytest.mark.parametrize(
    "raw", ["", "12800138000", "1380013800", "138001380000", "0731-88881234", "abc"]
)
def test_anything_else_is_an_invalid_phone(raw: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        normalise(raw)
    assert exc.value.code == "invalid_phone"


def test_masking_keeps_the_first_three_and_last_four_digits() -> None:
    assert mask("13800138000") == "138****8000"
    assert mask_text("业主13800138000来电，备用 15912345678；座机 073188881234") == (
        "业主138****8000来电，备用 159****5678；座机 073188881234"
    )


def test_phone_hash_is_keyed() -> None:
    assert phone_hash("13800138000", b"k1") != phone_hash("13800138000", b"k2")
    assert "13800138000" not in phone_hash("13800138000", b"k1")


def test_log_filter_masks_numbers_in_messages_and_arguments() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "code sent to %s", ("13800138000",), None
    )
    MaskPhonesFilter().filter(record)
    assert record.getMessage() == "code sent to 138****8000"


PROD = {"PORTAL_STAGE": "prod", "PORTAL_SITE_URL": "https://owner-portal.example.cn"}


def test_settings_outside_local_require_a_phone_hash_key() -> None:
    with pytest.raises(ConfigurationError, match="PORTAL_PHONE_HASH_KEY"):
        Settings.from_env(PROD)
    origin = {"PORTAL_ORIGIN_SECRET": "o" * 32}
    assert Settings.from_env({**PROD, **origin, "PORTAL_PHONE_HASH_KEY": "s"}).phone_hash_key == b"s"


def test_a_missing_stage_refuses_to_start_instead_of_running_as_local() -> None:
    with pytest.raises(ConfigurationError, match="PORTAL_STAGE is not set"):
        Settings.from_env({})
    with pytest.raises(ConfigurationError, match="PORTAL_STAGE"):
        Settings.from_env({"PORTAL_STAGE": "production"})
    # Only callers that talk to no AWS service (portal build) may assume local.
    assert Settings.from_env({}, default_stage="local").stage == "local"


def test_outside_local_the_development_phone_hash_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="PORTAL_PHONE_HASH_KEY"):
        Settings.from_env({**PROD, "PORTAL_PHONE_HASH_KEY": "local-development-only-phone-key"})


@pytest.mark.parametrize("url", ["", "http://owner-portal.example.cn", "http://127.0.0.1:8000"])
def test_outside_local_the_site_url_must_be_https(url: str) -> None:
    with pytest.raises(ConfigurationError, match="PORTAL_SITE_URL"):
        Settings.from_env({**PROD, "PORTAL_SITE_URL": url, "PORTAL_PHONE_HASH_KEY": "s"})


def test_the_app_refuses_to_start_with_an_unsafe_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from functions.app import create_app

    monkeypatch.delenv("PORTAL_STAGE", raising=False)
    with pytest.raises(ConfigurationError):
        create_app()


OWNER_A = Identity("owner", "a", frozenset({"owner"}), estates=frozenset({"lanting"}),
                   units=(UnitRef("lanting", "2", "1-1503"),))  # fmt: skip
BUTLER = Identity("staff", "li", frozenset({"butler"}), estates=frozenset({"lanting"}),
                  buildings={"lanting": frozenset({"1", "2"})})  # fmt: skip
FINANCE = Identity("staff", "qian", frozenset({"finance"}), estates=frozenset({"meixi"}))
ADMIN = Identity("staff", "root", frozenset({"admin"}))


def test_every_policy_action_names_only_known_roles() -> None:
    for action, roles in POLICY.items():
        assert roles <= set(ROLES), action


def test_owner_acts_only_on_their_own_unit() -> None:
    assert can(OWNER_A, "unit.read", Target("lanting", "2", "1-1503"))
    assert not can(OWNER_A, "unit.read", Target("lanting", "2", "1-1504"))
    assert not can(OWNER_A, "unit.read", Target("lanting"))  # estate-wide is not an owner's
    assert not can(OWNER_A, "owner.read", Target("lanting"))


def test_staff_act_only_inside_their_estates_and_buildings() -> None:
    assert can(BUTLER, "owner.read", Target("lanting", "2"))
    assert not can(BUTLER, "owner.read", Target("lanting", "3"))
    assert not can(BUTLER, "owner.read", Target("meixi"))
    assert can(FINANCE, "owner.phone", Target("meixi")) and not can(
        FINANCE, "owner.phone", Target("lanting")
    )
    assert can(ADMIN, "staff.manage") and not can(BUTLER, "staff.manage")


def test_require_distinguishes_anonymous_from_forbidden() -> None:
    with pytest.raises(Unauthenticated):
        require(None, "me.read")
    with pytest.raises(Forbidden):
        require(OWNER_A, "staff.read")


def test_who_sees_an_owners_phone() -> None:
    assert sees_phone(OWNER_A, "a", "lanting")
    assert not sees_phone(OWNER_A, "b", "lanting")
    assert sees_phone(BUTLER, "a", "lanting") and not sees_phone(BUTLER, "a", "meixi")
    cleaner = Identity("staff", "c", frozenset({"cleaning"}), estates=frozenset({"lanting"}))
    assert not sees_phone(cleaner, "a", "lanting")


def test_numbers_with_a_country_prefix_are_masked_too() -> None:
    assert mask_text("SNS refused +8613800138000 / 008615912345678") == (
        "SNS refused +86138****8000 / 0086159****5678"
    )


def test_log_filter_masks_numbers_inside_exception_tracebacks() -> None:
    try:
        raise ValueError("bad input 13800138000")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    MaskPhonesFilter().filter(record)
    assert record.exc_text is not None
    assert "138****8000" in record.exc_text and "13800138000" not in record.exc_text


FORMATTED = [
    "138 0013 8000",
    "138-0013-8000",
    "138.0013.8000",
    "１３８００１３８０００",  # full-width digits from a Chinese input method
    "１３８ ００１３ ８０００",
    "+86 138 0013 8000",
    "0086-13800138000",
    "8613800138000",
    "138%200013%208000",  # a logged query string
    "138+0013+8000",
    "138\u30000013\u30008000",  # full-width spaces
]


@pytest.mark.parametrize("written", FORMATTED)
def test_the_log_mask_catches_every_form_the_phone_parser_accepts(written: str) -> None:
    """Every form the parser accepts (spaces, dashes, full-width, +86/0086), and a few it does
    not (dots, a bare 86, a query string's %20 or +): masking more is the safe side."""
    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "GET /x?phone=%s", (written,), None)
    MaskPhonesFilter().filter(record)
    shown = record.getMessage()
    assert "138****8000" in shown
    digits = "".join(ch for ch in __import__("unicodedata").normalize("NFKC", shown) if ch.isdigit())
    assert "00138" not in digits and "0013" not in digits


@pytest.mark.parametrize(
    "text",
    ["2026-11-22 13:00:01", "request 1700000000123", "order BX-20261122-0007", "area 138.5 m2"],
)
def test_the_log_mask_leaves_dates_ids_and_other_numbers_alone(text: str) -> None:
    assert mask_text(text) == text


@pytest.mark.parametrize(
    "raw",
    ["13800138000", "138 0013 8000", "+86 138-0013-8000", "008613800138000", "１３８００１３８０００",
     "(138)00138000", "8613800138000", "12800138000", "1380013800", "abc", "+1 415 555 0100"],
)
def test_the_documented_phone_pattern_accepts_exactly_what_the_parser_accepts(raw: str) -> None:
    import re

    from portal.phones import PHONE_PATTERN, is_mobile

    assert bool(re.match(PHONE_PATTERN, raw)) == is_mobile(raw)
