"""``portal staff``: bootstrap the first admin of a fresh deployment, list staff accounts.

Registered on the main command group by :func:`register`. The commands talk to
DynamoDB directly (the settings come from the environment, as everywhere), so
they work before anyone can sign in. Passwords are only ever prompted for,
hidden and twice, never taken from the command line (which shell history and
``ps`` would keep).
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from portal.errors import DomainError, describe
from portal.i18n import translate
from portal.store.errors import StoreError

PASSWORD_ATTEMPTS = 3


def register(main: click.Group) -> None:
    """Add the ``staff`` group to the ``portal`` command line."""
    main.add_command(staff)


def _both(key: str, **params: Any) -> str:
    zh = translate(f"staff.cli.{key}", "zh-CN", **params)
    en = translate(f"staff.cli.{key}", "en", **params)
    return f"{zh} / {en}"


def _fail(exc: DomainError) -> NoReturn:
    zh = translate("staff.cli.failed", "zh-CN", message=describe(exc, "zh-CN"))
    en = translate("staff.cli.failed", "en", message=describe(exc, "en"))
    click.echo(f"{zh} / {en}", err=True)
    sys.exit(1)


def _store_failed(table: str, exc: Exception) -> NoReturn:
    click.echo(_both("store_failed", table=table, problem=str(exc)), err=True)
    sys.exit(1)


def _ask_password(username: str) -> str:
    """Prompt (hidden, twice) until the password meets the rules, at most a few times."""
    from portal.accounts import passwords

    for _ in range(PASSWORD_ATTEMPTS):
        first = click.prompt(
            _both("password_prompt", min=passwords.MIN_LENGTH), hide_input=True, err=True
        )
        second = click.prompt(_both("password_repeat"), hide_input=True, err=True)
        if first != second:
            click.echo(_both("password_mismatch"), err=True)
            continue
        problem = passwords.problem(first, username)
        if problem is None:
            return str(first)
        click.echo(f"{describe(problem, 'zh-CN')} / {describe(problem, 'en')}", err=True)
    sys.exit(1)


@click.group("staff")
def staff() -> None:
    """Staff accounts: create the first administrator, list accounts."""


@staff.command("create-admin")
@click.option("--username", required=True, help="Login name: 3-32 of a-z 0-9 . _ -")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--phone", default="", help="Mobile number (optional).")
def create_admin(username: str, name: str, phone: str) -> None:
    """Create an administrator account (prompts for the password twice, hidden)."""
    from portal.accounts.audit import cli_actor
    from portal.accounts.staff.model import NewStaff
    from portal.accounts.staff.validation import validate_name, validate_username
    from portal.cli.context import services as current

    services = current()
    table = services.table.name
    try:
        username = validate_username(username)
        validate_name(name)
    except DomainError as exc:
        _fail(exc)
    manager = services.staff
    try:
        if manager.repo.get(username) is not None:
            from portal.errors import Conflict

            _fail(Conflict("staff_exists", username=username))
        password = _ask_password(username)
        account = manager.create(
            cli_actor(),
            NewStaff(
                username=username,
                name=name,
                roles=("admin",),
                password=password,
                phone=phone,
                must_change_password=False,
            ),
        )
    except DomainError as exc:
        _fail(exc)
    except StoreError as exc:
        _store_failed(table, exc)
    click.echo(_both("admin_created", username=account.username, name=account.name))


@staff.command("list")
def list_staff() -> None:
    """List the staff accounts (phones masked)."""
    from portal.cli.context import services as current

    services = current()
    table = services.table.name
    try:
        accounts = services.staff_repo.list_all()
    except StoreError as exc:
        _store_failed(table, exc)
    if not accounts:
        click.echo(_both("no_accounts"))
        return
    click.echo(f"# {translate('staff.cli.heading', 'zh-CN')}")
    click.echo(f"# {translate('staff.cli.heading', 'en')}")
    for a in sorted(accounts, key=lambda a: a.username):
        status = "disabled" if a.disabled else "enabled"
        estates = ",".join(
            f"{e}[{'/'.join(sorted(a.buildings[e]))}]" if a.buildings.get(e) else e
            for e in sorted(a.estates)
        )
        click.echo(
            " | ".join(
                (
                    a.username,
                    a.name,
                    ",".join(sorted(a.roles)),
                    estates or "-",
                    a.masked_phone or "-",
                    _both(status),
                )
            )
        )
    click.echo(_both("count", count=len(accounts)))
