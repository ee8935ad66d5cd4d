"""Credentials changing ends the sessions they opened; admin-set passwords must be replaced."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from portal.accounts.staff.model import StaffAccount
from portal.accounts.staff.repository import StaffRepository
from portal.phones import normalise
from portal.settings import Settings
from tests.factories import main_table
from tests.support.auth import OTHER_PASSWORD as OTHER
from tests.support.auth import PASSWORD, AuthActions


@pytest.fixture
def butler(auth: AuthActions) -> StaffAccount:
    return auth.make_staff("li.butler", "butler", estates=("lanting",), password=PASSWORD)


ADMIN_PASSWORD = "evergreen-admin-42"


def _admin(auth: AuthActions) -> None:
    auth.make_staff("root", "admin", password=ADMIN_PASSWORD)


def test_changing_my_password_ends_my_other_sessions_but_keeps_this_one(
    auth: AuthActions, butler: StaffAccount
) -> None:
    phone = auth.signed_in("li.butler", PASSWORD)
    desk = auth.signed_in("li.butler", PASSWORD)
    res = desk.post("/api/auth/password", {"old_password": PASSWORD, "new_password": OTHER})
    assert res.status_code == 204
    assert desk.me().status_code == 200
    assert phone.me().status_code == 401


def test_admin_reset_ends_every_session_of_that_account(
    auth: AuthActions, butler: StaffAccount
) -> None:
    _admin(auth)
    victim = auth.signed_in("li.butler", PASSWORD)
    admin = auth.signed_in("root", ADMIN_PASSWORD)
    res = admin.post("/api/staff/li.butler/password", {"password": "brand-new-pass-9"})
    assert res.status_code == 200 and res.json["must_change_password"] is True
    assert victim.me().status_code == 401


def test_disabling_an_account_ends_its_sessions(
    auth: AuthActions, ddb: Any, settings: Settings, butler: StaffAccount
) -> None:
    _admin(auth)
    victim = auth.signed_in("li.butler", PASSWORD)
    admin = auth.signed_in("root", ADMIN_PASSWORD)
    res = admin.patch("/api/staff/li.butler", {"disabled": True})
    assert res.status_code == 200 and res.json["disabled"] is True
    items = ddb.scan(TableName=settings.table_name("main"))["Items"]
    assert [
        i
        for i in items
        if i["pk"]["S"].startswith("SESSION#") and i.get("user_id", {}).get("S") == "li.butler"
    ] == []
    assert victim.me().status_code == 401


def test_admin_set_password_must_be_changed_before_anything_else(
    auth: AuthActions, ddb: Any, settings: Settings
) -> None:
    account = auth.make_staff(
        "new.desk", "front_desk", "supervisor", estates=("lanting",), password=PASSWORD
    )
    StaffRepository(main_table(ddb, settings)).put(replace(account, must_change_password=True))
    desk = auth.signed_in("new.desk", PASSWORD)
    assert desk.me().status_code == 200
    res = desk.get("/api/staff")
    assert res.status_code == 403 and res.json["error"]["code"] == "password_change_required"
    res = desk.post("/api/auth/password", {"old_password": PASSWORD, "new_password": OTHER})
    assert res.status_code == 204
    res = desk.get("/api/staff")
    assert res.status_code == 200
    assert [i["username"] for i in res.json["items"]] == ["new.desk"]


def test_dev_outbox_is_not_routed_or_documented_outside_local(settings: Settings) -> None:
    from functions.app import create_app

    prod = create_app(settings.with_(stage="prod", phone_hash_key=b"k"))
    assert "/api/dev/outbox" not in prod.api_doc["paths"]
    res = prod.test_client().get("/api/dev/outbox")
    assert res.status_code == 404 and res.json["error"]["code"] == "not_found"


def test_full_width_digits_from_a_chinese_keyboard_are_accepted() -> None:
    assert normalise("１３８００１３８０００") == "13800138000"
    assert normalise("13８00138000") == "13800138000"
