"""``portal notices list|publish|withdraw``: staff publishing from scripts and for bulk work.

The same workflow as the editor pages (:mod:`portal.publishing.workflow`): the same rules
(an estate that requires approval publishes only approved documents), revisions and audit
events. The command line acts as the OS user at the host (``cli:<user>@<host>``) with the
admin role: whoever holds the deployment's credentials can do that much anyway. Exit
status: 0 done, 1 refused (the reason in both languages on stderr).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, cast

import click

from portal.errors import DomainError, describe

if TYPE_CHECKING:
    from portal.accounts.identity import Identity
    from portal.publishing.model import Kind


def register(main: click.Group) -> None:
    main.add_command(notices)


def _identity() -> Identity:
    from portal.accounts.audit import cli_actor
    from portal.accounts.identity import Identity

    return Identity(kind="staff", user_id=cli_actor(), roles=frozenset({"admin"}), name="cli")


def _refused(exc: DomainError) -> None:
    click.echo(f"{describe(exc, 'zh-CN')} / {describe(exc, 'en')}", err=True)
    sys.exit(1)


@click.group()
def notices() -> None:
    """Notices, campaigns and newsletter issues written in the portal (发布)."""


@notices.command("list")
@click.option("--estate", required=True, help="Slug of the estate (e.g. lanting).")
@click.option("--kind", type=click.Choice(["notice", "campaign", "newsletter"]), default="notice")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_docs(estate: str, kind: str, as_json: bool) -> None:
    """An estate's documents, latest change first: id, state, version, title."""
    from portal.cli.context import services
    from portal.publishing.model import to_plain

    try:
        docs = services().publishing.of_estate(_identity(), cast("Kind", kind), estate)
    except DomainError as exc:
        _refused(exc)
        return
    for d in docs:
        if as_json:
            click.echo(json.dumps({"id": d.doc_id, "kind": d.kind, "state": d.state,
                                   "version": d.version, "site_state": d.site_state,
                                   "content": to_plain(d.content)}, ensure_ascii=False))  # fmt: skip
        else:
            click.echo(f"{d.doc_id}  {d.state:<9}  v{d.version:<3}  {d.title}")


@notices.command("publish")
@click.argument("doc_id")
def publish(doc_id: str) -> None:
    """Publish DOC_ID (its current version); the site is rebuilt as after the page's button."""
    from portal.cli.context import services

    p = services().publishing
    try:
        d = p.get(_identity(), doc_id)
        d = p.publish(_identity(), doc_id, d.version)
    except DomainError as exc:
        _refused(exc)
        return
    click.echo(f"{d.doc_id}  {d.state}  v{d.version}")


@notices.command("withdraw")
@click.argument("doc_id")
@click.option("--reason", required=True, help="Why it is taken off the site (kept in its history).")
def withdraw(doc_id: str, reason: str) -> None:
    """Withdraw the published DOC_ID, with the reason (撤回)."""
    from portal.cli.context import services

    p = services().publishing
    try:
        d = p.get(_identity(), doc_id)
        d = p.withdraw(_identity(), doc_id, d.version, reason)
    except DomainError as exc:
        _refused(exc)
        return
    click.echo(f"{d.doc_id}  {d.state}  v{d.version}")
