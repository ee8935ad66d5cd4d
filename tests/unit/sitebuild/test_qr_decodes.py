"""Every QR code on a print view (a notice's, a campaign's, an issue's), read back by a real
decoder, is its page's URL.

The codes are drawn from the built pages' SVG (what the lobby board gets), rasterised
by following its path (tests/support/qr_svg.py) and decoded by zxing-cpp; the sample covers short and long URLs
(QR versions with 8- and 16-bit length fields) and both languages.
"""

from __future__ import annotations

import re

import zxingcpp

from tests.support import qr_svg
from tests.unit.sitebuild.conftest import Site, notice

SLUGS = ["a", "b-2", *(("lanting-water-" * 20)[:n].strip("-") for n in (12, 40, 77, 120, 190, 230))]
_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)">')


def _decode(svg: str) -> list[str]:
    image = qr_svg.raster(svg)
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_every_print_view_qr_code_decodes_to_its_notices_url(site: Site) -> None:
    for i, slug in enumerate(SLUGS):
        site.write(f"notices/{slug}.md", notice(f"通知{i}", "2026-11-01T09:00:00+08:00"))
    assert site.build().errors == []
    prints = sorted(site.out.rglob("print/index.html"))  # campaigns' and issues' too
    notices = [p for p in prints if "notices" in p.parts]
    assert len(notices) == len(SLUGS) + 5  # and the default content's: four zh, one en
    assert len(prints) > len(notices)
    versions = set()
    for path in prints:
        html = path.read_text(encoding="utf-8")
        canonical = _CANONICAL.search(html)
        svg = html[html.index("<svg") : html.index("</svg>") + 6]
        assert canonical is not None
        assert _decode(svg) == [canonical.group(1)], path
        versions.add(qr_svg.size(svg) - 8)
    assert min(versions) <= 29 and max(versions) >= 57  # versions 1–3 and 10 and up
