"""A build that fails (a broken template) publishes nothing: the live site stays as it was and
the publisher of the document is told why (``site_state`` failed, with the problem)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from portal import ROOT
from portal.publishing.clockwork import SiteRebuilder
from portal.settings import Settings
from portal.wiring import Services
from tests.support.publishing import NOW, notice, quiet_publishing, rebuilder, writer


def test_a_broken_template_publishes_nothing_and_marks_the_document_failed_with_the_reason(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    src = tmp_path / "site-src"
    shutil.copytree(ROOT / "site", src, ignore=shutil.ignore_patterns("content"))
    base = rebuilder(services, settings, tmp_path)
    published: list[Path] = []
    r = SiteRebuilder(replace(base.settings, site_src_dir=src), services.publishing_repo,
                      services.clock, published.append)  # fmt: skip
    r.rebuild(NOW)
    assert published == [base.settings.build_dir]  # a good build is handed to the publisher
    (src / "templates" / "notice.html").write_text("{% extends 'base.html' %}{% block main %}"
                                                   "{{ notice.no_such() }}{% endblock %}")  # fmt: skip
    p = quiet_publishing(services)
    d = p.create(writer(), notice("坏模板下的公告"))
    d = p.publish(writer(), d.doc_id, d.version)
    services.__dict__["site_rebuilder"] = r
    services.rebuild_for({"doc_id": d.doc_id, "version": d.version})
    assert published == [base.settings.build_dir]  # not published again
    after = p.get(writer(), d.doc_id)
    assert after.site_state == "failed" and "notice.html" in after.site_note
