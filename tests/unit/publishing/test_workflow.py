"""Drafts, revisions, approval, publishing and withdrawal of staff content: the rules and the
record they leave (every change a revision and an audit event: who, when)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.accounts.identity import Identity
from portal.errors import Conflict, NotFound
from portal.publishing.model import Doc
from portal.publishing.workflow import Publishing
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.publishing import NOW, notice, quiet_publishing, supervisor, writer
from tests.support.workorders import staff_identity


def test_a_draft_published_leaves_a_revision_for_each_change_with_who_when_and_what(
    services: Services, clock: FakeClock
) -> None:
    clock.now = NOW
    p = quiet_publishing(services)
    d = p.create(writer(), notice("停水通知"))
    clock.now = NOW + timedelta(minutes=5)
    d = p.edit(writer("p.desk", "front_desk"), d.doc_id, d.version, notice("停水通知（更正）"))
    d = p.publish(writer(), d.doc_id, d.version)
    revs = services.publishing_repo.revisions(d.doc_id)
    assert [(r.action, r.by) for r in revs] == [
        ("created", "staff:p.butler"), ("edited", "staff:p.desk"), ("published", "staff:p.butler")]
    assert revs[1].changed == ("title",) and revs[1].at == "2026-11-22T02:05:00Z"
    assert revs[1].content["title"] == "停水通知（更正）"
    assert d.state == "published" and d.site_state == "queued" and d.version == 3


def test_every_state_change_is_in_the_audit_log_with_its_actor(services: Services, clock: FakeClock) -> None:
    clock.now = NOW
    p = quiet_publishing(services)
    d = p.create(writer("p.audit"), notice())
    d = p.publish(writer("p.audit"), d.doc_id, d.version)
    p.withdraw(writer("p.audit"), d.doc_id, d.version, "通知有误")
    events = [e for e in services.audit.day("2026-11-22") if e.get("target") == d.doc_id]
    assert sorted((e["action"], e["actor"]) for e in events) == [  # one second: any order
        ("publishing.created", "staff:p.audit"), ("publishing.published", "staff:p.audit"),
        ("publishing.withdrawn", "staff:p.audit")]  # fmt: skip
    assert any("通知有误" in e["details"] for e in events if e["action"] == "publishing.withdrawn")


def test_an_estate_that_requires_approval_publishes_only_what_a_second_person_approved(
    services: Services, clock: FakeClock
) -> None:
    clock.now = NOW
    p = quiet_publishing(services)
    p.configure(staff_admin(), "meixi", True)
    author, boss = writer("p.mx", estate="meixi"), supervisor("p.mxboss", estate="meixi")
    d = p.create(author, notice(estates=("meixi",)))
    with pytest.raises(Conflict, match="publishing_needs_approval"):
        p.publish(author, d.doc_id, d.version)
    d = p.submit(author, d.doc_id, d.version)
    d = p.approve(boss, d.doc_id, d.version)
    assert d.approved_by == "staff:p.mxboss"
    assert p.publish(author, d.doc_id, d.version).state == "published"


def test_whoever_last_changed_the_words_cannot_approve_them(services: Services) -> None:
    p = quiet_publishing(services)
    boss = supervisor("p.boss2")
    d = p.create(boss, notice())
    d = p.submit(boss, d.doc_id, d.version)
    with pytest.raises(Conflict, match="publishing_approver_is_author"):
        p.approve(boss, d.doc_id, d.version)
    assert p.approve(supervisor("p.boss3"), d.doc_id, d.version).state == "approved"


def test_editing_an_approved_notice_puts_it_back_to_draft_without_its_approval(services: Services) -> None:
    p = quiet_publishing(services)
    d = p.create(writer(), notice())
    d = p.approve(supervisor(), *_submitted(p, d))
    d = p.edit(writer(), d.doc_id, d.version, notice("改过的标题"))
    assert (d.state, d.approved_by) == ("draft", "")


def test_a_withdrawn_notice_is_edited_before_it_is_published_again(services: Services) -> None:
    p = quiet_publishing(services)
    d = p.create(writer(), notice())
    d = p.publish(writer(), d.doc_id, d.version)
    d = p.withdraw(writer(), d.doc_id, d.version, "  时间 写错了  ")
    assert (d.state, d.withdrawn_reason, d.site_state) == ("withdrawn", "时间 写错了", "queued")
    with pytest.raises(Conflict, match="publishing_withdrawn_edit_first"):
        p.publish(writer(), d.doc_id, d.version)
    assert p.edit(writer(), d.doc_id, d.version, notice("改")).state == "draft"


def test_a_reason_of_only_spaces_does_not_withdraw(services: Services) -> None:
    p = quiet_publishing(services)
    d = p.create(writer(), notice())
    d = p.publish(writer(), d.doc_id, d.version)
    with pytest.raises(Conflict, match="publishing_reason_required"):
        p.withdraw(writer(), d.doc_id, d.version, " \u3000 ")


def test_two_editors_of_one_version_never_overwrite_each_other(services: Services) -> None:
    p = quiet_publishing(services)
    d = p.create(writer(), notice())
    p.edit(writer("p.one"), d.doc_id, d.version, notice("第一人的修改"))
    with pytest.raises(Conflict, match="publishing_stale"):
        p.edit(writer("p.two"), d.doc_id, d.version, notice("第二人的修改"))
    assert p.get(writer(), d.doc_id).title == "第一人的修改"


def test_an_unknown_estate_or_building_is_not_found_and_an_expiry_before_publish_is_refused(
    services: Services,
) -> None:
    p = quiet_publishing(services)
    with pytest.raises(NotFound, match="unknown_estate"):
        p.create(staff_admin(), notice(estates=("nowhere",)))
    with pytest.raises(NotFound, match="unknown_building"):
        p.create(writer(), notice(buildings=("99",)))
    with pytest.raises(Conflict, match="publishing_expires_before_publish"):
        p.create(writer(), notice(expires_at=NOW - timedelta(hours=1)))


def test_titles_lose_control_characters_and_bodies_keep_their_lines(services: Services) -> None:
    p = quiet_publishing(services)
    d = p.create(writer(), notice("  停水\x00通知\t ", body="第一段\r\n\r\n第二段\x07"))
    assert d.title == "停水 通知" and d.content.body == "第一段\n\n第二段"  # type: ignore[union-attr]


def staff_admin() -> Identity:
    return staff_identity("p.admin", "admin", estates=())


def _submitted(p: Publishing, d: Doc) -> tuple[str, int]:
    d = p.submit(writer(), d.doc_id, d.version)
    return d.doc_id, d.version
