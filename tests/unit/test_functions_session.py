from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from functions.app import create_app
from functions.context import portal_state
from portal.accounts.sessions import SessionStore, token_hash
from portal.settings import Settings
from tests.factories import FakeClock, make_owner, make_staff, wired

ORIGIN = "http://127.0.0.1:8000"


def sign_in(app: Any, client: FlaskClient, kind: str, user_id: str, clock: FakeClock) -> str:
    with app.app_context():
        store = SessionStore(portal_state(app).services.table, clock)
        token, _ = store.create(kind, user_id)  # type: ignore[arg-type]
    client.set_cookie("portal_session", token, domain="localhost")
    return token


def test_me_without_a_session_is_401_with_the_error_envelope(app: Any) -> None:
    res = app.test_client().get("/api/me")
    assert res.status_code == 401
    assert res.json["error"]["code"] == "unauthenticated" and res.json["error"]["message_en"]


def test_me_for_an_owner_lists_their_units_and_their_own_phone(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    owner = make_owner(
        ddb, settings, "13800138000", "王芳", ("lanting", "2", "1-1503"), ("lanting", "3", "2-0801")
    )
    client = app.test_client()
    sign_in(app, client, "owner", owner.owner_id, clock)
    body = client.get("/api/me").json
    assert body["kind"] == "owner" and body["roles"] == ["owner"] and body["estates"] == ["lanting"]
    assert [u["unit_id"] for u in body["units"]] == ["lanting/2/1-1503", "lanting/3/2-0801"]
    assert body["phone"] == "13800138000" and len(body["csrf_token"]) >= 32


def test_me_for_staff_lists_estates_and_buildings(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    make_staff(
        ddb,
        settings,
        "li.butler",
        "butler",
        estates=("lanting",),
        buildings={"lanting": frozenset({"1", "2"})},
    )
    client = app.test_client()
    sign_in(app, client, "staff", "li.butler", clock)
    body = client.get("/api/me").json
    assert body["roles"] == ["butler"] and body["estates"] == ["lanting"]
    assert (
        body["buildings"] == {"lanting": ["1", "2"]} and body["units"] == [] and body["phone"] == ""
    )


def test_disabled_staff_session_is_anonymous_and_the_cookie_is_cleared(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    make_staff(ddb, settings, "gone", "front_desk", estates=("lanting",), disabled=True)
    client = app.test_client()
    sign_in(app, client, "staff", "gone", clock)
    res = client.get("/api/me")
    assert res.status_code == 401
    assert "portal_session=;" in res.headers.get("Set-Cookie", "")


def test_logout_revokes_the_session_server_side(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    owner = make_owner(ddb, settings, "13800138001", "李雷", ("lanting", "1", "1-0101"))
    client = app.test_client()
    token = sign_in(app, client, "owner", owner.owner_id, clock)
    csrf = client.get("/api/me").json["csrf_token"]
    res = client.post("/api/auth/logout", headers={"Origin": ORIGIN, "X-CSRF-Token": csrf})
    assert res.status_code == 204
    # Replaying the old cookie from another client does not work either.
    other = app.test_client()
    other.set_cookie("portal_session", token, domain="localhost")
    assert other.get("/api/me").status_code == 401


def test_state_change_from_another_origin_is_refused(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    owner = make_owner(ddb, settings, "13800138002", "韩梅梅", ("lanting", "1", "1-0102"))
    client = app.test_client()
    sign_in(app, client, "owner", owner.owner_id, clock)
    csrf = client.get("/api/me").json["csrf_token"]
    for headers in (
        {"Origin": "https://evil.example", "X-CSRF-Token": csrf},
        {"X-CSRF-Token": csrf},
        {"Referer": "https://evil.example/page", "X-CSRF-Token": csrf},
    ):
        res = client.post("/api/auth/logout", headers=headers)
        assert res.status_code == 403 and res.json["error"]["code"] == "csrf_failed", headers
    assert client.get("/api/me").status_code == 200  # still signed in


def test_state_change_without_the_sessions_csrf_token_is_refused(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    owner = make_owner(ddb, settings, "13800138003", "张伟", ("lanting", "1", "1-0103"))
    client = app.test_client()
    sign_in(app, client, "owner", owner.owner_id, clock)
    for headers in ({"Origin": ORIGIN}, {"Origin": ORIGIN, "X-CSRF-Token": "guess"}):
        assert client.post("/api/auth/logout", headers=headers).status_code == 403
    assert client.get("/api/me").status_code == 200


def test_owner_session_ends_after_30_idle_days(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    owner = make_owner(ddb, settings, "13800138004", "赵敏", ("lanting", "1", "1-0104"))
    client = app.test_client()
    sign_in(app, client, "owner", owner.owner_id, clock)
    clock.now += timedelta(days=29)
    assert client.get("/api/me").status_code == 200  # used: idle timer restarts
    clock.now += timedelta(days=29)
    assert client.get("/api/me").status_code == 200
    clock.now += timedelta(days=30, seconds=1)
    assert client.get("/api/me").status_code == 401


def test_owner_session_ends_at_its_absolute_timeout_even_when_used(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    owner = make_owner(ddb, settings, "13800138005", "周杰", ("lanting", "1", "1-0105"))
    client = app.test_client()
    sign_in(app, client, "owner", owner.owner_id, clock)
    for _ in range(8):
        clock.now += timedelta(days=20)
        assert client.get("/api/me").status_code == 200
    clock.now += timedelta(days=19, hours=23)
    assert client.get("/api/me").status_code == 200  # 179 days 23 hours after sign-in
    clock.now += timedelta(hours=2)  # 180 days 1 hour
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me").status_code == 401


def test_staff_session_ends_after_12_idle_hours(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    make_staff(ddb, settings, "wang.desk", "front_desk", estates=("lanting",))
    client = app.test_client()
    sign_in(app, client, "staff", "wang.desk", clock)
    clock.now += timedelta(hours=11, minutes=59)
    assert client.get("/api/me").status_code == 200
    clock.now += timedelta(hours=12, seconds=1)
    assert client.get("/api/me").status_code == 401


def test_sessions_are_stored_by_token_hash_only(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client = app.test_client()
    token = sign_in(app, client, "owner", "x" * 32, clock)
    assert len(token) >= 43  # 256 bits, URL-safe base64
    items = ddb.scan(TableName=settings.table_name("main"))["Items"]
    dump = repr(items)
    assert token not in dump and token_hash(token) in dump


def test_cookie_outside_local_mode_is_host_prefixed_secure_httponly_lax(
    ddb: Any, clock: FakeClock
) -> None:
    from flask import Response

    from functions.auth import start_session

    cfg = Settings(stage="dev", table_prefix="portal-test-", site_url="https://portal.example.cn")
    app = create_app(cfg, wired(ddb, cfg))
    with app.test_request_context("/api/auth/verify", method="POST"):
        response = Response()
        start_session(response, "owner", "o" * 32)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-portal_session=")
    for attr in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attr in cookie
    assert "Domain" not in cookie
