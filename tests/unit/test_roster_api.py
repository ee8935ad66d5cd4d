"""``POST /api/owners/import``: permissions, the JSON report, masking and the audit event."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from functions.app import create_app
from portal.accounts.audit import AuditLog
from portal.accounts.owners import OwnerRepository
from portal.settings import Settings
from portal.store.table import Table
from tests.factories import make_owner, make_staff
from tests.unit.test_functions_session import FakeClock, sign_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roster"
ORIGIN = "http://localhost"


def signed_in_staff(
    app: Any,
    ddb: Any,
    settings: Settings,
    clock: FakeClock,
    username: str,
    *roles: str,
    estates: tuple[str, ...] = ("lanting",),
) -> tuple[FlaskClient, str]:
    make_staff(ddb, settings, username, *roles, estates=estates)
    client = app.test_client()
    sign_in(app, client, "staff", username, clock)
    return client, client.get("/api/me").json["csrf_token"]


def upload(
    client: FlaskClient, query: str, data: bytes, csrf: str = "", name: str = "roster.csv"
) -> Any:  # a TestResponse, whose .json is typed Optional
    headers = {"Origin": ORIGIN}
    if csrf:
        headers["X-CSRF-Token"] = csrf
    return client.post(
        f"/api/owners/import?{query}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def good_csv() -> bytes:
    return (FIXTURES / "good.csv").read_bytes()


def test_front_desk_of_lanting_imports_the_lanting_roster(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client, csrf = signed_in_staff(app, ddb, settings, clock, "wang.desk", "front_desk")
    res = upload(client, "estate=lanting", good_csv(), csrf)
    assert res.status_code == 200, res.json
    body = res.json
    assert body["outcome"] == "imported" and body["written"] is True
    assert body["counts"]["owners_created"] == 3 and body["counts"]["bindings_created"] == 4
    assert body["rows"][0]["unit_id"] == "lanting/2/2-1503"
    assert body["message"] and body["message_en"].isascii()
    repo = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key)
    assert repo.by_phone("13800138000") is not None


def test_report_phones_are_masked(app: Any, ddb: Any, settings: Settings, clock: FakeClock) -> None:
    client, csrf = signed_in_staff(app, ddb, settings, clock, "wang.desk", "front_desk")
    res = upload(client, "estate=lanting", (FIXTURES / "mixed.csv").read_bytes(), csrf)
    text = res.get_data(as_text=True)
    for phone in ("13800138000", "13900139000", "13500135000", "13700137000", "1380013800"):
        assert phone not in text
    assert [r["phone"] for r in res.json["rows"][:3]] == [
        "138****8000",
        "139****9000",
        "138****8000",
    ]


def test_a_file_with_errors_is_a_report_that_says_nothing_was_written(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client, csrf = signed_in_staff(app, ddb, settings, clock, "wang.desk", "front_desk")
    res = upload(client, "estate=lanting", (FIXTURES / "mixed.csv").read_bytes(), csrf)
    assert res.status_code == 200
    body = res.json
    assert body["outcome"] == "rejected" and body["written"] is False
    duplicate = next(r for r in body["rows"] if r["row"] == 9)
    assert duplicate["status"] == "error" and duplicate["errors"][0]["code"] == "duplicate"
    assert "第 2 行" in duplicate["errors"][0]["message"]
    assert "row 2" in duplicate["errors"][0]["message_en"]
    assert next(r for r in body["rows"] if r["row"] == 8)["status"] == "skipped"
    repo = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key)
    assert repo.by_phone("13800138000") is None


def test_allow_partial_and_dry_run_come_from_the_query(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client, csrf = signed_in_staff(app, ddb, settings, clock, "zhao.pm", "project_manager")
    mixed = (FIXTURES / "mixed.csv").read_bytes()
    dry = upload(client, "estate=lanting&allow_partial=true&dry_run=true", mixed, csrf).json
    assert dry["dry_run"] and dry["mode"] == "allow_partial" and not dry["written"]
    assert dry["outcome"] == "partially_imported" and dry["counts"]["owners_created"] == 3
    repo = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key)
    assert repo.by_phone("13800138000") is None
    real = upload(client, "estate=lanting&allow_partial=true", mixed, csrf).json
    assert real["written"] and real["counts"]["owners_created"] == 3
    assert repo.by_phone("13800138000") is not None
    again = upload(client, "estate=lanting&allow_partial=true", mixed, csrf).json
    assert again["already_imported"] and again["counts"]["owners_created"] == 0
    assert again["previous_import"]["by"] == "staff:zhao.pm"


def test_front_desk_of_lanting_gets_403_for_meixi(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client, csrf = signed_in_staff(app, ddb, settings, clock, "wang.desk", "front_desk")
    res = upload(client, "estate=meixi", good_csv(), csrf)
    assert res.status_code == 403 and res.json["error"]["code"] == "forbidden"


def test_roles_outside_the_policy_get_403(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client, csrf = signed_in_staff(app, ddb, settings, clock, "liu.clean", "cleaning")
    assert upload(client, "estate=lanting", good_csv(), csrf).status_code == 403


def test_an_owner_gets_403(app: Any, ddb: Any, settings: Settings, clock: FakeClock) -> None:
    owner = make_owner(ddb, settings, "13800138009", "业主甲", ("lanting", "2", "2-1503"))
    client = app.test_client()
    sign_in(app, client, "owner", owner.owner_id, clock)
    csrf = client.get("/api/me").json["csrf_token"]
    res = upload(client, "estate=lanting", good_csv(), csrf)
    assert res.status_code == 403


def test_anonymous_gets_401(app: Any) -> None:
    res = upload(app.test_client(), "estate=lanting", good_csv())
    assert res.status_code == 401 and res.json["error"]["code"] == "unauthenticated"


def test_admin_gets_404_for_an_estate_that_does_not_exist(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client, csrf = signed_in_staff(app, ddb, settings, clock, "root", "admin", estates=())
    res = upload(client, "estate=nowhere", good_csv(), csrf)
    assert res.status_code == 404 and res.json["error"]["code"] == "unknown_estate"


def test_without_a_file_or_with_a_non_roster_file_is_400_with_a_clear_code(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client, csrf = signed_in_staff(app, ddb, settings, clock, "wang.desk", "front_desk")
    res: Any = client.post(
        "/api/owners/import?estate=lanting",
        data={},
        content_type="multipart/form-data",
        headers={"Origin": ORIGIN, "X-CSRF-Token": csrf},
    )
    assert res.status_code == 400 and res.json["error"]["code"] == "roster_missing_file"
    res = upload(client, "estate=lanting", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, csrf, "a.xls")
    assert res.status_code == 400 and res.json["error"]["code"] == "roster_xls_unsupported"
    assert "xlsx" in res.json["error"]["message"]


def test_an_upload_over_1_mib_is_413(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client, csrf = signed_in_staff(app, ddb, settings, clock, "wang.desk", "front_desk")
    res = upload(client, "estate=lanting", b"x" * (1024 * 1024 + 1), csrf)
    assert res.status_code == 413


def test_the_import_without_the_csrf_token_is_refused(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client, _csrf = signed_in_staff(app, ddb, settings, clock, "wang.desk", "front_desk")
    res = upload(client, "estate=lanting", good_csv())
    assert res.status_code == 403 and res.json["error"]["code"] == "csrf_failed"


def test_the_import_writes_an_audit_event_with_the_staff_member_and_address(
    app: Any, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    client, csrf = signed_in_staff(app, ddb, settings, clock, "wang.desk", "front_desk")
    upload(client, "estate=lanting", good_csv(), csrf, name="兰亭苑名册.csv")
    log = AuditLog(Table(ddb, settings.table_name("main")), clock)
    events = [e for e in log.day(clock.now.date().isoformat()) if e["action"] == "owners.import"]
    assert len(events) == 1
    event = events[0]
    assert event["actor"] == "staff:wang.desk" and event["target"] == "lanting"
    assert event["source_ip"] == "127.0.0.1" and event["at"] == "2026-11-22T02:00:00Z"
    details = json.loads(event["details"])
    assert details["file_name"] == "兰亭苑名册.csv" and details["outcome"] == "imported"
    assert details["counts"]["bindings_created"] == 4


def test_an_xlsx_upload_imports(app: Any, ddb: Any, settings: Settings, clock: FakeClock) -> None:
    from tests.unit.test_roster import xlsx_roster

    client, csrf = signed_in_staff(app, ddb, settings, clock, "wang.desk", "front_desk")
    res = upload(client, "estate=lanting", xlsx_roster(), csrf, name="名册.xlsx")
    assert res.status_code == 200 and res.json["format"] == "xlsx"
    assert res.json["header_row"] == 3 and res.json["counts"]["owners_created"] == 3


def test_the_openapi_document_describes_the_upload_and_the_report(settings: Settings) -> None:
    doc: dict[str, Any] = create_app(settings).test_client().get("/api/openapi.json").get_json()
    operation = doc["paths"]["/api/owners/import"]["post"]
    assert operation["operationId"] == "owners_import_roster"
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {p["name"] for p in operation["parameters"]} >= {"estate", "allow_partial", "dry_run"}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    report = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"outcome", "written", "counts", "rows", "already_imported"} <= set(report["required"])
    for status in ("401", "403", "413"):
        assert status in operation["responses"]
