"""Owner roster import (portal.accounts.roster) on moto: reading, validating, writing, idempotency, audit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from portal.accounts.audit import AuditLog
from portal.accounts.owners import OwnerRepository, owner_id_for
from portal.accounts.roster.plan import plan_changes
from portal.accounts.roster.report import ImportReport
from portal.accounts.roster.validate import parse_date, parse_roster, resolve_building
from portal.errors import Conflict, InvalidInput
from portal.estates.model import Company, Estate
from portal.settings import Settings
from portal.store.table import Table
from tests.factories import FakeClock, main_table, make_owner, wired, xlsx_roster

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roster"
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
HEADER = "楼栋,单元/房号,姓名,手机,关系,入伙日期,入住状态\n"


IMPORT_TIME = FakeClock(NOW)
"""The time of every import in this module (it never moves)."""


@pytest.fixture
def lanting(demo_company: Company) -> Estate:
    estate = demo_company.estate("lanting")
    assert estate is not None
    return estate


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run(ddb: Any, settings: Settings, estate: Estate, data: bytes, **kwargs: Any) -> ImportReport:
    importer = wired(ddb, settings, IMPORT_TIME, with_estates=False).roster
    kwargs.setdefault("file_name", "roster.csv")
    return importer.run(
        data, estate=estate, actor="staff:wang.desk", source_ip="203.0.113.9", **kwargs
    )


def owner_items(ddb: Any, settings: Settings) -> list[dict[str, Any]]:
    """Every owner profile and binding (both sides) in the table, sorted: a full scan."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": settings.table_name("main")}
    while True:
        page = ddb.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    kept = [
        i
        for i in items
        if i["pk"]["S"].startswith("OWNER#") or i["sk"]["S"].startswith("RESIDENT#")
    ]
    return sorted(kept, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def kinds(items: list[dict[str, Any]]) -> dict[str, int]:
    out = {"owners": 0, "owner_units": 0, "residents": 0}
    for i in items:
        if i["sk"]["S"] == "META":
            out["owners"] += 1
        elif i["sk"]["S"].startswith("UNIT#"):
            out["owner_units"] += 1
        else:
            out["residents"] += 1
    return out


def audit_events(ddb: Any, settings: Settings) -> list[dict[str, str]]:
    log = AuditLog(Table(ddb, settings.table_name("main")), IMPORT_TIME)
    return [e for e in log.day(NOW.date().isoformat()) if e["action"] == "owners.import"]


def by_row(report: ImportReport) -> dict[int, Any]:
    return {r.row: r for r in report.rows}


def codes(report: ImportReport, row: int) -> list[str]:
    return [e.code for e in by_row(report)[row].errors]


# --------------------------------------------------------------------------- per-row report


def test_mixed_file_reports_every_row_and_writes_nothing_by_default(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    report = run(ddb, settings, lanting, fixture("mixed.csv"))
    rows = by_row(report)
    assert {n: r.status for n, r in rows.items()} == {
        2: "ok",
        3: "ok",
        4: "ok",
        5: "error",
        6: "error",
        7: "error",
        8: "skipped",
        9: "error",
        10: "ok",
        11: "error",
    }
    assert codes(report, 5) == ["invalid_phone"]
    assert codes(report, 6) == ["unknown_unit"]
    assert codes(report, 7) == ["unknown_building"]
    assert codes(report, 9) == ["duplicate"]
    assert codes(report, 11) == ["missing_phone"]
    # The duplicate names the earlier row, in both languages.
    duplicate = rows[9].errors[0]
    assert "第 2 行" in duplicate.message("zh-CN") and "row 2" in duplicate.message("en")
    assert rows[7].errors[0].message("zh-CN") == "本小区没有楼栋“9栋”"
    # Units as the estate knows them; phones masked.
    assert rows[2].unit_id == "lanting/2/2-1503" and rows[2].phone == "138****8000"
    assert rows[4].unit_id == "lanting/1/1-801" and rows[4].phone == "138****8000"
    assert rows[6].unit_id == "lanting/2/2-2701"
    assert rows[5].phone == "****3800" and rows[11].phone == ""
    # Nothing written, and the report says so.
    assert report.outcome == "rejected" and not report.written
    assert report.counts.errors == 5 and report.counts.ok == 4 and report.counts.skipped == 1
    assert report.counts.owners_created == report.counts.bindings_created == 0
    assert "未导入任何数据" in report.message("zh-CN")
    assert "nothing was imported" in report.message("en")
    assert owner_items(ddb, settings) == []


def test_allow_partial_writes_only_the_good_rows(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    report = run(ddb, settings, lanting, fixture("mixed.csv"), allow_partial=True)
    assert report.outcome == "partially_imported" and report.written
    c = report.counts
    assert (c.owners_created, c.owners_updated, c.bindings_created, c.unchanged) == (3, 0, 4, 0)
    assert [r.result for r in report.rows if r.status == "ok"] == ["created"] * 4
    assert kinds(owner_items(ddb, settings)) == {"owners": 3, "owner_units": 4, "residents": 4}

    repo = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key)
    wang = repo.by_phone("13800138000")
    assert wang is not None and wang.name == "王芳"
    assert sorted(u.unit_id for u in wang.units) == ["lanting/1/1-801", "lanting/2/2-1503"]
    first = next(b for b in wang.bindings if b.unit.room == "2-1503")
    assert (first.move_in_date, first.occupancy, first.unit.relationship) == (
        "2021-03-15",
        "moved_in",
        "owner",
    )
    li = repo.by_phone("13900139000")
    assert li is not None and li.bindings[0].unit.relationship == "family"
    han = repo.by_phone("13500135000")
    assert han is not None and han.bindings[0].occupancy == "not_decorated"
    assert han.bindings[0].unit.relationship == "tenant"
    for bad in ("13700137000", "13600136000"):  # valid phones on rows with errors
        assert repo.by_phone(bad) is None


def test_a_unit_lists_all_its_residents_after_import(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    run(ddb, settings, lanting, fixture("good.csv"))
    residents = ddb.query(
        TableName=settings.table_name("main"),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues={
            ":pk": {"S": "ESTATE#lanting"},
            ":sk": {"S": "RESIDENT#2#2-1503#"},
        },
    )["Items"]
    key = settings.phone_hash_key
    assert {i["owner_id"]["S"] for i in residents} == {
        owner_id_for("13800138000", key),
        owner_id_for("13900139000", key),
    }


# --------------------------------------------------------------------------- idempotency


def test_importing_the_same_file_twice_creates_nothing_new(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    first = run(ddb, settings, lanting, fixture("good.csv"))
    assert first.outcome == "imported" and not first.already_imported
    c = first.counts
    assert (c.owners_created, c.owners_updated, c.bindings_created, c.unchanged) == (3, 0, 4, 0)
    before = owner_items(ddb, settings)
    assert kinds(before) == {"owners": 3, "owner_units": 4, "residents": 4}

    second = run(ddb, settings, lanting, fixture("good.csv"))
    c = second.counts
    assert (c.owners_created, c.owners_updated, c.bindings_created, c.bindings_updated) == (
        0,
        0,
        0,
        0,
    )
    assert c.unchanged == 4
    assert [r.result for r in second.rows] == ["unchanged"] * 4
    assert owner_items(ddb, settings) == before
    # The same bytes are recognised, and the report says so.
    assert second.already_imported and second.previous_import is not None
    assert second.previous_import.by == "staff:wang.desk"
    assert "已于 2026-11-22 10:00 导入过" in second.message("zh-CN")  # Asia/Shanghai
    assert "already imported" in second.message("en")


def test_the_same_rows_in_a_different_file_are_not_duplicated_either(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    run(ddb, settings, lanting, fixture("good.csv"))
    before = owner_items(ddb, settings)
    reordered = HEADER + "3栋,2单元2606,韩梅梅,135-0013-5000,租户,2022-01-01,未装修\n"
    report = run(ddb, settings, lanting, reordered.encode())
    assert not report.already_imported  # other bytes
    assert report.counts.unchanged == 1 and report.counts.bindings_created == 0
    assert owner_items(ddb, settings) == before


def test_an_existing_owner_gets_new_units_merged_and_keeps_their_name(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    make_owner(ddb, settings, "13800138000", "王芳（原）", ("lanting", "3", "1-101"))
    data = HEADER + "2,2-1503,王芳,13800138000,业主,,\n3,1-101,王芳,13800138000,业主,,\n"
    report = run(ddb, settings, lanting, data.encode())
    c = report.counts
    assert (c.owners_created, c.owners_updated, c.bindings_created, c.unchanged) == (0, 1, 1, 1)
    owner = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key).by_phone(
        "13800138000"
    )
    assert owner is not None and owner.name == "王芳（原）"
    assert sorted(u.unit_id for u in owner.units) == ["lanting/2/2-1503", "lanting/3/1-101"]


def test_an_existing_owner_without_a_name_gets_the_rosters_name(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    make_owner(ddb, settings, "13800138000", "", ("lanting", "3", "1-101"))
    report = run(ddb, settings, lanting, (HEADER + "3,1-101,王芳,13800138000,,,\n").encode())
    assert report.counts.owners_updated == 1 and report.counts.unchanged == 1
    owner = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key).by_phone(
        "13800138000"
    )
    assert owner is not None and owner.name == "王芳"


def test_blank_cells_never_erase_what_is_on_file_and_filled_ones_update_it(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    run(ddb, settings, lanting, (HEADER + "2,2-1503,李雷,13900139000,租户,2021-03-15,\n").encode())
    blank = run(ddb, settings, lanting, (HEADER + "2,2-1503,李雷,13900139000,,,\n").encode())
    assert blank.counts.unchanged == 1
    filled = (HEADER + "2,2-1503,李雷,13900139000,,,已入住\n").encode()
    report = run(ddb, settings, lanting, filled)
    assert report.counts.bindings_updated == 1 and report.counts.owners_updated == 1
    assert report.rows[0].result == "updated"
    owner = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key).by_phone(
        "13900139000"
    )
    assert owner is not None
    b = owner.bindings[0]
    assert (b.unit.relationship, b.move_in_date, b.occupancy) == (
        "tenant",
        "2021-03-15",
        "moved_in",
    )


def test_dry_run_reports_what_would_happen_and_writes_nothing(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    report = run(ddb, settings, lanting, fixture("good.csv"), dry_run=True)
    assert report.dry_run and not report.written and report.outcome == "imported"
    assert report.counts.owners_created == 3 and report.counts.bindings_created == 4
    assert "试导入（未写入）" in report.message("zh-CN")
    assert owner_items(ddb, settings) == []
    # A dry run is not an import: the real one afterwards is not "already imported".
    assert not run(ddb, settings, lanting, fixture("good.csv")).already_imported


class SpyClient:
    """The moto client, recording the size of every transaction."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.transactions: list[int] = []

    def transact_write_items(self, **kwargs: Any) -> Any:
        self.transactions.append(len(kwargs["TransactItems"]))
        return self.client.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def test_writes_are_split_into_transactions_of_at_most_max_items_keeping_an_owner_together(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    """The splitting rule, with small transactions (the real 100-item limit is tested on
    DynamoDB Local: tests/integration/test_roster_local.py)."""
    # One owner with 4 units (1 + 8 items) and 3 owners with one unit each (3 items).
    lines = [f"1,1-{floor}01,陈总,13800138000,业主,," for floor in range(1, 5)]
    lines += [f"3,2-1{i + 1:02d},住户{i},1390000{i:04d},业主,," for i in range(3)]
    parsed = parse_roster((HEADER + "\n".join(lines) + "\n").encode(), lanting)
    repo = OwnerRepository(main_table(ddb, settings), settings.phone_hash_key)
    plan = plan_changes(parsed.rows, repo, settings.phone_hash_key)
    spy = SpyClient(ddb)
    spied = OwnerRepository(Table(spy, settings.table_name("main")), settings.phone_hash_key)
    assert spied.apply(plan.changes, max_items=5) == len(spy.transactions)
    assert max(spy.transactions) <= 5 and sum(spy.transactions) == 4 + 2 * 7
    assert spy.transactions[0] == 5  # the big owner's profile first, then as many bindings as fit
    assert kinds(owner_items(ddb, settings)) == {"owners": 4, "owner_units": 7, "residents": 7}
    with pytest.raises(ValueError):
        spied.apply(plan.changes, max_items=101)


# --------------------------------------------------------------------------- formats


def test_gbk_encoded_csv_from_excel_on_chinese_windows_imports(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    data = fixture("good.csv").decode("utf-8").replace("\n", "\r\n").encode("gbk")
    report = run(ddb, settings, lanting, data)
    assert report.encoding == "gb18030" and report.outcome == "imported"
    assert [r.name for r in report.rows] == ["王芳", "李雷", "王芳", "韩梅梅"]
    assert report.counts.owners_created == 3


def test_utf8_csv_with_a_bom_imports(ddb: Any, settings: Settings, lanting: Estate) -> None:
    report = run(ddb, settings, lanting, b"\xef\xbb\xbf" + fixture("good.csv"))
    assert report.encoding == "utf-8-sig" and report.outcome == "imported"
    assert report.header_row == 1 and report.counts.ok == 4


def test_tab_separated_utf16_text_from_excel_imports(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    text = fixture("good.csv").decode("utf-8").replace(",", "\t")
    report = run(ddb, settings, lanting, text.encode("utf-16"))
    assert report.encoding == "utf-16" and report.counts.ok == 4


def test_two_column_unit_and_room_variant_imports(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    report = run(ddb, settings, lanting, fixture("two_columns.csv"))
    assert report.outcome == "imported"
    assert [(r.row, r.status, r.unit_id) for r in report.rows] == [
        (2, "ok", "lanting/2/2-1503"),
        (3, "ok", "lanting/2/3-2604"),
        (4, "skipped", ""),  # only the 序号 column is filled in
        (5, "ok", "lanting/3/1-101"),
    ]
    assert report.rows[1].relationship == "tenant" and report.rows[3].relationship == ""


def test_xlsx_with_a_title_row_merged_cells_and_excel_dates_imports(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    report = run(ddb, settings, lanting, xlsx_roster(), file_name="名册.xlsx")
    assert report.format == "xlsx" and report.header_row == 3
    assert [(r.row, r.status, r.unit_id) for r in report.rows] == [
        (4, "ok", "lanting/2/2-1503"),
        (5, "ok", "lanting/2/2-1504"),
        (6, "ok", "lanting/3/1-101"),
    ]
    repo = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key)
    dates = {}
    for phone in ("13800138000", "13900139000", "13500135000"):
        owner = repo.by_phone(phone)
        assert owner is not None
        dates[phone] = owner.bindings[0].move_in_date
    assert dates == {
        "13800138000": "2021-03-15",
        "13900139000": "2022-07-01",
        "13500135000": "2021-03-15",  # a bare serial number (44270) in the date column
    }


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "roster_empty"),
        ("姓名,电话\n王芳,13800138000\n".encode(), "roster_no_header"),
        (HEADER.encode(), "roster_no_rows"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "roster_xls_unsupported"),
        (b"PK\x03\x04not really a zip", "roster_unreadable"),
        (b"\x00\x01\x02\x03binary", "roster_unreadable"),
    ],
)
def test_files_that_are_not_a_roster_are_refused_with_a_clear_code(
    lanting: Estate, data: bytes, code: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_roster(data, lanting)
    assert caught.value.code == code


def test_a_roster_over_the_row_limit_is_refused(lanting: Estate) -> None:
    rows = "".join(f"2,2-15{i % 4 + 1:02d},业主{i},1390000{i:04d},,,\n" for i in range(30))
    with pytest.raises(InvalidInput) as caught:
        parse_roster((HEADER + rows).encode(), lanting, max_rows=20)
    assert caught.value.code == "roster_too_many_rows" and caught.value.params == {"max": 20}


def test_header_is_found_below_title_rows_and_with_notes_in_the_column_names(
    lanting: Estate,
) -> None:
    data = "兰亭苑业主名册\n制表：客服中心\n\n楼栋*,房号（单元-房号）,姓名,联系电话\n2,2-1503,王芳,13800138000\n"
    parsed = parse_roster(data.encode(), lanting)
    assert parsed.header.row == 4 and parsed.reports[0].row == 5
    assert parsed.reports[0].status == "ok"


@pytest.mark.parametrize(
    ("unit", "relationship", "move_in", "occupancy", "expected"),
    [
        ("2-1503", "业主", "", "", []),
        ("2单元1503室", "家庭成员", "2021年3月15日", "已装修未入住", []),
        ("2栋2单元1503", "tenant", "20210315", "moved_in", []),
        ("1503", "", "", "", ["missing_unit"]),
        ("2-15O3", "", "", "", ["bad_room"]),
        ("1栋2单元1503", "", "", "", ["building_mismatch"]),
        (
            "2-1503",
            "朋友",
            "2021-02-30",
            "装修中",
            ["bad_relationship", "bad_date", "bad_occupancy"],
        ),
    ],
)
def test_cell_variants_and_their_errors(
    lanting: Estate,
    unit: str,
    relationship: str,
    move_in: str,
    occupancy: str,
    expected: list[str],
) -> None:
    line = f"2栋,{unit},王芳,13800138000,{relationship},{move_in},{occupancy}\n"
    report = parse_roster((HEADER + line).encode(), lanting).reports[0]
    assert [e.code for e in report.errors] == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("2", "2"),
        ("2栋", "2"),
        ("2号楼", "2"),
        ("二栋", "2"),
        ("第3栋", "3"),
        ("Building 1", "1"),
        ("０２", "2"),
        ("4栋", None),
        ("A栋", None),
    ],
)
def test_building_names_resolve_to_the_estates_codes(
    lanting: Estate, raw: str, code: str | None
) -> None:
    assert resolve_building(raw, lanting) == code


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2021-03-15", "2021-03-15"),
        ("2021/3/15", "2021-03-15"),
        ("2021年3月15日", "2021-03-15"),
        ("2021.03.15", "2021-03-15"),
        ("2021-03-15 00:00:00", "2021-03-15"),
        (44270, "2021-03-15"),
        (datetime(2021, 3, 15), "2021-03-15"),
        ("2021-13-01", None),
        ("下个月", None),
    ],
)
def test_move_in_dates_in_the_forms_staff_type_them(raw: Any, iso: str | None) -> None:
    assert parse_date(raw) == iso


# --------------------------------------------------------------------------- audit


def test_every_import_is_one_audit_event_with_who_what_when_where_and_no_phone(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    run(ddb, settings, lanting, fixture("mixed.csv"), file_name="兰亭苑名册.csv")
    run(ddb, settings, lanting, fixture("good.csv"), allow_partial=True)
    events = audit_events(ddb, settings)
    assert len(events) == 2
    rejected, imported = sorted(events, key=lambda e: json.loads(e["details"])["outcome"])[::-1]
    assert rejected["actor"] == "staff:wang.desk" and rejected["target"] == "lanting"
    assert rejected["source_ip"] == "203.0.113.9" and rejected["at"] == "2026-11-22T02:00:00Z"
    details = json.loads(rejected["details"])
    assert details["file_name"] == "兰亭苑名册.csv" and details["outcome"] == "rejected"
    assert details["mode"] == "all_or_nothing" and len(details["sha256"]) == 64
    assert details["counts"]["errors"] == 5 and details["written"] is False
    assert json.loads(imported["details"])["mode"] == "allow_partial"
    assert json.loads(imported["details"])["counts"]["owners_created"] == 3
    assert "13800138000" not in json.dumps(events)


def test_values_echoed_in_error_messages_never_show_a_phone_number(lanting: Estate) -> None:
    line = "13800138000,2-1503,王芳,13800138000,,,\n"  # the phone pasted into 楼栋 too
    report = parse_roster((HEADER + line).encode(), lanting).reports[0]
    assert [e.code for e in report.errors] == ["unknown_building"]
    assert "138****8000" in report.errors[0].message("zh-CN")
    assert "13800138000" not in report.errors[0].message("en")


class RaceClient(SpyClient):
    """Someone else creates the owner between the import's read and its write."""

    def __init__(self, client: Any, settings: Settings) -> None:
        super().__init__(client)
        self.settings = settings

    def transact_write_items(self, **kwargs: Any) -> Any:
        if not self.transactions:
            make_owner(
                self.client, self.settings, "13800138000", "别人先建的", ("lanting", "3", "1-101")
            )
        return super().transact_write_items(**kwargs)


def test_an_owner_created_meanwhile_is_a_conflict_and_the_failed_import_is_audited(
    ddb: Any, settings: Settings, lanting: Estate
) -> None:
    data = (HEADER + "2,2-1503,王芳,13800138000,,,\n").encode()
    with pytest.raises(Conflict) as caught:
        run(RaceClient(ddb, settings), settings, lanting, data)
    assert caught.value.code == "owner_changed"
    owner = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key).by_phone(
        "13800138000"
    )
    assert owner is not None and owner.name == "别人先建的"  # not overwritten
    assert [u.unit_id for u in owner.units] == ["lanting/3/1-101"]
    [event] = audit_events(ddb, settings)
    assert json.loads(event["details"])["outcome"] == "failed"
    # Importing again (as the message asks) merges the unit into the existing owner.
    report = run(ddb, settings, lanting, data)
    # Counted from the file's own units (none was theirs before): "created", whatever else is
    # on file, so that a report never tells who is an owner elsewhere.
    assert report.counts.owners_created == 1 and report.counts.bindings_created == 1
    merged = OwnerRepository(Table(ddb, settings.table_name("main")), settings.phone_hash_key)
    again = merged.by_phone("13800138000")
    assert again is not None and again.name == "别人先建的"
    assert sorted(u.unit_id for u in again.units) == ["lanting/2/2-1503", "lanting/3/1-101"]
