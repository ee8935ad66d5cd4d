"""The A4 print view (for the notice board): campaigns and newsletter issues have a page of the
site (``.../print/``, a QR code to the page); a notice prints from its own page (its print
button, qrprint.js). The editor's A4 preview of each is rendered by the same planner and
templates: a notice's is its page as it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.publishing.preview import render_preview
from portal.settings import Settings
from portal.wiring import Services
from tests.support import qr_svg
from tests.support.publishing import (
    NOW,
    campaign,
    issue,
    notice,
    quiet_publishing,
    rebuilder,
    supervisor,
    writer,
)


@pytest.mark.parametrize("make", [campaign, issue], ids=["campaign", "issue"])
def test_the_editor_previews_campaigns_and_issues_at_a4_with_a_qr_code_to_their_page(
    services: Services, settings: Settings, make: object
) -> None:
    content = make()  # type: ignore[operator]
    d = quiet_publishing(services).create(writer(), content)
    html = render_preview(d, services.estates.company(), NOW, settings.site_src_dir,
                          settings.site_url, "print")  # fmt: skip
    assert '<body class="print">' in html and "<svg" in html and content.title in html
    page = render_preview(d, services.estates.company(), NOW, settings.site_src_dir,
                          settings.site_url, "page")  # fmt: skip
    assert '<body class="print">' not in page and "/print/" in page  # the page links its A4 view
    if make is campaign:
        assert "法律咨询日" in html and "学法守法" in html
    else:
        assert "深夜修水管" in html and "管家连夜抢修" in html


def test_the_editor_previews_a_notice_as_its_page_prints_with_the_qr_code_to_it(
    services: Services, settings: Settings
) -> None:
    import zxingcpp

    d = quiet_publishing(services).create(writer(), notice())
    company = services.estates.company()
    html = render_preview(d, company, NOW, settings.site_src_dir, settings.site_url, "print")
    page = render_preview(d, company, NOW, settings.site_src_dir, settings.site_url, "page")
    url = f"{settings.site_url}/notices/{d.doc_id}/"
    assert '<body class="print">' in html and '<body class="print">' not in page
    assert "<svg" not in page and "/print/" not in page  # printing is the page's button
    # The page as printed: the same article, the print styles, and the code under it.
    article = page[page.index("<article") : page.index("</article>")]
    assert article in html and "2栋停水通知" in article
    assert html.count("<style>") == 2 and ".print .qr{" in html
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    image = qr_svg.raster(svg)
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in found] == [url]
    assert f'<a href="{url}">{url}</a></figcaption></figure></article>' in html
    assert "<script" not in html  # the frame runs none


def test_published_campaigns_and_issues_have_print_pages_on_the_site(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    p, r = quiet_publishing(services), rebuilder(services, settings, tmp_path)
    for content in (campaign(), issue()):
        d = p.create(writer(), content)
        p.publish(supervisor(), d.doc_id, d.version)
    r.rebuild(NOW)
    out = r.settings.build_dir
    law = (out / "campaigns/2026-12/print/index.html").read_text(encoding="utf-8")
    winter = (out / "newsletter/901/print/index.html").read_text(encoding="utf-8")
    assert "法制宣传月" in law and '<meta name="robots" content="noindex">' in law
    assert "冬季刊" in winter and "/newsletter/901/" in winter
