"""Admin management of staff accounts over HTTP (moto): who may, what is checked, what is logged."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from werkzeug.test import TestResponse

from portal.accounts import passwords
from portal.accounts.audit import AuditLog
from portal.accounts.staff.model import NewStaff, StaffChanges
from portal.accounts.staff.repository import StaffRepository
from portal.errors import Conflict
from portal.settings import Settings
from portal.wiring import Services
from tests.factories import FakeClock, main_table
from tests.support.auth import OTHER_PASSWORD as NEW_PASSWORD
from tests.support.auth import PASSWORD, AuthActions, Caller


@pytest.fixture
def admin(auth: AuthActions) -> Caller:
    return auth.staff("root", "admin")


def new_butler(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": "li.butler",
        "name": "李管家",
        "phone": "138 0013 8000",
        "roles": ["butler"],
        "estates": ["lanting"],
        "buildings": {"lanting": ["1", "2"]},
        "password": PASSWORD,
    }
    body.update(changes)
    return body


def events(ddb: Any, settings: Settings, action: str) -> list[dict[str, Any]]:
    rows = AuditLog(main_table(ddb, settings)).day("2026-11-22")
    return [{**e, "details": json.loads(e["details"])} for e in rows if e["action"] == action]


def code(res: TestResponse) -> str:
    return str(res.json["error"]["code"])


# ------------------------------------------------------------------ create and list


def test_admin_creates_an_account_that_can_then_sign_in(
    admin: Caller, auth: AuthActions, ddb: Any, settings: Settings
) -> None:
    res = admin.post("/api/staff", new_butler())
    assert res.status_code == 201
    body = res.json
    assert body["username"] == "li.butler" and body["roles"] == ["butler"]
    assert body["buildings"] == {"lanting": ["1", "2"]} and body["phone"] == "138****8000"
    assert body["must_change_password"] is True
    assert PASSWORD not in json.dumps(body) and "password_hash" not in body
    signed_in = auth.login("li.butler", PASSWORD)
    assert signed_in.status_code == 200 and signed_in.json["must_change_password"] is True
    (event,) = events(ddb, settings, "staff.created")
    assert event["actor"] == "staff:root" and event["target"] == "staff:li.butler"
    assert event["details"]["roles"] == ["butler"] and event["source_ip"] == "127.0.0.1"


def test_only_an_argon2_hash_is_stored_never_the_password(
    admin: Caller, ddb: Any, settings: Settings
) -> None:
    admin.post("/api/staff", new_butler())
    dump = json.dumps(ddb.scan(TableName=settings.table_name("main"))["Items"], ensure_ascii=False)
    assert PASSWORD not in dump
    stored = StaffRepository(main_table(ddb, settings)).get("li.butler")
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    assert stored.phone == "13800138000"  # normalised; masked only on the way out


def test_list_shows_accounts_with_masked_phones(admin: Caller) -> None:
    admin.post("/api/staff", new_butler())
    admin.post(
        "/api/staff",
        new_butler(
            username="qian.finance",
            name="钱会计",
            roles=["finance"],
            buildings={},
            phone="",
            estates=["lanting", "meixi"],
        ),
    )
    res = admin.get("/api/staff")
    assert res.status_code == 200
    items = {i["username"]: i for i in res.json["items"]}
    assert set(items) == {"root", "li.butler", "qian.finance"}
    assert items["li.butler"]["phone"] == "138****8000" and items["qian.finance"]["phone"] == ""
    assert "13800138000" not in res.get_data(as_text=True)
    assert admin.get("/api/staff/li.butler").json["name"] == "李管家"


def test_managers_list_only_the_accounts_of_their_estates(
    auth: AuthActions,
) -> None:
    auth.make_staff("lan.desk", "front_desk", estates=("lanting",))
    auth.make_staff("mei.desk", "front_desk", estates=("meixi",))
    supervisor = auth.staff("lan.sup", "supervisor", estates=("lanting",))
    res = supervisor.get("/api/staff")
    assert res.status_code == 200
    assert [i["username"] for i in res.json["items"]] == ["lan.desk", "lan.sup"]
    res = supervisor.get("/api/staff/mei.desk")
    assert res.status_code == 404 and code(res) == "staff_not_found"  # existence not revealed
    res = supervisor.post("/api/staff", new_butler())
    assert res.status_code == 403 and code(res) == "forbidden"


def test_a_taken_username_is_409(admin: Caller) -> None:
    assert admin.post("/api/staff", new_butler()).status_code == 201
    res = admin.post("/api/staff", new_butler(name="另一个李"))
    assert res.status_code == 409 and code(res) == "staff_exists"
    assert "li.butler" in res.json["error"]["message_en"]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"buildings": {"meixi": ["1"]}}, "buildings_outside_estates"),
        ({"estates": [], "buildings": {}}, "staff_estates_required"),
        ({"roles": ["owner"]}, "invalid_role"),
        ({"roles": ["butler", "wizard"]}, "invalid_role"),
        ({"roles": []}, "invalid_input"),
        ({"username": "Li Butler!"}, "invalid_username"),
        ({"username": "ab"}, "invalid_username"),
        ({"name": "   "}, "invalid_staff_name"),
        ({"phone": "12345"}, "invalid_phone"),
        ({"password": "short"}, "password_too_short"),
        ({"password": "li.butler-2026"}, "password_contains_username"),
        ({"password": "qwertyuiop"}, "password_too_common"),
        ({"password": "1357924680"}, "password_all_digits"),
        ({"role": "butler"}, "invalid_input"),  # unknown field
    ],
)
def test_create_refuses_bad_input_with_a_specific_code(
    admin: Caller, changes: dict[str, Any], error: str
) -> None:
    res = admin.post("/api/staff", new_butler(**changes))
    assert res.status_code == 400 and code(res) == error, res.json
    assert res.json["error"]["message"] and res.json["error"]["message_en"]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"estates": ["nowhere"], "buildings": {}}, "unknown_estate"),
        ({"buildings": {"lanting": ["99"]}}, "unknown_building"),
        ({"estates": ["lanting"], "buildings": {"nowhere": ["1"]}}, "unknown_estate"),
    ],
)
def test_create_naming_an_estate_or_building_that_does_not_exist_is_404(
    admin: Caller, changes: dict[str, Any], error: str
) -> None:
    # Well-formed, but about something that is not there (as the roster import answers).
    res = admin.post("/api/staff", new_butler(**changes))
    assert res.status_code == 404 and code(res) == error, res.json


def test_an_admin_needs_no_estates(admin: Caller) -> None:
    res = admin.post(
        "/api/staff", new_butler(username="zhou.admin", roles=["admin"], estates=[], buildings={})
    )
    assert res.status_code == 201 and res.json["estates"] == []


# ------------------------------------------------------------------ who may


def test_non_admin_staff_owners_and_anonymous_cannot_manage_accounts(
    auth: AuthActions, ddb: Any, settings: Settings
) -> None:
    auth.make_staff("target", "cleaning", estates=("lanting",))
    butler = auth.staff("li.butler", "butler", estates=("lanting",))
    pm = auth.staff("pm", "project_manager", estates=("lanting",))
    as_owner = auth.owner("13800138009", "王芳", ("lanting", "2", "1-1503"))
    anonymous = auth.anonymous()
    body = new_butler(username="new.one")
    for caller, status in ((butler, 403), (pm, 403), (as_owner, 403), (anonymous, 401)):
        assert caller.post("/api/staff", body).status_code == status
        assert caller.patch("/api/staff/target", {"disabled": True}).status_code == status
        pw = {"password": NEW_PASSWORD}
        assert caller.post("/api/staff/target/password", pw).status_code == status
    for caller, status in ((butler, 403), (as_owner, 403), (anonymous, 401)):
        assert caller.get("/api/staff").status_code == status
    assert StaffRepository(main_table(ddb, settings)).get("new.one") is None


# ------------------------------------------------------------------ change


def test_role_change_is_audited_with_roles_before_and_after(
    admin: Caller, ddb: Any, settings: Settings
) -> None:
    admin.post("/api/staff", new_butler())
    res = admin.patch("/api/staff/li.butler", {"roles": ["butler", "supervisor"]})
    assert res.status_code == 200 and res.json["roles"] == ["butler", "supervisor"]
    (event,) = events(ddb, settings, "staff.roles_changed")
    assert event["actor"] == "staff:root" and event["target"] == "staff:li.butler"
    assert event["details"] == {"before": ["butler"], "after": ["butler", "supervisor"]}


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"estates": []}, 409),  # the account's own role (butler) needs an estate
        ({"buildings": {"meixi": ["1"]}}, 409),  # the account's own estates are Lanting only
        ({"roles": ["butler"], "estates": []}, 400),  # wrong whatever the account has
        ({"estates": ["lanting"], "buildings": {"meixi": ["1"]}}, 400),
    ],
)
def test_a_change_the_account_itself_makes_impossible_is_409_one_wrong_in_itself_400(
    admin: Caller, change: dict[str, Any], status: int
) -> None:
    admin.post("/api/staff", new_butler())
    res = admin.patch("/api/staff/li.butler", change)
    assert res.status_code == status, res.json
    assert code(res) in {"staff_estates_required", "buildings_outside_estates"}
    assert res.json["error"]["message"] and res.json["error"]["message_en"]


def test_scope_change_keeps_buildings_of_estates_still_in_scope_and_is_audited(
    admin: Caller, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    admin.post("/api/staff", new_butler())
    res = admin.patch("/api/staff/li.butler", {"estates": ["lanting", "meixi"]})
    clock.now += timedelta(seconds=1)  # audit events of one second have no order
    assert res.json["estates"] == ["lanting", "meixi"]
    assert res.json["buildings"] == {"lanting": ["1", "2"]}
    res = admin.patch("/api/staff/li.butler", {"estates": ["meixi"]})
    assert res.json["buildings"] == {}
    res = admin.patch("/api/staff/li.butler", {"buildings": {"meixi": ["7"]}})
    assert res.json["buildings"] == {"meixi": ["7"]}
    res = admin.patch("/api/staff/li.butler", {"buildings": {"meixi": ["70"]}})
    assert res.status_code == 404 and code(res) == "unknown_building"
    scope = events(ddb, settings, "staff.scope_changed")
    assert len(scope) == 3 and scope[0]["details"]["before"]["estates"] == ["lanting"]


def test_name_and_phone_change_and_an_unchanged_patch_writes_nothing(
    admin: Caller, ddb: Any, settings: Settings
) -> None:
    admin.post("/api/staff", new_butler())
    res = admin.patch("/api/staff/li.butler", {"name": "李明", "phone": ""})
    assert res.status_code == 200 and res.json["name"] == "李明" and res.json["phone"] == ""
    before = admin.get("/api/staff/li.butler").json
    assert admin.patch("/api/staff/li.butler", {"name": "李明"}).json == before
    assert len(events(ddb, settings, "staff.profile_changed")) == 1


def test_disabling_signs_the_person_out_at_once_and_enabling_lets_them_back(
    admin: Caller, auth: AuthActions, ddb: Any, settings: Settings
) -> None:
    admin.post("/api/staff", new_butler())
    person = auth.signed_in("li.butler", PASSWORD)
    assert person.me().status_code == 200
    res = admin.patch("/api/staff/li.butler", {"disabled": True})
    assert res.status_code == 200 and res.json["disabled"] is True
    assert person.me().status_code == 401
    assert code(auth.login("li.butler", PASSWORD)) == "login_failed"
    assert admin.patch("/api/staff/li.butler", {"disabled": False}).json["disabled"] is False
    assert auth.login("li.butler", PASSWORD).status_code == 200
    assert len(events(ddb, settings, "staff.disabled")) == 1
    assert len(events(ddb, settings, "staff.enabled")) == 1


def test_admin_cannot_disable_or_demote_themself(
    admin: Caller, ddb: Any, settings: Settings
) -> None:
    for change in ({"disabled": True}, {"roles": ["supervisor"], "estates": ["lanting"]}):
        res = admin.patch("/api/staff/root", change)
        assert res.status_code == 403 and code(res) == "staff_self_lockout"
    account = StaffRepository(main_table(ddb, settings)).get("root")
    assert account is not None and account.roles == {"admin"} and not account.disabled
    assert admin.get("/api/staff").status_code == 200
    # Changing their own name, or adding a role, is fine.
    res = admin.patch(
        "/api/staff/root",
        {"name": "周总", "roles": ["admin", "supervisor"], "estates": ["lanting"]},
    )
    assert res.status_code == 200 and res.json["roles"] == ["admin", "supervisor"]


def test_a_stolen_admin_session_cannot_reset_the_admins_own_password(
    admin: Caller, ddb: Any, settings: Settings
) -> None:
    before = StaffRepository(main_table(ddb, settings)).get("root")
    res = admin.post("/api/staff/root/password", {"password": NEW_PASSWORD})
    assert res.status_code == 403 and code(res) == "reset_own_password"
    assert "当前密码" in res.json["error"]["message"]
    after = StaffRepository(main_table(ddb, settings)).get("root")
    assert before is not None and after == before
    assert events(ddb, settings, "staff.password_reset") == []


def test_admin_can_demote_another_admin(admin: Caller, auth: AuthActions) -> None:
    auth.make_staff("other.admin", "admin")
    res = admin.patch("/api/staff/other.admin", {"roles": ["supervisor"], "estates": ["meixi"]})
    assert res.status_code == 200 and res.json["roles"] == ["supervisor"]


def test_patching_an_unknown_account_is_404(admin: Caller) -> None:
    res = admin.patch("/api/staff/nobody", {"disabled": True})
    assert res.status_code == 404 and code(res) == "staff_not_found"
    res = admin.post("/api/staff/nobody/password", {"password": NEW_PASSWORD})
    assert res.status_code == 404 and code(res) == "staff_not_found"


def test_a_stale_write_is_a_conflict(ddb: Any, settings: Settings) -> None:
    from portal.errors import Conflict

    repo = StaffRepository(main_table(ddb, settings))
    from tests.factories import make_staff

    account = make_staff(ddb, settings, "li.butler", "butler", estates=("lanting",))
    from dataclasses import replace

    repo.save(replace(account, name="A", version=1), expected_version=0)
    with pytest.raises(Conflict):
        repo.save(replace(account, name="B", version=1), expected_version=0)


# ------------------------------------------------------------------ reset


def test_reset_sets_a_new_password_that_must_be_changed_and_lifts_a_lockout(
    admin: Caller, auth: AuthActions, ddb: Any, settings: Settings
) -> None:
    admin.post("/api/staff", new_butler())
    for _ in range(5):
        auth.login("li.butler", "wrong-password-1")
    assert auth.login("li.butler", PASSWORD).status_code == 429
    res = admin.post("/api/staff/li.butler/password", {"password": NEW_PASSWORD})
    assert res.status_code == 200 and res.json["must_change_password"] is True
    assert auth.login("li.butler", PASSWORD).status_code == 401
    signed_in = auth.login("li.butler", NEW_PASSWORD)
    assert signed_in.status_code == 200 and signed_in.json["must_change_password"] is True
    (event,) = events(ddb, settings, "staff.password_reset")
    assert event["actor"] == "staff:root" and event["target"] == "staff:li.butler"


def test_changing_the_reset_password_clears_must_change(admin: Caller, auth: AuthActions) -> None:
    admin.post("/api/staff", new_butler())
    person = auth.signed_in("li.butler", PASSWORD)
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert person.post("/api/auth/password", body).status_code == 204
    assert auth.login("li.butler", NEW_PASSWORD).json["must_change_password"] is False


def test_reset_applies_the_password_rules(admin: Caller) -> None:
    admin.post("/api/staff", new_butler())
    res = admin.post("/api/staff/li.butler/password", {"password": "88888888"})
    assert res.status_code == 400 and code(res) == "password_too_short"


def test_staff_endpoints_are_in_the_openapi_document(app: Any) -> None:
    doc = app.test_client().get("/api/openapi.json").json
    assert {"get", "post"} <= set(doc["paths"]["/api/staff"])
    assert "patch" in doc["paths"]["/api/staff/{username}"]
    assert "post" in doc["paths"]["/api/staff/{username}/password"]
    create = doc["components"]["schemas"]["StaffCreate"]
    assert {"username", "name", "roles", "password"} <= set(create["required"])
    assert "password_hash" not in doc["components"]["schemas"]["StaffOut"]["properties"]


def test_hashes_made_by_the_api_verify(ddb: Any, settings: Settings, admin: Caller) -> None:
    admin.post("/api/staff", new_butler())
    stored = StaffRepository(main_table(ddb, settings)).get("li.butler")
    assert stored is not None and passwords.verify(stored.password_hash, PASSWORD).ok


@pytest.mark.parametrize("value", [0, 1, "false", "true", None])
def test_disabled_must_be_a_json_boolean_not_a_number_or_a_string(
    admin: Caller, auth: AuthActions, value: Any
) -> None:
    auth.make_staff("li.butler", "butler", estates=("lanting",))
    res = admin.patch("/api/staff/li.butler", {"disabled": value})
    if value is None:  # null: leave it as it is
        assert res.status_code == 200 and res.json["disabled"] is False
    else:
        assert res.status_code == 400 and code(res) == "invalid_input"
        assert res.json["error"]["details"][0]["field"] == "disabled"


def test_the_last_enabled_admin_cannot_be_disabled_or_demoted_by_anyone(
    services: Services, auth: AuthActions
) -> None:
    auth.make_staff("admin.a", "admin")
    auth.make_staff("admin.b", "admin")
    staff = services.staff
    assert services.staff_repo.active_admins() == 2
    staff.update("staff:admin.a", "admin.b", StaffChanges(disabled=True))
    assert services.staff_repo.active_admins() == 1
    # admin.b's account, replayed from before it was disabled, tries to disable admin.a:
    # refused by the count in the store, not only by the self-lockout rule.
    before = services.staff_repo.get("admin.a")
    assert before is not None
    after = replace(before, disabled=True, version=before.version + 1)
    with pytest.raises(Conflict) as err:
        services.staff_repo.save(after, before.version, before=before)
    assert err.value.code == "last_admin" and services.staff_repo.active_admins() == 1
    stored = services.staff_repo.get("admin.a")
    assert stored is not None and not stored.disabled
    staff.update("staff:admin.a", "admin.b", StaffChanges(disabled=False))
    assert services.staff_repo.active_admins() == 2
    staff.update("staff:admin.a", "admin.b", StaffChanges(roles=("supervisor",), estates=("lanting",)))
    assert services.staff_repo.active_admins() == 1


def test_creating_an_admin_counts_it(services: Services, auth: AuthActions) -> None:
    auth.make_staff("admin.a", "admin")
    services.staff.create("staff:admin.a", NewStaff("admin.c", "陈管理", ("admin",), NEW_PASSWORD))
    assert services.staff_repo.active_admins() == 2
