"""Behind CloudFront: the origin secret's settings and check, and the viewer's address.

Zappa's own event conversion drives the same paths in ``lambda_handler/test_cloudfront.py``;
here are the rules one by one: which settings start, which values pass, how an address parses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from functions.edge import ORIGIN_SECRET_HEADER, carries_origin_secret, viewer_ip
from functions.local.server import local_settings
from portal.settings import ConfigurationError, Settings
from tests.support.auth import ORIGIN

SECRET = "current-origin-secret-0123456789abcdef"
PREVIOUS = "previous-origin-secret-0123456789abcdef"
PROD = {
    "PORTAL_STAGE": "prod",
    "PORTAL_SITE_URL": "https://owner-portal.example.cn",
    "PORTAL_PHONE_HASH_KEY": "a-real-secret",
}
DEV = {**PROD, "PORTAL_STAGE": "dev"}


# --------------------------------------------------------------------------- settings


def test_prod_refuses_to_start_without_an_origin_secret() -> None:
    with pytest.raises(ConfigurationError, match="PORTAL_ORIGIN_SECRET must be set in prod"):
        Settings.from_env(PROD)
    settings = Settings.from_env({**PROD, "PORTAL_ORIGIN_SECRET": SECRET})
    assert settings.origin_secrets == (SECRET,) and settings.behind_cdn


def test_the_command_line_answers_no_request_and_needs_no_origin_secret() -> None:
    """Operators running ``portal staff ...`` against prod never hold CloudFront's secret."""
    assert not Settings.from_env(PROD, serves_api=False).behind_cdn


def test_dev_may_go_without_cloudfront_and_is_behind_it_once_given_a_secret() -> None:
    assert not Settings.from_env(DEV).behind_cdn
    assert Settings.from_env({**DEV, "PORTAL_ORIGIN_SECRET": SECRET}).behind_cdn


@pytest.mark.parametrize("stage", ["test", "dev", "prod"])
@pytest.mark.parametrize(
    "weak", ["short", "x" * 31, f"{SECRET} with spaces", f"{SECRET}\n", f"密钥{SECRET}", "x" * 257]
)
def test_a_guessable_or_malformed_origin_secret_is_refused_in_every_stage(
    stage: str, weak: str
) -> None:
    with pytest.raises(ConfigurationError, match="PORTAL_ORIGIN_SECRET must be 32 to 256"):
        Settings.from_env({**PROD, "PORTAL_STAGE": stage, "PORTAL_ORIGIN_SECRET": weak})


def test_a_rotation_accepts_the_previous_secret_beside_the_new_one() -> None:
    env = {**PROD, "PORTAL_ORIGIN_SECRET": SECRET, "PORTAL_ORIGIN_SECRET_PREVIOUS": PREVIOUS}
    assert Settings.from_env(env).origin_secrets == (SECRET, PREVIOUS)
    with pytest.raises(ConfigurationError, match="PORTAL_ORIGIN_SECRET_PREVIOUS is set without"):
        Settings.from_env({**DEV, "PORTAL_ORIGIN_SECRET_PREVIOUS": PREVIOUS})


def test_no_secret_is_in_the_settings_repr() -> None:
    """A repr ends up in tracebacks, test reports and debug lines."""
    settings = Settings.from_env({**PROD, "PORTAL_ORIGIN_SECRET": SECRET})
    assert SECRET not in repr(settings) and PROD["PORTAL_PHONE_HASH_KEY"] not in repr(settings)


def test_the_local_server_stands_in_for_cloudfront_and_never_demands_the_header() -> None:
    deployed = Settings.from_env({**DEV, "PORTAL_ORIGIN_SECRET": SECRET})
    assert not local_settings(8000, 8001, deployed).behind_cdn


# --------------------------------------------------------------------------- the check


@pytest.mark.parametrize(
    ("sent", "passes"),
    [
        (SECRET, True),
        (PREVIOUS, True),
        (None, False),
        ("", False),
        (SECRET[:-1], False),
        (f"{SECRET}, {SECRET}", False),  # the header sent twice (joined by Zappa)
        (SECRET.replace("0", "０"), False),  # full-width digit: not ASCII
    ],
)
def test_only_a_configured_secret_passes(sent: str | None, passes: bool) -> None:
    assert carries_origin_secret(sent, (SECRET, PREVIOUS)) is passes


def test_during_a_rotation_both_values_pass_and_the_refusal_comes_before_csrf(
    make_app: Callable[..., Any], ddb: Any
) -> None:
    app = make_app(origin_secrets=(SECRET, PREVIOUS))
    client = app.test_client()
    for secret in (SECRET, PREVIOUS):
        assert client.get("/api/health", headers={ORIGIN_SECRET_HEADER: secret}).status_code == 200
    # No Origin, no CSRF token, no secret: the refusal names the missing secret, not CSRF.
    res = client.post("/api/auth/logout")
    assert res.status_code == 403 and res.json["error"]["code"] == "direct_access_refused"
    assert res.headers["Cache-Control"] == "no-store" and res.headers["X-Request-Id"]
    res = client.post("/api/auth/logout", headers={ORIGIN_SECRET_HEADER: SECRET, "Origin": ORIGIN})
    assert res.status_code == 204


def test_without_a_secret_configured_nothing_is_refused_for_lacking_one(
    make_app: Callable[..., Any], ddb: Any
) -> None:
    assert make_app().test_client().get("/api/health").status_code == 200


# --------------------------------------------------------------------------- the address


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("198.51.100.7:46532", "198.51.100.7"),
        (" 198.51.100.7:0 ", "198.51.100.7"),
        ("2001:db8::1:443", "2001:db8::1"),  # the port is after the last colon
        ("2001:db8:0:0:0:0:0:1:443", "2001:db8::1"),
        ("2001:DB8::A:443", "2001:db8::a"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::1:443", "::1"),
        ("::ffff:198.51.100.7:443", "198.51.100.7"),
        ("::ffff:c633:6407:443", "198.51.100.7"),
    ],
)
def test_a_viewer_address_is_the_ip_before_the_last_colon(value: str, address: str) -> None:
    assert viewer_ip(value) == address


@pytest.mark.parametrize(
    "value",
    [
        "",
        "198.51.100.7",  # no port
        "198.51.100.7:",
        "198.51.100.7:65536",
        "198.51.100.7:-1",
        "198.51.100.7:４４３",  # full-width digits
        "198.51.100.7:443, 203.0.113.9:443",  # two headers joined
        "2001:db8::1",  # IPv6 without a port: "2001:db8:" is no address
        "fe80::1%eth0:443",
        "[2001:db8::1:443",
        "999.1.1.1:443",
        "example.com:443",
        "1" * 70 + ":443",
    ],
)
def test_anything_else_is_not_a_viewer_address(value: str) -> None:
    assert viewer_ip(value) is None
