"""Editing a live notice without withdrawing it: the edit starts the next revision, the
published version stays on the site until that revision is published (approved first where
the estate requires it), and then replaces it; a withdrawal meanwhile takes the live one off."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.errors import Conflict
from portal.publishing.clockwork import SiteRebuilder
from portal.publishing.workflow import Publishing
from portal.settings import Settings
from portal.wiring import Services
from tests.support.publishing import NOW, notice, quiet_publishing, rebuilder, supervisor, writer
from tests.support.workorders import staff_identity

LIST = "estates/lanting/notices/index.html"


def _page(r: SiteRebuilder, doc_id: str) -> str:
    path = r.settings.build_dir / f"notices/{doc_id}/index.html"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _listing(r: SiteRebuilder) -> str:
    return (r.settings.build_dir / LIST).read_text(encoding="utf-8")


def test_a_published_notice_edited_stays_live_as_it_was_until_the_new_revision_is_published(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    p, r = quiet_publishing(services), rebuilder(services, settings, tmp_path)
    d = p.create(writer(), notice("周六停水通知", body="停水时间：9:00–12:00。"))
    d = p.publish(writer(), d.doc_id, d.version)
    r.rebuild(NOW)
    d = p.edit(writer(), d.doc_id, d.version, notice("周六停水通知（时间调整）", body="停水时间：13:00–15:00。"))
    assert (d.state, d.content.title) == ("draft", "周六停水通知（时间调整）")
    assert d.live and d.live_content is not None and d.live_content.title == "周六停水通知"
    assert p.get(writer(), d.doc_id).live_content == d.live_content  # stored, not just returned
    r.rebuild(NOW)
    assert "9:00–12:00" in _page(r, d.doc_id) and "13:00–15:00" not in _page(r, d.doc_id)
    assert "周六停水通知（时间调整）" not in _listing(r)
    d = p.publish(writer(), d.doc_id, d.version)
    assert (d.state, d.live_content) == ("published", None)
    r.rebuild(NOW)
    assert "13:00–15:00" in _page(r, d.doc_id) and "9:00–12:00" not in _page(r, d.doc_id)
    assert "周六停水通知（时间调整）" in _listing(r)
    actions = [rev.action for rev in services.publishing_repo.revisions(d.doc_id)]
    assert actions == ["created", "published", "edited", "published"]


def test_where_approval_is_required_the_new_revision_replaces_the_live_one_only_once_approved(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    p, r = quiet_publishing(services), rebuilder(services, settings, tmp_path)
    d = p.create(writer(), notice("电梯维保通知"))
    d = p.publish(writer(), d.doc_id, d.version)
    p.configure(staff_identity("p.admin", "admin", estates=()), "lanting", True)
    d = p.edit(writer(), d.doc_id, d.version, notice("电梯维保通知（改期）"))
    with pytest.raises(Conflict, match="publishing_needs_approval"):
        p.publish(writer(), d.doc_id, d.version)
    d = p.submit(writer(), d.doc_id, d.version)
    r.rebuild(NOW)
    assert "电梯维保通知（改期）" not in _listing(r) and "电梯维保通知" in _listing(r)
    d = p.approve(supervisor(), d.doc_id, d.version)
    assert d.live_content is not None  # approved is not yet live
    d = p.publish(supervisor(), d.doc_id, d.version)
    r.rebuild(NOW)
    assert "电梯维保通知（改期）" in _listing(r)


def test_withdrawing_during_a_revision_takes_the_live_version_off_and_keeps_the_new_words(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    p: Publishing = quiet_publishing(services)
    r = rebuilder(services, settings, tmp_path)
    d = p.create(writer(), notice("小区停车收费调整"))
    d = p.publish(writer(), d.doc_id, d.version)
    d = p.edit(writer(), d.doc_id, d.version, notice("小区停车收费调整（草稿）"))
    d = p.withdraw(writer(), d.doc_id, d.version, "价格尚未定")
    assert (d.state, d.live, d.content.title) == ("withdrawn", False, "小区停车收费调整（草稿）")
    r.rebuild(NOW)
    assert _page(r, d.doc_id) == "" and "小区停车收费调整" not in _listing(r)


def test_the_api_says_a_revision_has_a_live_version(services: Services) -> None:
    from functions.blueprints.publishing_models import DocOut

    p = quiet_publishing(services)
    d = p.create(writer(), notice())
    assert DocOut.of(d).live_version is False
    d = p.publish(writer(), d.doc_id, d.version)
    assert DocOut.of(d).live_version is False  # it is the live one
    d = p.edit(writer(), d.doc_id, d.version, notice("改"))
    assert DocOut.of(d).live_version is True


def test_a_publish_rebuilds_warm_without_scanning_the_content_files(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    """The publishing task's notice is in the store: no content file changed, so a warm
    process plans that notice's pages and its estate's lists, and reads no file's mtime."""
    from portal.site import replan, warm

    r = rebuilder(services, settings, tmp_path)
    r.rebuild(NOW)
    staff = quiet_publishing(services)
    doc = staff.create(writer(), notice("东门临时封闭"))
    staff.publish(writer(), doc.doc_id, doc.version)
    scans, planned = warm.COUNTS["scans"], replan.COUNTS["planned"]
    result, _ = r.rebuild(NOW, changed=())
    assert warm.COUNTS["scans"] == scans and 0 < replan.COUNTS["planned"] - planned < 60
    assert f"notices/{doc.doc_id}/index.html" in result.written
