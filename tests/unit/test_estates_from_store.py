"""The write side reads estates from the store: no ``site/content`` needed (moto)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from functions.app import create_app
from portal.accounts import passwords
from portal.errors import NotFound, Unavailable
from portal.estates.directory import CACHE_FOR, EstateDirectory
from portal.estates.model import Company
from portal.estates.sync import read_company, sync_company
from portal.settings import Settings
from portal.store.table import Table
from portal.wiring import Clients, Services
from tests.factories import FakeClock, make_staff

SMALL = Path(__file__).resolve().parents[1] / "integration" / "data"
"""A small company (2 estates, 29 units): syncing it is 37 items, not the demo's 1,300."""
ROSTER = "楼栋,单元/房号,姓名,手机,关系\n2栋,1-201,王芳,13800138000,业主\n".encode()


@pytest.fixture(scope="module")
def small_company() -> Company:
    return read_company(SMALL)


@pytest.fixture
def no_content(tmp_path: Path, settings: Settings) -> Settings:
    """Settings whose content folder does not exist, as in the Lambda package."""
    missing = tmp_path / "no-such-content"
    assert not missing.exists()
    return settings.with_(content_dir=missing)


def test_the_api_creates_staff_with_estates_and_imports_a_roster_with_no_content_folder(
    ddb: Any, no_content: Settings, clock: FakeClock, small_company: Company
) -> None:
    services = Services(no_content, Clients(no_content, dynamodb=ddb), clock)
    sync_company(services.table, small_company)  # what `portal estates sync` did at deploy time
    make_staff(ddb, no_content, "root", "admin", password_hash=passwords.hash_password("Lanting#2026"))
    client = create_app(no_content, services).test_client()
    client.environ_base["HTTP_ORIGIN"] = no_content.site_origin
    signed_in = client.post("/api/auth/login", json={"username": "root", "password": "Lanting#2026"})
    assert signed_in.status_code == 200, signed_in.json
    csrf = {"X-CSRF-Token": client.get("/api/me").json["csrf_token"]}

    created = client.post(
        "/api/staff",
        json={"username": "zhou.desk", "name": "周前台", "roles": ["front_desk"],
              "estates": ["alpha"], "buildings": {"alpha": ["2"]},
              "password": "Temp#Lanting1"},
        headers=csrf,
    )  # fmt: skip
    assert created.status_code == 201, created.json
    assert created.json["estates"] == ["alpha"] and created.json["buildings"] == {"alpha": ["2"]}

    imported = client.post(
        "/api/owners/import?estate=alpha",
        data={"file": (__import__("io").BytesIO(ROSTER), "roster.csv")},
        headers=csrf,
        content_type="multipart/form-data",
    )
    assert imported.status_code == 200, imported.json
    assert imported.json["outcome"] == "imported" and imported.json["counts"]["owners_created"] == 1
    assert imported.json["rows"][0]["unit_id"] == "alpha/2/1-201"

    unknown = client.post(
        "/api/staff",
        json={"username": "x.desk", "name": "某某", "roles": ["front_desk"],
              "estates": ["nowhere"], "password": "Temp#Lanting1"},
        headers=csrf,
    )  # fmt: skip
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_estate"


def test_before_any_sync_the_directory_says_the_company_is_unavailable(
    ddb: Any, settings: Settings, clock: FakeClock
) -> None:
    directory = EstateDirectory(Table(ddb, settings.table_name("main")), clock)
    with pytest.raises(Unavailable) as err:
        directory.company()
    assert err.value.code == "company_unavailable"


def test_the_directory_rebuilds_the_company_from_the_store(
    ddb: Any, settings: Settings, clock: FakeClock, small_company: Company
) -> None:
    table = Table(ddb, settings.table_name("main"))
    sync_company(table, small_company)
    company = EstateDirectory(table, clock).company()
    assert company.name == small_company.name and company.hotline == small_company.hotline
    for read, written in zip(
        sorted(company.estates, key=lambda e: e.slug),
        sorted(small_company.estates, key=lambda e: e.slug),
        strict=True,
    ):
        assert read.slug == written.slug and read.name == written.name
        assert read.time_zone == written.time_zone and read.fees == written.fees
        assert read.contacts == written.contacts and read.service_hours == written.service_hours
        assert {b.code: b for b in read.buildings} == {b.code: b for b in written.buildings}
        assert read.unit_count == written.unit_count
    with pytest.raises(NotFound):
        EstateDirectory(table, clock).estate("nowhere")


def test_the_directory_reads_the_store_once_per_minute_and_sees_a_sync_after_that(
    ddb: Any, settings: Settings, clock: FakeClock, small_company: Company
) -> None:
    table = Table(ddb, settings.table_name("main"))
    sync_company(table, small_company)
    calls: list[str] = []
    for op in ("Query", "GetItem"):
        ddb.meta.events.register(f"before-call.dynamodb.{op}", lambda **kw: calls.append("x"))
    directory = EstateDirectory(table, clock)
    first = directory.company()
    per_read = len(calls)
    assert per_read == 1 + 2 * len(first.estates)  # the company, then per estate profile + buildings
    for _ in range(10):
        directory.estate("alpha")
    assert len(calls) == per_read  # cached

    table.update({"pk": "COMPANY", "sk": "META"}, set={"hotline": "400-111-2222"})
    clock.now += CACHE_FOR - timedelta(seconds=1)
    assert directory.company().hotline == first.hotline
    clock.now += timedelta(seconds=1)
    assert directory.company().hotline == "400-111-2222"
    assert len(calls) == 2 * per_read


def test_portal_estates_sync_writes_the_company_and_a_second_run_writes_nothing(
    ddb: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.cli import main

    services = Services(settings, Clients(settings, dynamodb=ddb))
    content = SMALL
    first = CliRunner().invoke(main, ["estates", "sync", "--content", str(content)], obj=services)
    assert first.exit_code == 0, first.output
    assert "新建 " in first.output or "created" in first.output
    second = CliRunner().invoke(main, ["estates", "sync", "--content", str(content)], obj=services)
    assert second.exit_code == 0, second.output
    assert services.estates.estate("alpha").unit_count == 28
    bad = CliRunner().invoke(
        main, ["estates", "sync", "--content", str(content / "nowhere")], obj=services
    )
    assert bad.exit_code == 1 and "company.yaml" in bad.output
