"""Every QR code the site prints, read back by a real decoder, is its page's URL.

Campaigns and issues have print views whose SVG the builder draws; a notice's code is
drawn by its page's print button (``site/static/qrprint.js``, run here by Node on each
built notice's canonical URL), and is character for character the SVG the editor's
preview draws in Python (``portal.site.qr``). The codes are rasterised by following
their path (tests/support/qr_svg.py) and decoded by zxing-cpp; the sample covers short
and long URLs (QR versions with 8- and 16-bit length fields) and both languages.
"""

from __future__ import annotations

import re

import zxingcpp

from portal.site.qr import qr_svg as python_svg
from tests.support import qr_svg
from tests.unit.sitebuild.conftest import Site, notice

SLUGS = ["a", "b-2", *(("lanting-water-" * 20)[:n].strip("-") for n in (12, 40, 77, 120, 190, 230))]
_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)">')


def _decode(svg: str) -> list[str]:
    image = qr_svg.raster(svg)
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def _canonical(html: str) -> str:
    found = _CANONICAL.search(html)
    assert found is not None
    return found.group(1)


def test_every_notices_print_button_draws_a_code_that_decodes_to_its_url(site: Site) -> None:
    for i, slug in enumerate(SLUGS):
        site.write(f"notices/{slug}.md", notice(f"通知{i}", "2026-11-01T09:00:00+08:00"))
    assert site.build().errors == []
    pages = sorted([*site.out.glob("notices/*/index.html"), *site.out.glob("en/notices/*/index.html")])
    assert len(pages) == len(SLUGS) + 5  # and the default content's: four zh, one en
    urls = [_canonical(p.read_text(encoding="utf-8")) for p in pages]
    assert any("/en/" in u for u in urls)
    drawn = qr_svg.drawn_by_print_button(urls)
    versions = set()
    for url, svg in zip(urls, drawn, strict=True):
        assert _decode(svg) == [url], url
        assert svg == python_svg(url, 3), url  # what the editor's A4 preview shows
        versions.add((qr_svg.size(svg) - 8 - 17) // 4)
    assert min(versions) <= 3 and max(versions) >= 10  # 8- and 16-bit length fields


def test_the_print_button_and_the_preview_draw_the_same_code_for_every_version() -> None:
    urls = [f"https://portal.example.com/notices/{'x' * n}/" for n in range(0, 2300, 37)]
    drawn = qr_svg.drawn_by_print_button(urls)
    assert [python_svg(u, 3) for u in urls] == drawn
    assert {(qr_svg.size(s) - 25) // 4 for s in drawn} >= {3, 7, 10, 20, 30, 40}
    for url, svg in list(zip(urls, drawn, strict=True))[::8]:
        assert _decode(svg) == [url]


def test_every_campaign_and_issue_print_view_qr_code_decodes_to_its_pages_url(site: Site) -> None:
    assert site.build().errors == []
    prints = sorted(site.out.rglob("print/index.html"))
    assert prints and not [p for p in prints if "notices" in p.parts]
    for path in prints:
        html = path.read_text(encoding="utf-8")
        svg = html[html.index("<svg") : html.index("</svg>") + 6]
        assert _decode(svg) == [_canonical(html)], path
