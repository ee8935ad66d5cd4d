from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from portal import ROOT
from portal.site.security import CSP, inline_scripts, inline_styles, page_styles, policy
from tests.support import qr_svg as qr_svg_support
from tests.unit.sitebuild.conftest import Site

SCRIPT_FILE = re.compile(r'<script src="/assets/[a-z]+\.[0-9a-f]{10}\.js" defer></script>')
# 大字版: every page inlines early.js (it sets <html>'s class before the first paint, so no
# script file blocks a first view) and defers large.js (the button), ahead of its own files.
MEDIA = "https://portal-local-uploads.s3.ap-east-1.amazonaws.com"
EARLY = f"<script>{inline_scripts()['early_js']}</script>"
LARGE_TYPE = re.compile(r'<script src="/assets/large\.[0-9a-f]{10}\.js" defer></script>')


def test_clean_build_of_valid_content_has_no_errors_and_writes_every_page(site: Site) -> None:
    result = site.build()
    assert result.errors == []
    for rel in (
        "index.html",
        "en/index.html",
        "estates/lanting/index.html",
        "estates/lanting/notices/index.html",
        "estates/lanting/notices/outage/index.html",
        "notices/water/index.html",
        "en/notices/water/index.html",
        "campaigns/index.html",
        "campaigns/2026-11/index.html",
        "campaigns/2026-11/events.ics",
        "campaigns/2026-11/print/index.html",
        "newsletter/index.html",
        "newsletter/3/index.html",
        "estates/lanting/service/index.html",
        "estates/lanting/fees/index.html",
        "commitments/index.html",
        "estates/lanting/feed.xml",
        "404.html",
        "robots.txt",
    ):
        assert (site.out / rel).is_file(), rel
    # A notice is its own print view (its print button draws the QR code): one file, not two.
    assert not (site.out / "notices/water/print").exists()


def test_every_html_page_declares_the_strict_csp_and_its_language(built: Site) -> None:
    pages = list(built.out.rglob("*.html"))
    assert len(pages) > 30
    for p in pages:
        html = p.read_text(encoding="utf-8")
        styles = re.findall(r"<style>(.*?)</style>", html, re.S)  # its kind's cut, by hash
        if "/staff/publishing/" in f"/{p.relative_to(built.out).as_posix()}":
            styles = page_styles()  # its preview frames show every kind
        media = [MEDIA] if MEDIA in html else []  # the pages that act: the uploads bucket
        csp = policy(styles=styles, media_origins=media)
        assert f'<meta http-equiv="Content-Security-Policy" content="{csp}">' in html, p
        lang = "en" if "/en/" in str(p) else "zh-CN"
        assert f'<html lang="{lang}">' in html, p
        assert " style=" not in html, p
        rel = p.relative_to(built.out).as_posix().removeprefix("en/")
        if rel.startswith(("account/", "staff/")):  # the pages that act: our script files only
            tags = re.findall(r"<script\b[^>]*>.*?</script>", html, re.S)
            assert len(tags) > 2 and tags[0] == EARLY and LARGE_TYPE.fullmatch(tags[1]), (p, tags)
            assert all(SCRIPT_FILE.fullmatch(t) for t in tags[2:]), (p, tags)
            assert html.count("<script") == len(tags), p
        else:  # reading pages and the print view (its print button): early.js and large.js only
            head = html.split("</head>", 1)[0]
            tags = re.findall(r"<script\b[^>]*>.*?</script>", head, re.S)
            assert tags[0] == EARLY and LARGE_TYPE.fullmatch(tags[1]) and len(tags) == 2, (p, tags)
            assert html.count("<script") == 2, p


def test_estate_home_lists_pinned_and_urgent_first_and_links_the_hotline(built: Site) -> None:
    html = built.page("estates/lanting/index.html")
    assert 'href="tel:073188881234"' in html
    assert html.index("物业费缴纳提醒") < html.index("2栋停水通知")
    assert "消防安全宣传月" in html  # November's campaign is featured
    assert "兰亭家园第3期" in html
    assert "消防演练" not in html.split("本月宣传主题")[0]  # meixi's notice is not on lanting


def test_expired_notice_leaves_lists_but_keeps_its_page_marked_expired(built: Site) -> None:
    assert "旧的停电通知" not in built.page("estates/lanting/notices/index.html")
    assert "旧的停电通知" not in built.page("estates/lanting/index.html")
    page = built.page("notices/old/index.html")
    assert "已过期" in page and "旧的停电通知" in page


def test_notice_lists_are_newest_first_with_pinned_on_top(site: Site) -> None:
    site.write("notices/newer.md", __import__("tests.unit.sitebuild.conftest", fromlist=["notice"])
               .notice("最新的通知", "2026-11-21T09:00:00+08:00"))  # fmt: skip
    site.build()
    html = site.page("estates/lanting/notices/index.html")
    order = [html.index(t) for t in ("物业费缴纳提醒", "最新的通知", "2栋停水通知")]
    assert order == sorted(order)


def test_notice_for_all_estates_is_listed_in_every_estate(built: Site) -> None:
    assert "物业费缴纳提醒" in built.page("estates/meixi/notices/fees/index.html")
    assert "物业费缴纳提醒" in built.page("estates/lanting/notices/fees/index.html")


