"""Credentials changing ends the sessions they opened; admin-set passwords must be replaced."""

from __future__ import annotations

from typing import Any

import pytest

from portal.accounts import passwords
from portal.phones import normalise
from portal.settings import Settings
from portal.store.table import Table
from tests.factories import make_staff
from tests.unit.test_functions_session import FakeClock
from tests.unit.test_staff_login import OTHER, PASSWORD, _app, _signed_in


@pytest.fixture
def app(ddb: Any, settings: Settings) -> Any:
    return _app(ddb, settings, FakeClock())


@pytest.fixture
def butler(ddb: Any, settings: Settings) -> Any:
    return make_staff(ddb, settings, "li.butler", "butler", estates=("lanting",),
                      password_hash=passwords.hash_password(PASSWORD))  # fmt: skip


ADMIN_PASSWORD = "evergreen-admin-42"


def _admin(ddb: Any, settings: Settings) -> None:
    make_staff(
        ddb, settings, "root", "admin", password_hash=passwords.hash_password(ADMIN_PASSWORD)
    )


def test_changing_my_password_ends_my_other_sessions_but_keeps_this_one(
    app: Any, butler: Any
) -> None:
    phone, _ = _signed_in(app, "li.butler", PASSWORD)
    desk, headers = _signed_in(app, "li.butler", PASSWORD)
    res = desk.post(
        "/api/auth/password",
        json={"old_password": PASSWORD, "new_password": OTHER},
        headers=headers,
    )
    assert res.status_code == 204
    assert desk.get("/api/me").status_code == 200
    assert phone.get("/api/me").status_code == 401


def test_admin_reset_ends_every_session_of_that_account(
    app: Any, ddb: Any, settings: Settings, butler: Any
) -> None:
    _admin(ddb, settings)
    victim, _ = _signed_in(app, "li.butler", PASSWORD)
    admin, headers = _signed_in(app, "root", ADMIN_PASSWORD)
    res = admin.post(
        "/api/staff/li.butler/password", json={"password": "brand-new-pass-9"}, headers=headers
    )
    assert res.status_code in (200, 204)
    assert victim.get("/api/me").status_code == 401


def test_disabling_an_account_ends_its_sessions(
    app: Any, ddb: Any, settings: Settings, butler: Any
) -> None:
    _admin(ddb, settings)
    victim, _ = _signed_in(app, "li.butler", PASSWORD)
    admin, headers = _signed_in(app, "root", ADMIN_PASSWORD)
    assert (
        admin.patch("/api/staff/li.butler", json={"disabled": True}, headers=headers).status_code
        == 200
    )
    from portal.accounts.sessions import SessionStore

    items = ddb.scan(TableName=settings.table_name("main"))["Items"]
    assert not [
        i
        for i in items
        if i["pk"]["S"].startswith("SESSION#") and i.get("user_id", {}).get("S") == "li.butler"
    ]
    assert victim.get("/api/me").status_code == 401
    assert SessionStore  # imported for the type of store used above


def test_admin_set_password_must_be_changed_before_anything_else(
    app: Any, ddb: Any, settings: Settings
) -> None:
    make_staff(ddb, settings, "new.desk", "front_desk", "supervisor", estates=("lanting",),
               password_hash=passwords.hash_password(PASSWORD))  # fmt: skip
    from portal.accounts.staff.repository import StaffRepository

    repo = StaffRepository(Table(ddb, settings.table_name("main")))
    account = repo.get("new.desk")
    assert account is not None
    from dataclasses import replace

    repo.put(replace(account, must_change_password=True))
    client, headers = _signed_in(app, "new.desk", PASSWORD)
    assert client.get("/api/me").status_code == 200
    res = client.get("/api/staff")
    assert res.status_code == 403 and res.json["error"]["code"] == "password_change_required"
    res = client.post(
        "/api/auth/password",
        json={"old_password": PASSWORD, "new_password": OTHER},
        headers=headers,
    )
    assert res.status_code == 204
    assert client.get("/api/staff").status_code == 200


def test_dev_outbox_is_not_routed_or_documented_outside_local(ddb: Any) -> None:
    from functions.app import create_app

    prod = create_app(Settings(stage="prod", table_prefix="portal-test-", phone_hash_key=b"k"))
    assert "/api/dev/outbox" not in prod.api_doc["paths"]
    assert prod.test_client().get("/api/dev/outbox").status_code == 404


def test_full_width_digits_from_a_chinese_keyboard_are_accepted() -> None:
    assert normalise("１３８００１３８０００") == "13800138000"
    assert normalise("13８00138000") == "13800138000"
