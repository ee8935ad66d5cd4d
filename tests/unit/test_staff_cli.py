"""``portal staff create-admin`` and ``portal staff list`` against moto."""

from __future__ import annotations

from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from portal.accounts import passwords
from portal.accounts.audit import AuditLog, cli_actor
from portal.accounts.staff.repository import StaffRepository
from portal.cli.staff import register
from portal.settings import Settings
from portal.store.table import Table
from tests.factories import main_table, make_staff

PASSWORD = "lanting-garden-7"


@pytest.fixture
def cli(ddb: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> click.Group:
    monkeypatch.setenv("PORTAL_STAGE", "test")
    monkeypatch.setenv("PORTAL_TABLE_PREFIX", settings.table_prefix)
    monkeypatch.setenv("AWS_REGION", settings.aws_region)
    monkeypatch.delenv("PORTAL_DYNAMODB_ENDPOINT", raising=False)

    @click.group()
    def main() -> None:
        """Stand-in for ``portal.cli.main``."""

    register(main)
    return main


def run(cli: click.Group, *args: str, input: str = "") -> Result:
    return CliRunner().invoke(cli, ["staff", *args], input=input)


def test_create_admin_prompts_twice_and_the_admin_can_sign_in(
    cli: click.Group, ddb: Any, settings: Settings
) -> None:
    result = run(
        cli,
        "create-admin",
        "--username",
        "Zhou.Admin",
        "--name",
        "周经理",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "zhou.admin" in result.output and PASSWORD not in result.output
    account = StaffRepository(Table(ddb, settings.table_name("main"))).get("zhou.admin")
    assert account is not None and account.roles == {"admin"} and account.estates == frozenset()
    assert not account.must_change_password  # they chose it themselves
    assert passwords.verify(account.password_hash, PASSWORD).ok
    actions = [
        (e["actor"], e["action"])
        for e in AuditLog(Table(ddb, settings.table_name("main"))).day(account.created_at[:10])
    ]
    assert (cli_actor(), "staff.created") in actions


def test_create_admin_asks_again_when_the_passwords_differ_or_are_weak(
    cli: click.Group, ddb: Any, settings: Settings
) -> None:
    typed = f"{PASSWORD}\nsomething-else\n12345678abc\n12345678abc\n{PASSWORD}\n{PASSWORD}\n"
    result = run(cli, "create-admin", "--username", "root", "--name", "Root", input=typed)
    assert result.exit_code == 0, result.output
    assert "两次输入的密码不一致" in result.output and "too common" in result.output
    account = StaffRepository(main_table(ddb, settings)).get("root")
    assert account is not None and account.roles == {"admin"}
    assert passwords.verify(account.password_hash, PASSWORD).ok


def test_create_admin_gives_up_after_three_bad_passwords(
    cli: click.Group, ddb: Any, settings: Settings
) -> None:
    result = run(
        cli, "create-admin", "--username", "root", "--name", "Root", input="short\nshort\n" * 3
    )
    assert result.exit_code == 1
    assert StaffRepository(Table(ddb, settings.table_name("main"))).get("root") is None


def test_create_admin_refuses_a_taken_username_before_asking_for_a_password(
    cli: click.Group, ddb: Any, settings: Settings
) -> None:
    make_staff(ddb, settings, "root", "admin")
    result = run(cli, "create-admin", "--username", "root", "--name", "Root", input="")
    assert result.exit_code == 1
    assert "已被使用" in result.output and "already taken" in result.output


def test_create_admin_refuses_a_bad_username(cli: click.Group) -> None:
    result = run(cli, "create-admin", "--username", "x", "--name", "Root", input="")
    assert result.exit_code == 1 and "lower-case" in result.output


def test_create_admin_explains_a_missing_table(
    cli: click.Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_TABLE_PREFIX", "portal-nowhere-")
    result = run(cli, "create-admin", "--username", "root", "--name", "Root", input="")
    assert result.exit_code == 1 and "portal-nowhere-main" in result.output


def test_list_shows_accounts_with_masked_phones(
    cli: click.Group, ddb: Any, settings: Settings
) -> None:
    assert "create-admin" in run(cli, "list").output  # none yet: says how to start
    make_staff(
        ddb,
        settings,
        "li.butler",
        "butler",
        estates=("lanting",),
        buildings={"lanting": frozenset({"1", "2"})},
        phone="13800138000",
    )
    make_staff(ddb, settings, "gone", "cleaning", estates=("meixi",), disabled=True)
    result = run(cli, "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("li.butler | ") and "lanting[1/2]" in line for line in lines)
    assert "138****8000" in result.output and "13800138000" not in result.output
    assert any(line.startswith("gone | ") and "已停用" in line for line in lines)