def test_english_site_uses_translations_and_falls_back_to_chinese_pages(built: Site) -> None:
    html = built.page("en/estates/lanting/notices/index.html")
    assert "Water outage, Building 2" in html and 'href="/en/notices/water/"' in html
    # No English version: listed with the Chinese title, linking to the Chinese page.
    assert 'href="/notices/pinned/" lang="zh-CN"' in html
    assert not (built.out / "en/notices/pinned/index.html").exists()
    zh = built.page("notices/water/index.html")
    assert 'hreflang="en" href="https://portal.example.cn/en/notices/water/"' in zh


def test_a_notice_page_offers_printing_with_its_qr_code_script_styles_and_caption(
    built: Site,
) -> None:
    html = built.page("notices/water/index.html")
    button = re.search(r'<button type="button" id="print"[^>]*>([^<]*)</button>', html)
    assert button is not None and button.group(1) == "打印张贴"
    assert re.search(r'data-js="/assets/qrprint\.[0-9a-f]{10}\.js"', button.group(0))
    assert re.search(r'data-css="/assets/print\.[0-9a-f]{10}\.css"', button.group(0))
    assert 'data-scan="扫码查看公告原文"' in button.group(0) and " hidden>" in button.group(0)
    assert 'rel="canonical" href="https://portal.example.cn/notices/water/"' in html
    en = built.page("en/notices/water/index.html")
    assert 'data-scan="Scan to read this notice online"' in en


@pytest.mark.parametrize("length", [1, 10, 30, 60, 100, 150, 250, 400])
def test_qr_code_is_module_for_module_what_segno_encodes(length: int) -> None:
    import segno

    from portal.site.qr import qr_matrix, qr_svg

    url = "https://portal.example.cn/notices/" + ("2026-11-lanting-" * 30)[:length] + "/"
    expected = segno.make(url, error="m", micro=False, mask=2, boost_error=False)
    dark = {(x, y) for y, row in enumerate(expected.matrix) for x, v in enumerate(row) if v & 1}
    assert {(x, y) for y, row in enumerate(qr_matrix(url)) for x, v in enumerate(row) if v} == dark
    svg = qr_svg(url)
    assert qr_svg_support.size(svg) == len(expected.matrix) + 8
    assert qr_svg_support.dark_modules(svg) == {(x + 4, y + 4) for x, y in dark}


def test_campaign_calendar_highlights_the_current_month(built: Site) -> None:
    html = built.page("campaigns/index.html")
    assert html.count('aria-current="date"') == 1
    current = html.split('aria-current="date"')[1].split("</li>")[0]
    assert "11月" in current and "消防安全宣传月" in current


def test_campaign_ics_is_valid_icalendar_with_the_event_in_utc(built: Site) -> None:
    ics = (built.out / "campaigns/2026-11/events.ics").read_bytes().decode()
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261115T013000Z" in ics and "DTEND:20261115T030000Z" in ics
    assert "SUMMARY:消防演练" in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))


def test_atom_feed_is_well_formed_and_escapes_html_content(built: Site) -> None:
    root = ET.fromstring((built.out / "estates/lanting/feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert "2栋停水通知" in titles and "旧的停电通知" not in titles
    content = root.find("a:entry/a:content", ns)
    assert content is not None and "<p>" in (content.text or "")


def test_newsletter_issue_shows_moving_stories(built: Site) -> None:
    html = built.page("newsletter/3/index.html")
    assert "感动客户" in html and "凌晨两点的抢修" in html and "文 / 客服部" in html


def test_service_pages_show_contacts_hours_fees_and_commitments(built: Site) -> None:
    assert "0731-8888-1200" in built.page("estates/lanting/service/index.html")
    assert "2.80 元/平方米·月" in built.page("estates/lanting/fees/index.html")
    commitments = built.page("commitments/index.html")
    assert "15 分钟内受理" in commitments and "≥ 98%" in commitments and "≤ 2‰" in commitments


def test_assets_have_hashed_names(built: Site) -> None:
    css = list((built.out / "assets").glob("account.*.css"))
    assert len(css) == 1 and re.fullmatch(r"account\.[0-9a-f]{10}\.css", css[0].name)
    assert f'href="/assets/{css[0].name}"' in built.page("account/index.html")


def test_reading_pages_inline_the_stylesheet_their_csp_admits_by_hash(built: Site) -> None:
    from portal.site.security import inline_hash
    from portal.site.stylesheet import Kinds

    kinds = Kinds(ROOT / "site" / "templates", inline_styles())
    for rel, template in (("notices/water/index.html", "notice.html"),
                          ("estates/lanting/notices/index.html", "notice_list.html"),
                          ("campaigns/2026-11/print/index.html", "campaign_print.html")):  # fmt: skip
        html = built.page(rel)
        inlined = list(kinds.styles(template).values())
        assert re.findall(r"<style>(.*?)</style>", html, re.S) == inlined, rel
        assert 'rel="stylesheet"' not in html, rel  # one request for the first view:
        blocking = [
            t for t in re.findall(r"<script\b[^>]*>", html) if "src=" in t and " defer" not in t
        ]
        assert blocking == [], rel  # no script file either
        for css in inlined:
            assert inline_hash(css) in CSP
        assert inline_hash(inline_scripts()["early_js"]) in CSP
    assert "unsafe-inline" not in CSP
