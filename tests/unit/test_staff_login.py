"""Staff password sign-in, lockout and own password change over HTTP (moto)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher, Type

from portal.accounts.audit import AuditLog
from portal.accounts.signin.staff import MAX_FAILURES
from portal.accounts.staff.model import StaffAccount
from portal.accounts.staff.repository import StaffRepository
from portal.settings import Settings
from portal.wiring import Services
from tests.factories import FakeClock, main_table
from tests.support.auth import OTHER_PASSWORD as OTHER
from tests.support.auth import PASSWORD, AuthActions


@pytest.fixture
def butler(auth: AuthActions) -> StaffAccount:
    return auth.make_staff(
        "li.butler",
        "butler",
        estates=("lanting",),
        buildings={"lanting": frozenset({"1", "2"})},
        password=PASSWORD,
    )


def events(ddb: Any, settings: Settings, action: str | None = None) -> list[dict[str, Any]]:
    out = AuditLog(main_table(ddb, settings)).day("2026-11-22")
    rows = [{**e, "details": json.loads(e["details"])} for e in out]
    return [e for e in rows if action is None or e["action"] == action]


def test_login_with_the_right_password_sets_the_cookie_and_answers_like_me(
    auth: AuthActions, butler: StaffAccount
) -> None:
    client = auth.client()
    res = auth.login("li.butler", PASSWORD, client)
    assert res.status_code == 200
    cookie = res.headers["Set-Cookie"]
    assert cookie.startswith("portal_session=") and "HttpOnly" in cookie
    body = res.json
    assert body["kind"] == "staff" and body["user_id"] == "li.butler"
    assert body["roles"] == ["butler"] and body["buildings"] == {"lanting": ["1", "2"]}
    assert body["must_change_password"] is False
    me = client.get("/api/me")
    assert me.status_code == 200 and me.json["user_id"] == "li.butler"
    assert me.json["csrf_token"] == body["csrf_token"]


def test_login_username_is_case_and_space_insensitive(
    auth: AuthActions, butler: StaffAccount
) -> None:
    res = auth.login("  Li.Butler ", PASSWORD)
    assert res.status_code == 200 and res.json["user_id"] == "li.butler"


def test_login_is_written_to_the_audit_log_with_the_client_ip(
    auth: AuthActions, ddb: Any, settings: Settings, butler: StaffAccount
) -> None:
    assert auth.login("li.butler", PASSWORD).status_code == 200
    (event,) = events(ddb, settings, "auth.login")
    assert event["actor"] == "staff:li.butler" and event["source_ip"] == "127.0.0.1"
    assert event["at"] == "2026-11-22T02:00:00Z"


def test_wrong_password_unknown_user_and_disabled_account_get_the_same_401(
    auth: AuthActions, ddb: Any, settings: Settings, butler: StaffAccount
) -> None:
    auth.make_staff("gone", "front_desk", estates=("lanting",), disabled=True, password=PASSWORD)
    answers = [
        auth.login("li.butler", "wrong-password-1"),
        auth.login("nobody.here", PASSWORD),
        auth.login("gone", PASSWORD),  # right password, disabled account
    ]
    for res in answers:
        assert res.status_code == 401 and "Set-Cookie" not in res.headers
        assert res.json["error"]["code"] == "login_failed"
    assert answers[0].json == answers[1].json == answers[2].json
    reasons = [e["details"]["reason"] for e in events(ddb, settings, "auth.login_failed")]
    assert sorted(reasons) == ["disabled", "unknown_user", "wrong_password"]  # same second
    assert all(e["actor"] == "anonymous" for e in events(ddb, settings, "auth.login_failed"))


def test_unknown_user_goes_through_the_same_path_as_a_wrong_password(
    auth: AuthActions,
    services: Services,
    ddb: Any,
    settings: Settings,
    butler: StaffAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = services.password_hashing.hasher
    verified: list[str] = []

    class Spy:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def verify(self, stored: str, password: str) -> bool:
            verified.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(services.password_hashing, "hasher", Spy())
    assert auth.login("li.butler", "wrong-password-1").status_code == 401
    assert auth.login("nobody.here", "wrong-password-1").status_code == 401
    assert len(verified) == 2  # one argon2 verification each: the unknown user's against a dummy
    assert verified[0] == butler.password_hash and verified[1] != butler.password_hash
    throttle = services.login_throttle
    assert throttle.failures("li.butler") == 1 and throttle.failures("nobody.here") == 1


def test_five_failures_lock_the_account_even_for_the_right_password_until_the_window_ends(
    auth: AuthActions, butler: StaffAccount, clock: FakeClock
) -> None:
    client = auth.client()
    for _ in range(MAX_FAILURES):
        assert auth.login("li.butler", "wrong-password-1", client).status_code == 401
    locked = auth.login("li.butler", PASSWORD, client)
    assert locked.status_code == 429 and locked.json["error"]["code"] == "login_locked"
    assert "15" in locked.json["error"]["message_en"]
    assert "Set-Cookie" not in locked.headers
    clock.now += timedelta(minutes=14, seconds=59)
    assert auth.login("li.butler", PASSWORD, client).status_code == 429
    clock.now += timedelta(seconds=1)  # the 15-minute window is over
    assert auth.login("li.butler", PASSWORD, client).status_code == 200


def test_a_password_typed_into_the_username_field_is_never_stored(
    auth: AuthActions, ddb: Any, settings: Settings, butler: StaffAccount
) -> None:
    typed = "Lanting\x07Secret#2026"  # a password, with a control character, in the wrong field
    assert auth.login(typed, PASSWORD).status_code == 401
    assert auth.login("li.butler", "wrong-password-1").status_code == 401
    stored = json.dumps(ddb.scan(TableName=settings.table_name("main"))["Items"])
    assert "secret#2026" not in stored.lower() and "\\u0007" not in stored
    unknown, known = sorted(events(ddb, settings, "auth.login_failed"), key=lambda e: e["target"])
    assert unknown["target"] == "staff:(unknown)" and len(unknown["details"]["username_hash"]) == 16
    assert known["target"] == "staff:li.butler" and "username_hash" not in known["details"]


def test_unknown_usernames_are_locked_the_same_way(auth: AuthActions, butler: StaffAccount) -> None:
    client = auth.client()
    for _ in range(MAX_FAILURES):
        assert auth.login("nobody.here", "wrong-password-1", client).status_code == 401
    res = auth.login("nobody.here", PASSWORD, client)
    assert res.status_code == 429 and res.json["error"]["code"] == "login_locked"


def test_the_failure_counter_is_shared_by_every_instance(
    make_app: Callable[..., Any], auth: AuthActions, butler: StaffAccount
) -> None:
    one, two = make_app(), make_app()  # two Lambda instances on one table
    for _ in range(3):
        assert auth.login("li.butler", "wrong-password-1", one.test_client()).status_code == 401
    for _ in range(2):
        assert auth.login("li.butler", "wrong-password-1", two.test_client()).status_code == 401
    assert auth.login("li.butler", PASSWORD, one.test_client()).status_code == 429
    assert auth.login("li.butler", PASSWORD, two.test_client()).status_code == 429


def test_the_counter_is_atomic_and_expires_by_ttl(
    ddb: Any, settings: Settings, services: Services, clock: FakeClock
) -> None:
    throttle = services.login_throttle
    for _ in range(MAX_FAILURES):
        throttle.take_attempt("li.butler")
    with pytest.raises(Exception) as err:
        throttle.take_attempt("li.butler")
    assert getattr(err.value, "code", "") == "login_locked"
    assert throttle.failures("li.butler") == MAX_FAILURES  # a refused attempt adds nothing
    items = ddb.scan(TableName=settings.table_name("main"))["Items"]
    (counter,) = [i for i in items if i["pk"]["S"].startswith("LIMIT#staff_login#")]
    assert "li.butler" not in counter["pk"]["S"]  # counted under a keyed hash of the name
    window_end = int((clock.now + timedelta(minutes=15)).timestamp())
    assert int(counter["expires_at"]["N"]) >= window_end


def test_a_successful_login_clears_earlier_failures(
    auth: AuthActions, butler: StaffAccount
) -> None:
    client = auth.client()
    for _ in range(MAX_FAILURES - 1):
        assert auth.login("li.butler", "wrong-password-1", client).status_code == 401
    assert auth.login("li.butler", PASSWORD, client).status_code == 200
    for _ in range(MAX_FAILURES - 1):
        assert auth.login("li.butler", "wrong-password-1").status_code == 401
    assert auth.login("li.butler", PASSWORD).status_code == 200


def test_a_hash_with_old_parameters_is_replaced_at_login_with_the_current_parameters(
    auth: AuthActions, ddb: Any, settings: Settings, services: Services
) -> None:
    old = PasswordHasher(time_cost=2, memory_cost=8 * 1024, parallelism=2, type=Type.ID)
    old_hash = old.hash(PASSWORD)
    auth.make_staff("old.hash", "cleaning", estates=("meixi",), password_hash=old_hash)
    assert auth.login("old.hash", PASSWORD).status_code == 200
    stored = StaffRepository(main_table(ddb, settings)).get("old.hash")
    assert stored is not None and stored.password_hash != old_hash
    current = services.password_hashing.hasher  # the wiring's hasher (tiny parameters here)
    assert not current.check_needs_rehash(stored.password_hash)
    assert current.verify(stored.password_hash, PASSWORD)
    assert auth.login("old.hash", PASSWORD).status_code == 200


def test_a_login_without_a_password_is_400_invalid_input(app: Any, auth: AuthActions) -> None:
    res = app.test_client().post(
        "/api/auth/login", json={"username": "x"}, headers=auth.same_origin
    )
    assert res.status_code == 400 and res.json["error"]["code"] == "invalid_input"


# ------------------------------------------------------------------ own password


def test_staff_change_their_own_password_with_the_old_one(
    auth: AuthActions, ddb: Any, settings: Settings, butler: StaffAccount
) -> None:
    butler_ = auth.signed_in("li.butler", PASSWORD)
    res = butler_.post("/api/auth/password", {"old_password": PASSWORD, "new_password": OTHER})
    assert res.status_code == 204
    assert auth.login("li.butler", PASSWORD).status_code == 401
    assert auth.login("li.butler", OTHER).status_code == 200
    assert [e["actor"] for e in events(ddb, settings, "auth.password_changed")] == [
        "staff:li.butler"
    ]


def test_own_password_change_needs_the_right_old_password_and_a_good_new_one(
    auth: AuthActions, butler: StaffAccount
) -> None:
    butler_ = auth.signed_in("li.butler", PASSWORD)
    cases = [
        ({"old_password": "not-my-password", "new_password": OTHER}, 403, "password_wrong"),
        ({"old_password": PASSWORD, "new_password": "short"}, 400, "password_too_short"),
        ({"old_password": PASSWORD, "new_password": "12345678abc"}, 400, "password_too_common"),
        ({"old_password": PASSWORD, "new_password": PASSWORD}, 409, "password_unchanged"),
        # the same new and old passwords, but not the current one: the old one is wrong
        ({"old_password": OTHER, "new_password": OTHER}, 403, "password_wrong"),
    ]
    for body, status, code in cases:
        res = butler_.post("/api/auth/password", body)
        assert res.status_code == status and res.json["error"]["code"] == code, body
    assert auth.login("li.butler", PASSWORD).status_code == 200


def test_guessing_the_old_password_counts_towards_the_lockout(
    auth: AuthActions, butler: StaffAccount
) -> None:
    butler_ = auth.signed_in("li.butler", PASSWORD)
    for _ in range(MAX_FAILURES):
        body = {"old_password": "guess-guess-1", "new_password": OTHER}
        res = butler_.post("/api/auth/password", body)
        assert res.status_code == 403 and res.json["error"]["code"] == "password_wrong"
    res = butler_.post("/api/auth/password", {"old_password": PASSWORD, "new_password": OTHER})
    assert res.status_code == 429 and res.json["error"]["code"] == "login_locked"


def test_owners_cannot_use_the_staff_password_change_and_anonymous_must_sign_in(
    auth: AuthActions,
) -> None:
    owner = auth.owner("13800138000", "王芳", ("lanting", "2", "1-1503"))
    body = {"old_password": PASSWORD, "new_password": OTHER}
    res = owner.post("/api/auth/password", body)
    assert res.status_code == 403 and res.json["error"]["code"] == "forbidden"
    res = auth.anonymous().post("/api/auth/password", body)
    assert res.status_code == 401 and res.json["error"]["code"] == "unauthenticated"


def test_login_and_password_endpoints_are_in_the_openapi_document(app: Any) -> None:
    doc = app.test_client().get("/api/openapi.json").json
    login_op = doc["paths"]["/api/auth/login"]["post"]
    assert login_op["operationId"] == "auth_staff_login"
    assert {"200", "401", "429"} <= set(login_op["responses"])
    schema = doc["components"]["schemas"]["LoginResponse"]
    assert {"csrf_token", "must_change_password", "roles"} <= set(schema["properties"])
    assert "post" in doc["paths"]["/api/auth/password"]
