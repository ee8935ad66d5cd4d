"""Owner sign-in by SMS code over HTTP: POST /api/auth/code and POST /api/auth/verify."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from portal.accounts.audit import AuditLog
from portal.accounts.owners import Owner
from portal.accounts.signin.owner import MAX_TRIES
from portal.settings import Settings
from tests.factories import FakeClock, main_table, make_owner
from tests.support.auth import SAME_ORIGIN, AuthActions

PHONE = "13800138000"
UNKNOWN = "13900139000"


@pytest.fixture
def owner(ddb: Any, settings: Settings) -> Owner:
    return make_owner(
        ddb, settings, PHONE, "王芳", ("lanting", "2", "1-1503"), ("lanting", "3", "2-0801")
    )


def ask_code(client: FlaskClient, phone: str = PHONE) -> Any:
    return client.post("/api/auth/code", json={"phone": phone}, headers=SAME_ORIGIN)


def latest_code(client: FlaskClient) -> str:
    messages: Any = client.get("/api/dev/outbox").json
    match = re.search(r"\d{6}", messages[0]["text"])
    assert match
    return match.group(0)


def verify(client: FlaskClient, code: str, phone: str = PHONE, **headers: str) -> Any:
    return client.post(
        "/api/auth/verify", json={"phone": phone, "code": code}, headers={**SAME_ORIGIN, **headers}
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_asking_a_code_answers_the_same_for_known_and_unknown_numbers(
    app: Any, owner: Owner
) -> None:
    client = app.test_client()
    known, unknown = ask_code(client, PHONE), ask_code(client, UNKNOWN)
    assert known.status_code == unknown.status_code == 200
    assert known.json == unknown.json
    assert known.json["expires_in"] == 300 and known.json["resend_after"] == 60
    assert "验证码" in known.json["message"] and known.json["message_en"].isascii()
    assert [m["phone"] for m in client.get("/api/dev/outbox").json] == [PHONE]


def test_asking_a_code_for_an_invalid_number_is_400_invalid_phone(app: Any) -> None:
    res = app.test_client().post("/api/auth/code", json={"phone": "12345"}, headers=SAME_ORIGIN)
    assert res.status_code == 400
    assert res.json["error"]["code"] == "invalid_phone" and "手机号" in res.json["error"]["message"]


def test_a_request_without_the_phone_field_is_400_invalid_input(app: Any) -> None:
    res = app.test_client().post("/api/auth/code", json={}, headers=SAME_ORIGIN)
    assert res.status_code == 400 and res.json["error"]["code"] == "invalid_input"


def test_both_endpoints_refuse_requests_from_another_origin(app: Any, owner: Owner) -> None:
    client = app.test_client()
    for path, body in (
        ("/api/auth/code", {"phone": PHONE}),
        ("/api/auth/verify", {"phone": PHONE, "code": "123456"}),
    ):
        for headers in ({}, {"Origin": "https://evil.example"}):
            res = client.post(path, json=body, headers=headers)
            assert res.status_code == 403 and res.json["error"]["code"] == "csrf_failed"
    assert client.get("/api/dev/outbox").json == []


def test_a_second_code_within_60_seconds_is_429_code_sent_recently_with_the_wait(
    app: Any, owner: Owner, clock: FakeClock
) -> None:
    client = app.test_client()
    ask_code(client, PHONE)
    ask_code(client, UNKNOWN)
    clock.now += timedelta(seconds=15)
    for phone in (PHONE, UNKNOWN):
        res = ask_code(client, phone)
        assert res.status_code == 429
        assert res.json["error"]["code"] == "code_sent_recently"
        assert res.json["error"]["retry_after"] == 45 and res.headers["Retry-After"] == "45"
        assert "45" in res.json["error"]["message"] and "45" in res.json["error"]["message_en"]


def test_verifying_the_right_code_sets_an_httponly_lax_session_and_answers_like_me(
    app: Any, owner: Owner
) -> None:
    client = app.test_client()
    ask_code(client)
    res = verify(client, latest_code(client))
    assert res.status_code == 200
    cookie = res.headers["Set-Cookie"]
    assert cookie.startswith("portal_session=")
    for attr in ("HttpOnly", "SameSite=Lax", "Path=/"):
        assert attr in cookie
    me = client.get("/api/me")
    assert me.status_code == 200 and me.json == res.json
    assert res.json["kind"] == "owner" and res.json["user_id"] == owner.owner_id
    assert res.json["phone"] == PHONE
    assert [u["unit_id"] for u in res.json["units"]] == ["lanting/2/1-1503", "lanting/3/2-0801"]


def test_signing_in_replaces_an_existing_session_with_a_new_token(
    app: Any, auth: AuthActions, owner: Owner
) -> None:
    signed_in = auth.as_user("owner", owner.owner_id)
    client, old_token, csrf = signed_in.client, signed_in.token, signed_in.csrf_token
    # Signed in already: asking for a code needs the session's CSRF token like any POST.
    res = ask_code(client)
    assert res.status_code == 403 and res.json["error"]["code"] == "csrf_failed"
    assert signed_in.post("/api/auth/code", {"phone": PHONE}).status_code == 200
    res = verify(client, latest_code(client), **{"X-CSRF-Token": csrf})
    assert res.status_code == 200
    new_token = res.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    assert len(new_token) >= 43 and new_token != old_token
    assert res.json["csrf_token"] != csrf
    replay = app.test_client()
    replay.set_cookie("portal_session", old_token, domain="localhost")
    assert replay.get("/api/me").status_code == 401


def test_a_wrong_code_and_an_unknown_number_both_get_401_code_invalid(
    app: Any, owner: Owner
) -> None:
    client = app.test_client()
    ask_code(client)
    ask_code(client, UNKNOWN)
    wrong_code = verify(client, wrong(latest_code(client)))
    unknown = verify(client, "123456", phone=UNKNOWN)
    assert wrong_code.status_code == unknown.status_code == 401
    assert wrong_code.json == unknown.json
    assert wrong_code.json["error"]["code"] == "code_invalid"
    assert "Set-Cookie" not in wrong_code.headers
    assert client.get("/api/me").status_code == 401


def test_five_wrong_codes_then_429_code_locked_even_with_the_right_code(
    app: Any, owner: Owner, clock: FakeClock
) -> None:
    client = app.test_client()
    ask_code(client)
    code = latest_code(client)
    for _ in range(MAX_TRIES):
        res = verify(client, wrong(code))
        assert res.status_code == 401 and res.json["error"]["code"] == "code_invalid"
    clock.now += timedelta(minutes=1)
    res = verify(client, code)
    assert res.status_code == 429 and res.json["error"]["code"] == "code_locked"
    assert res.json["error"]["retry_after"] == 540 and res.headers["Retry-After"] == "540"
    assert "9" in res.json["error"]["message"]
    clock.now += timedelta(minutes=9)  # the window is over; the code has expired meanwhile
    res = verify(client, code)
    assert res.status_code == 401 and res.json["error"]["code"] == "code_invalid"
    assert ask_code(client).status_code == 200
    assert verify(client, latest_code(client)).status_code == 200


def test_a_code_cannot_be_used_twice_over_http(app: Any, owner: Owner) -> None:
    client = app.test_client()
    ask_code(client)
    code = latest_code(client)
    assert verify(client, code).status_code == 200
    res = verify(app.test_client(), code)
    assert res.status_code == 401 and res.json["error"]["code"] == "code_invalid"


def test_sign_ins_and_failures_are_audited_with_the_client_address(
    app: Any, owner: Owner, ddb: Any, settings: Settings
) -> None:
    client = app.test_client()
    ask_code(client)
    code = latest_code(client)
    assert verify(client, wrong(code)).status_code == 401
    assert verify(client, code).status_code == 200
    events = AuditLog(main_table(ddb, settings)).day("2026-11-22")
    assert sorted(e["action"] for e in events) == ["auth.login", "auth.login_failed"]
    failed = next(e for e in events if e["action"] == "auth.login_failed")
    login = next(e for e in events if e["action"] == "auth.login")
    assert failed["actor"] == "anonymous" and failed["target"] == "138****8000"
    assert login["actor"] == f"owner:{owner.owner_id}"
    assert failed["source_ip"] == login["source_ip"] == "127.0.0.1"


def test_the_openapi_document_describes_both_endpoints_with_their_models(app: Any) -> None:
    doc = app.test_client().get("/api/openapi.json").json
    code_op = doc["paths"]["/api/auth/code"]["post"]
    verify_op = doc["paths"]["/api/auth/verify"]["post"]
    assert code_op["operationId"] == "auth_owner_request_code"
    assert verify_op["operationId"] == "auth_owner_verify_code"

    def ref(op: dict[str, Any], status: str) -> str:
        return str(op["responses"][status]["content"]["application/json"]["schema"]["$ref"])

    assert ref(code_op, "200").endswith("/CodeRequested")
    assert ref(verify_op, "200").endswith("/MeResponse")
    assert ref(code_op, "429").endswith("/ErrorEnvelope")
    assert ref(verify_op, "429").endswith("/ErrorEnvelope")
    schemas = doc["components"]["schemas"]
    assert set(schemas["VerifyRequest"]["required"]) == {"phone", "code"}
    assert "retry_after" in schemas["ErrorBody"]["properties"]
