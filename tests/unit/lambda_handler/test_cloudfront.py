"""Where a request comes from, on the deployed path (Zappa's own event → WSGI conversion).

Prod is behind CloudFront: a request must carry CloudFront's origin secret, and the caller's
address is the viewer's (``CloudFront-Viewer-Address``). Dev, in these tests, is reached at
its API Gateway URL: the address is API Gateway's own, and nothing a caller writes moves it.
The rules one by one (settings, secret values, address parsing) are in ``tests/unit/test_edge.py``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from portal.errors import render
from portal.settings import ConfigurationError, Settings
from tests.support.api_gateway import (
    EDGE_IP,
    SOURCE_IP,
    VIEWER_IP,
    api_event,
    through_cloudfront,
    with_headers,
)
from tests.support.zappa_handler import ORIGIN_SECRET, api_gateway_event, invoke


def asking_for_a_code(event: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """``event`` as the sign-in page's request for a code (a per-address limit is taken)."""
    event = with_headers(event, {"Origin": settings.site_origin,
                                 "Content-Type": "application/json"})  # fmt: skip
    return {**event, "body": json.dumps({"phone": "13800138000"})}


def address_limits(ddb: Any, settings: Settings) -> list[str]:
    """The addresses the per-address code limit was counted against."""
    prefix = "LIMIT#codes_ip#"
    return sorted(
        item["pk"]["S"].removeprefix(prefix)
        for item in ddb.scan(TableName=settings.table_name("main"))["Items"]
        if item["pk"]["S"].startswith(prefix)
    )


def audited_addresses(ddb: Any, settings: Settings) -> list[str]:
    return sorted(
        item["source_ip"]["S"]
        for item in ddb.scan(TableName=settings.table_name("main"))["Items"]
        if "action" in item
    )


@pytest.mark.parametrize("stage", ["dev"], indirect=True)
def test_a_forged_x_forwarded_for_does_not_change_the_address_the_limits_and_audit_see(
    lambda_handler: Any, ddb: Any, settings: Settings, stage: str
) -> None:
    """The address is API Gateway's own (requestContext.identity.sourceIp, through Zappa's
    context_header_mappings), not X-Forwarded-For, nor a header of the same name sent along."""
    forged = {"X-Forwarded-For": "6.6.6.6, 130.176.0.1", "x-portal-source-ip": "6.6.6.6"}
    event = asking_for_a_code(with_headers(api_gateway_event("POST", "/api/auth/code", stage),
                                           forged), settings)  # fmt: skip
    result = invoke(lambda_handler, event)
    assert result["statusCode"] == 200, result.get("body")
    assert address_limits(ddb, settings) == [SOURCE_IP]


@pytest.mark.parametrize("stage", ["dev"], indirect=True)
def test_a_forged_cloudfront_viewer_address_is_ignored_when_no_origin_secret_is_configured(
    lambda_handler: Any, ddb: Any, settings: Settings, stage: str
) -> None:
    """Without an origin secret nothing proves CloudFront wrote the header: any caller of
    the API Gateway URL can, along with an origin-secret header of any value."""
    forged = {"CloudFront-Viewer-Address": "6.6.6.6:443",
              "X-Portal-Origin-Secret": "anything-at-all-anything-at-all-0"}  # fmt: skip
    event = asking_for_a_code(with_headers(api_gateway_event("POST", "/api/auth/code", stage),
                                           forged), settings)  # fmt: skip
    result = invoke(lambda_handler, event)
    assert result["statusCode"] == 200, result.get("body")
    assert address_limits(ddb, settings) == [SOURCE_IP]


REFUSED_SECRETS = {
    "missing": None,
    "empty": "",
    "wrong": "not-the-secret-not-the-secret-not-the-secret",
    "one character short": ORIGIN_SECRET[:-1],
    "one character more": ORIGIN_SECRET + "0",
    "another case": ORIGIN_SECRET.swapcase(),
}
REQUESTS = {
    "health": ("GET", "/api/health", None),
    "a code": ("POST", "/api/auth/code", json.dumps({"phone": "13800138000"})),
    "a login, body not JSON": ("POST", "/api/auth/login", "{not json"),
}


