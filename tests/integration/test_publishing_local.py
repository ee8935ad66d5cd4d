"""Publishing on DynamoDB Local: two staff publishing at once (two instances of the functions)
both land on the site; two publishing the same notice at once give one publish and one clean
refusal (the version guard holds under DynamoDB's real transactions)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from portal.errors import Conflict
from portal.publishing.sitelease import SiteLease
from portal.settings import Settings
from tests.factories import FakeClock, wired
from tests.support.concurrency import run_together, together
from tests.support.publishing import NOW, notice, small_content, writer


def _settings(settings: Settings, tmp_path: Path) -> Settings:
    return replace(settings, content_dir=small_content(tmp_path), build_dir=tmp_path / "out")


def test_two_notices_published_at_once_from_two_instances_are_both_on_the_site(
    ddb: Any, settings: Settings, tmp_path: Path
) -> None:
    s = _settings(settings, tmp_path)
    clock = FakeClock(NOW)
    instances = [wired(ddb, s, clock, with_estates=i == 0) for i in range(2)]
    docs = [w.publishing.create(writer(f"p.w{i}"), notice(f"同时发布的公告{i}"))
            for i, w in enumerate(instances)]  # fmt: skip

    def publish(i: int) -> str:
        d = instances[i].publishing.publish(writer(f"p.w{i}"), docs[i].doc_id, docs[i].version)
        return d.doc_id

    ids = run_together(2, publish)
    listing = (s.build_dir / "estates/lanting/notices/index.html").read_text(encoding="utf-8")
    for i, doc_id in enumerate(ids):
        assert (s.build_dir / f"notices/{doc_id}/index.html").exists()
        assert f"同时发布的公告{i}" in listing
        assert instances[0].publishing.get(writer(), doc_id).site_state == "live"


def test_the_same_notice_published_by_two_at_once_is_published_once(
    ddb: Any, settings: Settings, tmp_path: Path
) -> None:
    s = _settings(settings, tmp_path)
    clock = FakeClock(NOW)
    instances = [wired(ddb, s, clock, with_estates=i == 0) for i in range(2)]
    d = instances[0].publishing.create(writer(), notice("只发布一次"))
    results = together(2, lambda i: instances[i].publishing.publish(writer(f"p.x{i}"), d.doc_id, d.version))
    assert sum(not isinstance(r, Exception) for r in results) == 1
    refused = [r for r in results if isinstance(r, Exception)]
    assert isinstance(refused[0], Conflict) and refused[0].code == "publishing_stale"
    revisions = instances[0].publishing_repo.revisions(d.doc_id)
    assert [r.action for r in revisions] == ["created", "published"]


def test_the_site_lease_is_held_by_one_publish_at_a_time_under_contention(
    ddb: Any, settings: Settings
) -> None:
    """DynamoDB's conditional put is atomic; moto's is not across threads, so the lease's
    mutual exclusion is proved here (the moto tests of the live site serialise its writes)."""
    clock = FakeClock(NOW)
    lease = SiteLease(wired(ddb, settings, clock, with_estates=False).table, clock,
                      sleep=lambda _: time.sleep(0.002))  # fmt: skip
    lock = threading.Lock()
    holders: list[int] = []
    seen: list[int] = []

    def publish(i: int) -> None:
        for _ in range(6):
            with lease.held(wait=600.0):
                with lock:
                    holders.append(i)
                    seen.append(len(holders))
                time.sleep(0.003)
                with lock:
                    holders.remove(i)

    run_together(4, publish)
    assert len(seen) == 24 and max(seen) == 1
