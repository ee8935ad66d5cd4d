from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from portal.accounts.sessions import token_hash
from portal.clock import iso
from portal.settings import Settings
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.auth import AuthActions


def test_me_without_a_session_is_401_with_the_error_envelope(app: Any) -> None:
    res = app.test_client().get("/api/me")
    assert res.status_code == 401
    assert res.json["error"]["code"] == "unauthenticated" and res.json["error"]["message_en"]


def test_me_for_an_owner_lists_their_units_and_their_own_phone(auth: AuthActions) -> None:
    owner = auth.owner(
        "13800138000", "王芳", ("lanting", "2", "1-1503"), ("lanting", "3", "2-0801")
    )
    res = owner.me()
    assert res.status_code == 200
    body = res.json
    assert body["kind"] == "owner" and body["roles"] == ["owner"] and body["estates"] == ["lanting"]
    assert [u["unit_id"] for u in body["units"]] == ["lanting/2/1-1503", "lanting/3/2-0801"]
    assert body["phone"] == "13800138000" and len(body["csrf_token"]) >= 32


def test_me_for_staff_lists_estates_and_buildings(auth: AuthActions) -> None:
    butler = auth.staff(
        "li.butler", "butler", estates=("lanting",), buildings={"lanting": frozenset({"1", "2"})}
    )
    res = butler.me()
    assert res.status_code == 200
    body = res.json
    assert body["roles"] == ["butler"] and body["estates"] == ["lanting"]
    assert (
        body["buildings"] == {"lanting": ["1", "2"]} and body["units"] == [] and body["phone"] == ""
    )


def test_disabled_staff_session_is_anonymous_and_the_cookie_is_cleared(auth: AuthActions) -> None:
    auth.make_staff("gone", "front_desk", estates=("lanting",), disabled=True)
    client = auth.client()
    auth.session(client, "staff", "gone")
    res = client.get("/api/me")
    assert res.status_code == 401 and res.json["error"]["code"] == "unauthenticated"
    assert res.headers["Set-Cookie"].startswith("portal_session=;")


def test_logout_revokes_the_session_server_side(app: Any, auth: AuthActions) -> None:
    owner = auth.owner("13800138001", "李雷", ("lanting", "1", "1-0101"))
    res = owner.post("/api/auth/logout")
    assert res.status_code == 204
    # Replaying the old cookie from another client does not work either.
    other = app.test_client()
    other.set_cookie("portal_session", owner.token, domain="localhost")
    assert other.get("/api/me").status_code == 401


def test_signing_out_is_written_to_the_audit_log_with_who_and_when(
    auth: AuthActions, services: Services
) -> None:
    staff = auth.staff("li.butler", "butler", estates=("lanting",))
    assert staff.post("/api/auth/logout").status_code == 204
    day = services.clock().date().isoformat()
    (event,) = [e for e in services.audit.day(day) if e["action"] == "auth.logout"]
    assert event["actor"] == event["target"] == "staff:li.butler"
    assert event["at"] == iso(services.clock())
    assert staff.post("/api/auth/logout").status_code == 204  # already out: nothing more logged
    assert len([e for e in services.audit.day(day) if e["action"] == "auth.logout"]) == 1


def test_state_change_from_another_origin_is_refused(auth: AuthActions) -> None:
    owner = auth.owner("13800138002", "韩梅梅", ("lanting", "1", "1-0102"))
    csrf = owner.csrf_token
    for headers in (
        {"Origin": "https://evil.example", "X-CSRF-Token": csrf},
        {"X-CSRF-Token": csrf},
        {"Referer": "https://evil.example/page", "X-CSRF-Token": csrf},
    ):
        res = owner.client.post("/api/auth/logout", headers=headers)
        assert res.status_code == 403 and res.json["error"]["code"] == "csrf_failed", headers
    assert owner.me().status_code == 200  # still signed in


def test_state_change_without_the_sessions_csrf_token_is_refused(auth: AuthActions) -> None:
    owner = auth.owner("13800138003", "张伟", ("lanting", "1", "1-0103"))
    for headers in (auth.same_origin, {**auth.same_origin, "X-CSRF-Token": "guess"}):
        res = owner.client.post("/api/auth/logout", headers=headers)
        assert res.status_code == 403 and res.json["error"]["code"] == "csrf_failed", headers
    assert owner.me().status_code == 200


def test_owner_session_ends_after_30_idle_days(auth: AuthActions, clock: FakeClock) -> None:
    owner = auth.owner("13800138004", "赵敏", ("lanting", "1", "1-0104"))
    clock.now += timedelta(days=29)
    assert owner.me().status_code == 200  # used: idle timer restarts
    clock.now += timedelta(days=29)
    assert owner.me().status_code == 200
    clock.now += timedelta(days=30, seconds=1)
    assert owner.me().status_code == 401


def test_owner_session_ends_at_its_absolute_timeout_even_when_used(
    auth: AuthActions, clock: FakeClock
) -> None:
    owner = auth.owner("13800138005", "周杰", ("lanting", "1", "1-0105"))
    for _ in range(8):
        clock.now += timedelta(days=20)
        assert owner.me().status_code == 200
    clock.now += timedelta(days=19, hours=23)
    assert owner.me().status_code == 200  # 179 days 23 hours after sign-in
    clock.now += timedelta(hours=2)  # 180 days 1 hour
    assert owner.me().status_code == 401
    assert owner.me().status_code == 401


def test_staff_session_ends_after_12_idle_hours(auth: AuthActions, clock: FakeClock) -> None:
    desk = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    clock.now += timedelta(hours=11, minutes=59)
    assert desk.me().status_code == 200
    clock.now += timedelta(hours=12, seconds=1)
    assert desk.me().status_code == 401


def test_sessions_are_stored_by_token_hash_only(
    auth: AuthActions, ddb: Any, settings: Settings
) -> None:
    token = auth.session(auth.client(), "owner", "x" * 32)
    assert len(token) >= 43  # 256 bits, URL-safe base64
    items = ddb.scan(TableName=settings.table_name("main"))["Items"]
    dump = repr(items)
    assert token not in dump and token_hash(token) in dump


def test_cookie_outside_local_mode_is_host_prefixed_secure_httponly_lax(
    make_app: Callable[..., Any],
) -> None:
    from flask import Response

    from functions.auth import start_session

    app = make_app(stage="dev", site_url="https://portal.example.cn")
    with app.test_request_context("/api/auth/verify", method="POST"):
        response = Response()
        start_session(response, "owner", "o" * 32)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-portal_session=")
    for attr in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attr in cookie
    assert "Domain" not in cookie
