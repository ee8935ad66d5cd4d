"""``POST /api/owners/import``: permissions, the JSON report, masking and the audit event."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from functions.app import create_app
from portal.accounts.audit import AuditLog
from portal.accounts.owners import OwnerRepository
from portal.settings import Settings
from portal.wiring import Services
from tests.factories import FakeClock, main_table, xlsx_roster
from tests.support.auth import AuthActions, Caller

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roster"


def upload(caller: Caller, query: str, data: bytes, csrf: bool = True,
           name: str = "roster.csv") -> Any:  # fmt: skip
    """Post ``data`` as the roster file (a TestResponse, whose .json is typed Optional)."""
    headers = dict(caller.headers)
    if not csrf:
        headers.pop("X-CSRF-Token", None)
    return caller.client.post(
        f"/api/owners/import?{query}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def owner_units(ddb: Any, settings: Settings, phone: str) -> tuple[str, list[str]] | None:
    """The name and unit ids of the owner with ``phone``, or ``None`` if there is none."""
    owner = OwnerRepository(main_table(ddb, settings), settings.phone_hash_key).by_phone(phone)
    return None if owner is None else (owner.name, sorted(u.unit_id for u in owner.units))


def good_csv() -> bytes:
    return (FIXTURES / "good.csv").read_bytes()


def test_front_desk_of_lanting_imports_the_lanting_roster(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    res = upload(caller, "estate=lanting", good_csv())
    assert res.status_code == 200, res.json
    body = res.json
    assert body["outcome"] == "imported" and body["written"] is True
    assert body["counts"]["owners_created"] == 3 and body["counts"]["bindings_created"] == 4
    assert body["rows"][0]["unit_id"] == "lanting/2/2-1503"
    assert body["message"] and body["message_en"].isascii()
    assert owner_units(ddb, settings, "13800138000") == (
        "王芳",
        ["lanting/1/1-801", "lanting/2/2-1503"],
    )
    assert owner_units(ddb, settings, "13500135000") == ("韩梅梅", ["lanting/3/2-2606"])


def test_report_phones_are_masked(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    res = upload(caller, "estate=lanting", (FIXTURES / "mixed.csv").read_bytes())
    text = res.get_data(as_text=True)
    for phone in ("13800138000", "13900139000", "13500135000", "13700137000", "1380013800"):
        assert phone not in text
    assert [r["phone"] for r in res.json["rows"][:3]] == [
        "138****8000",
        "139****9000",
        "138****8000",
    ]


def test_a_file_with_errors_is_a_report_that_says_nothing_was_written(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    res = upload(caller, "estate=lanting", (FIXTURES / "mixed.csv").read_bytes())
    assert res.status_code == 200
    body = res.json
    assert body["outcome"] == "rejected" and body["written"] is False
    duplicate = next(r for r in body["rows"] if r["row"] == 9)
    assert duplicate["status"] == "error" and duplicate["errors"][0]["code"] == "duplicate"
    assert "第 2 行" in duplicate["errors"][0]["message"]
    assert "row 2" in duplicate["errors"][0]["message_en"]
    assert next(r for r in body["rows"] if r["row"] == 8)["status"] == "skipped"
    assert owner_units(ddb, settings, "13800138000") is None


def test_allow_partial_and_dry_run_come_from_the_query(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("zhao.pm", "project_manager", estates=("lanting",))
    mixed = (FIXTURES / "mixed.csv").read_bytes()
    dry = upload(caller, "estate=lanting&allow_partial=true&dry_run=true", mixed).json
    assert dry["dry_run"] is True and dry["mode"] == "allow_partial" and dry["written"] is False
    assert dry["outcome"] == "partially_imported" and dry["counts"]["owners_created"] == 3
    assert owner_units(ddb, settings, "13800138000") is None
    real = upload(caller, "estate=lanting&allow_partial=true", mixed).json
    assert real["written"] is True and real["counts"]["owners_created"] == 3
    assert owner_units(ddb, settings, "13800138000") == (
        "王芳",
        ["lanting/1/1-801", "lanting/2/2-1503"],
    )
    again = upload(caller, "estate=lanting&allow_partial=true", mixed).json
    assert again["already_imported"] is True and again["counts"]["owners_created"] == 0
    assert again["previous_import"]["by"] == "staff:zhao.pm"


def test_front_desk_of_lanting_gets_403_for_meixi(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    res = upload(caller, "estate=meixi", good_csv())
    assert res.status_code == 403 and res.json["error"]["code"] == "forbidden"


def test_staff_whose_role_may_not_import_rosters_get_403(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("liu.clean", "cleaning", estates=("lanting",))
    res = upload(caller, "estate=lanting", good_csv())
    assert res.status_code == 403 and res.json["error"]["code"] == "forbidden"


def test_an_owner_cannot_import_a_roster(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    owner = auth.owner("13800138009", "业主甲", ("lanting", "2", "2-1503"))
    res = upload(owner, "estate=lanting", good_csv())
    assert res.status_code == 403 and res.json["error"]["code"] == "forbidden"


def test_importing_a_roster_needs_a_signed_in_caller(auth: AuthActions) -> None:
    res = upload(auth.anonymous(), "estate=lanting", good_csv())
    assert res.status_code == 401 and res.json["error"]["code"] == "unauthenticated"


def test_admin_gets_404_for_an_estate_that_does_not_exist(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("root", "admin", estates=())
    res = upload(caller, "estate=nowhere", good_csv())
    assert res.status_code == 404 and res.json["error"]["code"] == "unknown_estate"


def test_without_a_file_or_with_a_non_roster_file_is_400_with_a_clear_code(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    res: Any = caller.client.post(
        "/api/owners/import?estate=lanting",
        data={},
        content_type="multipart/form-data",
        headers=caller.headers,
    )
    assert res.status_code == 400 and res.json["error"]["code"] == "roster_missing_file"
    as_text: Any = caller.client.post(  # `file` as a text field, not a file: not a 500
        "/api/owners/import?estate=lanting",
        data={"file": "楼栋,单元/房号,姓名,手机"},
        content_type="multipart/form-data",
        headers=caller.headers,
    )
    assert as_text.status_code == 400 and as_text.json["error"]["code"] == "roster_missing_file"
    res = upload(caller, "estate=lanting", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "a.xls")
    assert res.status_code == 400 and res.json["error"]["code"] == "roster_xls_unsupported"
    assert "xlsx" in res.json["error"]["message"]


def test_an_upload_over_1_mib_is_413(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    res = upload(caller, "estate=lanting", b"x" * (1024 * 1024 + 1))
    assert res.status_code == 413 and res.json["error"]["code"] == "payload_too_large"


def test_the_import_without_the_csrf_token_is_refused(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    res = upload(caller, "estate=lanting", good_csv(), csrf=False)
    assert res.status_code == 403 and res.json["error"]["code"] == "csrf_failed"


def test_the_import_writes_an_audit_event_with_the_staff_member_and_address(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    upload(caller, "estate=lanting", good_csv(), name="兰亭苑名册.csv")
    log = AuditLog(main_table(ddb, settings), clock)
    events = [e for e in log.day(clock.now.date().isoformat()) if e["action"] == "owners.import"]
    assert len(events) == 1
    event = events[0]
    assert event["actor"] == "staff:wang.desk" and event["target"] == "lanting"
    assert event["source_ip"] == "127.0.0.1" and event["at"] == "2026-11-22T02:00:00Z"
    details = json.loads(event["details"])
    assert details["file_name"] == "兰亭苑名册.csv" and details["outcome"] == "imported"
    assert details["counts"]["bindings_created"] == 4


def test_an_xlsx_upload_imports_like_a_csv(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    res = upload(caller, "estate=lanting", xlsx_roster(), name="名册.xlsx")
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


def test_a_front_desk_limited_to_building_1_cannot_import_owners_into_building_3(
    auth: AuthActions, services: Services
) -> None:
    caller = auth.staff(
        "zhao.desk", "front_desk", estates=("lanting",), buildings={"lanting": frozenset({"1"})}
    )
    roster = (
        "楼栋,单元/房号,姓名,手机,关系\n"
        "1栋,1-101,赵一,13800138001,业主\n"
        "3栋,1-101,钱三,13800138003,业主\n"
    ).encode()
    res = upload(caller, "estate=lanting", roster)
    assert res.status_code == 200 and res.json["outcome"] == "rejected"
    good, outside = res.json["rows"]
    assert good["status"] == "ok" and outside["status"] == "error"
    (error,) = outside["errors"]
    assert error["code"] == "building_outside_scope"
    assert "3" in error["message"] and "1" in error["message"] and error["message_en"]
    assert services.owners.by_phone("13800138003") is None  # nothing written
    assert services.owners.by_phone("13800138001") is None  # all or nothing

    partial = upload(caller, "estate=lanting&allow_partial=true", roster)
    assert partial.json["outcome"] == "partially_imported"
    owner = services.owners.by_phone("13800138001")
    assert owner is not None and [u.building for u in owner.units] == ["1"]
    assert services.owners.by_phone("13800138003") is None


def test_staff_with_the_whole_estate_import_into_any_building(
    auth: AuthActions, services: Services
) -> None:
    caller = auth.staff("sun.desk", "front_desk", estates=("lanting",))
    res = upload(caller, "estate=lanting", "楼栋,单元/房号,姓名,手机\n3栋,1-101,孙三,13800138003\n".encode())
    assert res.status_code == 200 and res.json["outcome"] == "imported"
    owner = services.owners.by_phone("13800138003")
    assert owner is not None and owner.name == "孙三"


def test_a_dry_run_in_one_estate_does_not_tell_whether_a_number_is_an_owner_in_another(
    auth: AuthActions, services: Services
) -> None:
    """Staff of meixi must not learn that 13800138001 lives in lanting."""
    make_owner_in_lanting = auth.staff("root.admin", "admin")
    lanting = "楼栋,单元/房号,姓名,手机\n1栋,1-101,赵一,13800138001\n".encode()
    assert upload(make_owner_in_lanting, "estate=lanting", lanting).json["outcome"] == "imported"

    desk = auth.staff("meixi.desk", "front_desk", estates=("meixi",))
    known = upload(desk, "estate=meixi&dry_run=true", "楼栋,单元/房号,姓名,手机\n1栋,1-101,赵一,13800138001\n".encode())
    unknown = upload(desk, "estate=meixi&dry_run=true", "楼栋,单元/房号,姓名,手机\n1栋,1-101,钱二,13900139002\n".encode())
    assert known.status_code == unknown.status_code == 200
    for field in ("owners_created", "owners_updated", "bindings_created", "bindings_updated", "unchanged"):
        assert known.json["counts"][field] == unknown.json["counts"][field], field
    assert [r["result"] for r in known.json["rows"]] == [r["result"] for r in unknown.json["rows"]]
    assert known.json["message"].replace("13800138001", "") == unknown.json["message"].replace("13900139002", "")

    # The real import still keeps one profile per number.
    assert upload(desk, "estate=meixi", "楼栋,单元/房号,姓名,手机\n1栋,1-101,赵一,13800138001\n".encode()).json["written"]
    owner = services.owners.by_phone("13800138001")
    assert owner is not None and sorted(u.estate for u in owner.units) == ["lanting", "meixi"]


def test_each_row_problem_names_the_column_to_fix_and_a_duplicate_the_whole_row(
    auth: AuthActions, ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    caller = auth.staff("wang.desk", "front_desk", estates=("lanting",))
    roster = ("楼栋,单元/房号,姓名,手机,关系,入伙日期,入住状态\n"
              "2栋,2-1503,王芳,13800138000,业主,2021-03-15,已入住\n"
              "9栋,1-101,张伟,1380013800,邻居,2021-13-40,住着\n"
              "2栋,2-1503,王芳,13800138000,业主,2021-03-15,已入住\n")  # fmt: skip
    res = upload(caller, "estate=lanting&dry_run=true", roster.encode())
    assert res.status_code == 200, res.json
    columns = {r["row"]: [(e["code"], e["column"]) for e in r["errors"]] for r in res.json["rows"]}
    assert columns == {
        2: [],
        3: [("invalid_phone", "phone"), ("unknown_building", "building"),
            ("bad_relationship", "relationship"), ("bad_date", "move_in_date"),
            ("bad_occupancy", "occupancy")],
        4: [("duplicate", "")],
    }  # fmt: skip
