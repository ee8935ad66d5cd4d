"""Who may draft, approve and publish what, where: every role × action × kind, read from the
policy table (``portal.accounts.policy.POLICY``) and checked against what the workflow does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal.accounts.identity import Identity
from portal.accounts.policy import ADMIN, OWNER, POLICY, ROLES
from portal.errors import Conflict, Forbidden, NotFound
from portal.publishing.model import KINDS, Content
from portal.publishing.workflow import Publishing
from portal.wiring import Services
from tests.support.publishing import campaign, issue, notice, quiet_publishing, writer
from tests.support.workorders import owner_identity, staff_identity

AUTHOR = staff_identity("p.author", "admin", estates=())
CONTENT: dict[str, Callable[[], Content]] = {"notice": notice, "campaign": campaign,
                                             "newsletter": issue}  # fmt: skip


def _who(role: str, estate: str = "lanting") -> Identity:
    if role == OWNER:
        return owner_identity()
    return staff_identity(f"p.{role}", role, estates=() if role == ADMIN else (estate,))


def _content(kind: str) -> Content:
    made: Content = CONTENT[kind]()
    return made


def _attempt(p: Publishing, verb: str, kind: str, who: Identity) -> Any:
    if verb == "draft":
        return p.create(who, _content(kind))
    d = p.create(AUTHOR, _content(kind))
    if verb == "approve":
        d = p.submit(AUTHOR, d.doc_id, d.version)
        return p.approve(who, d.doc_id, d.version)
    return p.publish(who, d.doc_id, d.version)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("verb", ("draft", "approve", "publish"))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_the_policy_table_says(
    services: Services, role: str, verb: str, kind: str
) -> None:
    p = quiet_publishing(services)
    allowed = role in POLICY[f"{kind}.{verb}"]
    if allowed:
        assert _attempt(p, verb, kind, _who(role)) is not None
    else:
        with pytest.raises(Forbidden):
            _attempt(p, verb, kind, _who(role))


@pytest.mark.parametrize("verb", ("draft", "approve", "publish"))
def test_staff_of_another_estate_may_do_nothing_here(services: Services, verb: str) -> None:
    with pytest.raises(Forbidden):
        _attempt(quiet_publishing(services), verb, "notice", _who("supervisor", estate="meixi"))


def test_a_butler_of_building_2_may_target_building_2_but_not_building_1(services: Services) -> None:
    p = quiet_publishing(services)
    butler = writer("p.b2", buildings=frozenset({"2"}))
    assert p.create(butler, notice(buildings=("2",))).state == "draft"
    with pytest.raises(Forbidden):
        p.create(butler, notice(buildings=("1",)))


def test_staff_of_another_estate_cannot_read_a_draft_nor_its_history(services: Services) -> None:
    p = quiet_publishing(services)
    d = p.create(writer(), notice())
    with pytest.raises(Forbidden):
        p.get(_who("supervisor", estate="meixi"), d.doc_id)
    with pytest.raises(Forbidden):
        p.revisions(_who("butler", estate="meixi"), d.doc_id)
    with pytest.raises(NotFound):
        p.get(writer(), "n20261122ffffffff")


def test_only_project_managers_and_admin_decide_whether_an_estate_requires_approval(
    services: Services,
) -> None:
    p = quiet_publishing(services)
    for role in ROLES:
        if role in POLICY["publishing.configure"]:
            assert p.configure(_who(role), "lanting", False) is False
        else:
            with pytest.raises(Forbidden):
                p.configure(_who(role), "lanting", True)


def test_a_stale_version_is_refused_only_to_someone_allowed(services: Services) -> None:
    p = quiet_publishing(services)
    d = p.create(writer(), notice())
    with pytest.raises(Forbidden):  # 403 before 409: a refusal tells nothing of the document
        p.publish(_who("cleaning"), d.doc_id, d.version + 5)
    with pytest.raises(Conflict, match="publishing_stale"):
        p.publish(writer(), d.doc_id, d.version + 5)