@pytest.mark.parametrize("stage", ["prod"], indirect=True)
@pytest.mark.parametrize("secret", REFUSED_SECRETS.values(), ids=REFUSED_SECRETS.keys())
@pytest.mark.parametrize("call", REQUESTS.values(), ids=REQUESTS.keys())
def test_a_request_that_bypasses_cloudfront_is_refused_before_it_is_read(
    lambda_handler: Any, ddb: Any, settings: Settings, stage: str,
    secret: str | None, call: tuple[str, str, str | None],
) -> None:  # fmt: skip
    """Straight to the API Gateway URL (no origin secret, or a guess): 403, whatever the
    route, before the body, the session or the CSRF check is looked at; nothing counted,
    nothing audited, and a forged viewer address changes nothing."""
    method, path, body = call
    headers = {"Origin": settings.site_origin, "Content-Type": "application/json",
               "CloudFront-Viewer-Address": "6.6.6.6:443"}  # fmt: skip
    if secret is not None:
        headers["X-Portal-Origin-Secret"] = secret
    event = with_headers(api_event(method, path, stage=stage), headers)
    result = invoke(lambda_handler, {**event, "body": body})

    assert result["statusCode"] == 403, result.get("body")
    error = json.loads(result["body"])["error"]
    assert error == {
        "code": "direct_access_refused",
        "message": render("direct_access_refused", "zh-CN"),
        "message_en": render("direct_access_refused", "en"),
    }
    assert "门户" in error["message"]
    assert address_limits(ddb, settings) == [] and audited_addresses(ddb, settings) == []


@pytest.mark.parametrize("stage", ["prod"], indirect=True)
def test_through_cloudfront_the_viewer_address_is_what_the_limits_and_the_audit_see(
    lambda_handler: Any, ddb: Any, settings: Settings, stage: str
) -> None:
    """Not the edge's address (API Gateway's sourceIp), nor what the viewer put in
    X-Forwarded-For: the address CloudFront itself saw."""
    forged = {"X-Forwarded-For": f"6.6.6.6, {VIEWER_IP}, {EDGE_IP}"}
    code = asking_for_a_code(with_headers(api_gateway_event("POST", "/api/auth/code", stage),
                                          forged), settings)  # fmt: skip
    assert invoke(lambda_handler, code)["statusCode"] == 200
    login = with_headers(api_gateway_event("POST", "/api/auth/login", stage),
                         {"Origin": settings.site_origin, "Content-Type": "application/json"})
    body = json.dumps({"username": "nobody.here", "password": "wrong-password-1"})
    assert invoke(lambda_handler, {**login, "body": body})["statusCode"] == 401

    assert address_limits(ddb, settings) == [VIEWER_IP]
    assert audited_addresses(ddb, settings) == [VIEWER_IP]  # the failed sign-in


VIEWER_ADDRESSES = {
    "IPv6, port after the last colon": ("2001:db8::1:443", "2001:db8::1"),
    "IPv6 written out": ("2001:DB8:0:0:0:0:0:7:50123", "2001:db8::7"),
    "IPv6 in brackets": ("[2001:db8::8]:443", "2001:db8::8"),
    "IPv4-mapped IPv6": ("::ffff:198.51.100.9:443", "198.51.100.9"),
    "no port": ("198.51.100.9", EDGE_IP),
    "two values": (f"{VIEWER_IP}:443, 6.6.6.6:443", EDGE_IP),
    "not an address": ("localhost:443", EDGE_IP),
    "absent": (None, EDGE_IP),
}


@pytest.mark.parametrize("stage", ["prod"], indirect=True)
@pytest.mark.parametrize(("sent", "counted"), VIEWER_ADDRESSES.values(),
                         ids=VIEWER_ADDRESSES.keys())  # fmt: skip
def test_the_viewer_address_is_parsed_and_a_malformed_one_falls_back_to_the_edge(
    lambda_handler: Any, ddb: Any, settings: Settings, stage: str,
    sent: str | None, counted: str,
) -> None:  # fmt: skip
    event = through_cloudfront("POST", "/api/auth/code", origin_secret=ORIGIN_SECRET,
                               viewer_address=sent, stage=stage)  # fmt: skip
    assert invoke(lambda_handler, asking_for_a_code(event, settings))["statusCode"] == 200
    assert address_limits(ddb, settings) == [counted]


@pytest.mark.parametrize("stage", ["prod"], indirect=True)
def test_prod_without_an_origin_secret_refuses_to_start(
    lambda_handler: Any, stage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deployed without the secret, prod would answer anyone who found the API Gateway URL:
    the cold start fails instead (and so does Zappa's status check after a deploy)."""
    monkeypatch.delenv("PORTAL_ORIGIN_SECRET")
    with pytest.raises(ConfigurationError, match="PORTAL_ORIGIN_SECRET"):
        invoke(lambda_handler, api_gateway_event("GET", "/api/health", stage))


@pytest.mark.parametrize("stage", ["dev"], indirect=True)
def test_dev_given_an_origin_secret_refuses_what_bypasses_cloudfront_too(
    lambda_handler: Any, ddb: Any, settings: Settings, stage: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("PORTAL_ORIGIN_SECRET", ORIGIN_SECRET)
    direct = asking_for_a_code(api_gateway_event("POST", "/api/auth/code", stage), settings)
    assert invoke(lambda_handler, direct)["statusCode"] == 403
    event = through_cloudfront("POST", "/api/auth/code", origin_secret=ORIGIN_SECRET,
                               stage=stage)  # fmt: skip
    assert invoke(lambda_handler, asking_for_a_code(event, settings))["statusCode"] == 200
    assert address_limits(ddb, settings) == [VIEWER_IP]
