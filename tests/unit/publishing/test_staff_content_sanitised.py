"""Markdown and titles staff write in the portal reach owners only through the sanitiser and
the templates' escaping: every payload of the XSS corpus, in a published notice's body, title
and English version, and in the editor's preview, leaves no script behind."""

from __future__ import annotations

import re
from pathlib import Path

from portal.publishing.preview import render_preview
from portal.settings import Settings
from portal.wiring import Services
from tests.factories import FakeClock
from tests.support.publishing import NOW, notice, quiet_publishing, rebuilder, writer
from tests.support.xss_corpus import FORBIDDEN, XSS_PAYLOADS

BODY = re.compile(r'<div class="body">(.*?)</article>', re.S)


def _body_of(page: str) -> str:
    """The rendered Markdown (to the article's end: an unclosed <style> swallows the rest)."""
    m = BODY.search(page)
    assert m and "正文开始" in m.group(1), "the body is on the page"
    return m.group(1)


def test_every_payload_in_a_published_notice_is_neutralised_on_its_page(
    services: Services, settings: Settings, tmp_path: Path, clock: FakeClock
) -> None:
    clock.now = NOW
    p = quiet_publishing(services)
    ids = []
    for i, payload in enumerate(XSS_PAYLOADS):
        content = notice(f"通知{i} {payload}", body=f"正文开始\n\n{payload}\n\n正文结束",
                         title_en=f"Notice {i} {payload}")  # fmt: skip
        d = p.create(writer(), content)
        ids.append((payload, p.publish(writer(), d.doc_id, d.version).doc_id))
    r = rebuilder(services, settings, tmp_path)
    result, _ = r.rebuild(NOW)
    assert not [e for e in result.errors if e.path.startswith(("templates/", "store/"))]
    for payload, doc_id in ids:
        for rel in (f"notices/{doc_id}/index.html", f"en/notices/{doc_id}/index.html"):
            page = (r.settings.build_dir / rel).read_text(encoding="utf-8")
            body = _body_of(page)
            for pattern in FORBIDDEN:
                assert not pattern.search(body), (payload, rel, body)
            if "<" in payload:
                assert payload not in page, (payload, rel)  # the title is escaped too


def test_the_preview_is_sanitised_like_the_page(services: Services, settings: Settings) -> None:
    p = quiet_publishing(services)
    d = p.create(writer(), notice("预览", body="正文开始\n\n" + "\n\n".join(XSS_PAYLOADS[:12]) + "\n\n正文结束"))
    html = render_preview(d, services.estates.company(), NOW, settings.site_src_dir,
                          settings.site_url)  # fmt: skip
    body = _body_of(html)
    for pattern in FORBIDDEN:
        assert not pattern.search(body), body
