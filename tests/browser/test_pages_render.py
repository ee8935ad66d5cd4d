"""The reading pages on a phone: Chinese text, CJK glyphs, no overflow, no errors, print view.

Each page is opened at 390×844 CSS px (deviceScaleFactor 3, mobile, touch), the
estate home also at 360 px and in English. Full-page screenshots are saved in
``test-artifacts/screenshots/`` (git-ignored) for a human to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pytest
from playwright.sync_api import Page

from tests.browser.support import OVERFLOWING, DemoSite, OpenPage, press_print

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
FALLBACK_CJK_FAMILIES = frozenset({"WenQuanYi Micro Hei"})
TEL_HREF = re.compile(r"^tel:\+?[0-9]+$")
A4_PRINT_WIDTH = 658  # CSS px: A4 (210 mm) less the 2 × 18 mm @page margins, at 96 px/in
MIN_QR_PX = 96  # one inch: 41 modules of 0.6 mm, still easy for a phone camera


@dataclass(frozen=True)
class Case:
    name: str
    path: Callable[[DemoSite], str]
    texts: Callable[[DemoSite], list[str]]
    hotlines: Callable[[DemoSite], list[str]]
    lang: str = "zh-CN"
    width: int = 390


CASES = [
    Case(
        "estate-390",
        lambda d: d.estate_path,
        lambda d: [d.estate_name_zh],
        lambda d: [d.estate_hotline, d.company_hotline],
    ),
    Case(
        "estate-360",
        lambda d: d.estate_path,
        lambda d: [d.estate_name_zh],
        lambda d: [d.estate_hotline, d.company_hotline],
        width=360,
    ),
    Case(
        "estate-en-390",
        lambda d: "/en" + d.estate_path,
        lambda d: [d.estate_name_en],
        lambda d: [d.estate_hotline, d.company_hotline],
        lang="en",
    ),
    Case(
        "notice-390",
        lambda d: d.notice_path,
        lambda d: [d.notice_title],
        lambda d: [d.company_hotline],
    ),
    Case(
        "campaign-390",
        lambda d: d.campaign_path,
        lambda d: [d.campaign_title],
        lambda d: [d.company_hotline],
    ),
]
pages = pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])


def _open(open_page: OpenPage, demo: DemoSite, case: Case) -> Page:
    return open_page(case.path(demo), width=case.width).page


@pages
def test_page_shows_its_text_in_the_page_language(
    open_page: OpenPage, demo: DemoSite, case: Case
) -> None:
    page = _open(open_page, demo, case)
    assert page.evaluate("document.documentElement.lang") == case.lang
    body = page.inner_text("body")
    for text in case.texts(demo):
        assert text in body, f"{case.name}: {text!r} not shown"
    assert page.locator("h1").first.inner_text().strip() in {t.strip() for t in case.texts(demo)}


@pages
def test_nothing_overflows_the_phone_screen_horizontally(
    open_page: OpenPage, demo: DemoSite, case: Case
) -> None:
    watched = open_page(case.path(demo), width=case.width)
    page = watched.page
    watched.screenshot(case.name)
    assert page.evaluate(OVERFLOWING, case.width) == []
    inner_width, scroll_width = page.evaluate(
        "[window.innerWidth, document.documentElement.scrollWidth]"
    )
    assert scroll_width <= inner_width
    # A mobile browser zooms out to fit wide content, widening innerWidth with it.
    assert inner_width == case.width


@cache
def _cjk_families() -> frozenset[str]:
    """Every name of every installed font that covers Chinese (fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return FALLBACK_CJK_FAMILIES
    out = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=True
    ).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def _platform_fonts(page: Page, selector: str) -> list[dict[str, object]]:
    """The fonts Chromium really drew the text of ``selector`` with, and how many glyphs each."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no {selector}"
        fonts: list[dict[str, object]] = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})[
            "fonts"
        ]
        return fonts
    finally:
        cdp.detach()


@pages
def test_chinese_text_is_drawn_with_a_cjk_font_not_tofu(
    open_page: OpenPage, demo: DemoSite, case: Case
) -> None:
    # English pages still show Chinese: the language switch reads 中文.
    page = _open(open_page, demo, case)
    selector = "h1" if case.lang == "zh-CN" else "a.lang"
    text = page.locator(selector).first.inner_text()
    cjk_chars = len(CJK.findall(text))
    assert cjk_chars > 0, f"{selector} has no Chinese text: {text!r}"
    fonts = _platform_fonts(page, selector)
    cjk_glyphs = sum(int(str(f["glyphCount"])) for f in fonts if f["familyName"] in _cjk_families())
    # Without a CJK font, Chromium draws .notdef boxes with a Latin font instead.
    assert cjk_glyphs >= cjk_chars, f"{selector} {text!r} drawn with {fonts}"


@pages
def test_page_loads_without_console_errors_csp_violations_or_failed_requests(
    open_page: OpenPage, demo: DemoSite, case: Case
) -> None:
    watched = open_page(case.path(demo), width=case.width)
    watched.page.wait_for_load_state("networkidle")
    assert watched.problems() == []


@pages
def test_hotline_is_a_tel_link(open_page: OpenPage, demo: DemoSite, case: Case) -> None:
    page = _open(open_page, demo, case)
    links = page.locator('a[href^="tel:"]')
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert all(TEL_HREF.match(h) for h in hrefs), hrefs
    for number in case.hotlines(demo):
        link = page.locator(f'a[href="tel:{number.replace("-", "")}"]').first
        assert link.is_visible(), f"no visible tel: link for {number} in {hrefs}"
        assert number in link.inner_text()


def test_a_printed_notice_shows_its_qr_code_and_no_header_or_footer(
    open_page: OpenPage, demo: DemoSite
) -> None:
    watched = open_page(demo.notice_path, width=A4_PRINT_WIDTH)
    page = press_print(watched)
    watched.screenshot("notice-print")
    assert page.evaluate("matchMedia('print').matches")
    assert demo.notice_title in page.inner_text("h1")
    qr = page.locator("figure.qr svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    # The code is drawn square, as large as the box's shorter side (viewBox, "meet").
    assert min(box["width"], box["height"]) >= MIN_QR_PX, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= A4_PRINT_WIDTH, box
    for selector in ("header", "footer", ".skip", "nav"):
        assert not page.locator(selector).first.is_visible(), selector
    assert watched.problems() == []


def test_printed_qr_code_keeps_its_full_size_beside_a_long_url(
    open_page: OpenPage, demo: DemoSite
) -> None:
    page = press_print(open_page(demo.notice_path, width=A4_PRINT_WIDTH))
    qr = page.locator("figure.qr svg")
    size = float(qr.get_attribute("width") or 0)
    box = qr.bounding_box()
    assert box is not None and size > 0
    assert (round(box["width"]), round(box["height"])) == (round(size), round(size)), box


def test_the_print_buttons_figure_is_the_one_the_editors_preview_draws(
    open_page: OpenPage, demo: DemoSite
) -> None:
    from portal.i18n import translate
    from portal.site.qr import qr_svg

    page = press_print(open_page(demo.notice_path, width=A4_PRINT_WIDTH))
    url = page.locator('link[rel="canonical"]').get_attribute("href")
    assert url == demo.url(demo.notice_path)
    figure = page.locator("figure.qr").evaluate("f => f.outerHTML")
    preview = (f'<figure class="qr">{qr_svg(url, 3)}<figcaption>{translate("site.scan", "zh-CN")}'
               f'<br><a href="{url}">{url}</a></figcaption></figure>')  # fmt: skip
    # Both as this browser serialises them (an SVG <rect/> comes back as <rect></rect>).
    parsed = "h => { const t = document.createElement('template'); t.innerHTML = h; return t.innerHTML; }"
    assert figure == page.evaluate(parsed, preview)


QR_AS_DRAWN = """(svg) => new Promise((resolve, reject) => {
  const scale = 3, side = svg.viewBox.baseVal.width * scale;
  const img = new Image();
  img.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = side;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0, side, side);
    const rgba = ctx.getImageData(0, 0, side, side).data;
    const grey = [];
    for (let i = 0; i < rgba.length; i += 4) grey.push(rgba[i + 1]);
    resolve({side, grey});
  };
  img.onerror = () => reject(new Error("the SVG did not load as an image"));
  img.src = "data:image/svg+xml;base64," + btoa(new XMLSerializer().serializeToString(svg));
})"""
"""A printed notice's QR code as Chromium draws it: 3 px a module, the green channel."""


def test_printed_qr_code_as_chromium_draws_it_decodes_to_the_notices_url(
    open_page: OpenPage, demo: DemoSite
) -> None:
    import zxingcpp

    page = press_print(open_page(demo.notice_path, width=A4_PRINT_WIDTH))
    drawn = page.locator("figure.qr svg").evaluate(QR_AS_DRAWN)
    side = int(drawn["side"])
    image = memoryview(bytes(drawn["grey"])).cast("B", shape=[side, side])
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in found] == [demo.url(demo.notice_path)]


def test_printing_a_notice_page_hides_header_footer_and_navigation(
    open_page: OpenPage, demo: DemoSite
) -> None:
    watched = open_page(demo.notice_path, media="print")
    page = watched.page
    watched.screenshot("notice-printed-page")
    assert demo.notice_title in page.inner_text("h1")
    for selector in ("header.top", "footer", "nav"):
        locator = page.locator(selector)
        assert locator.count() > 0, f"the screen page has no {selector}"
        assert not locator.first.is_visible(), f"{selector} is printed"
    assert page.locator("main").is_visible()


def test_problem_watch_reports_a_csp_violation(open_page: OpenPage, demo: DemoSite) -> None:
    """The 'no errors' tests can fail: a blocked off-site image is caught."""
    watched = open_page(demo.estate_path)
    watched.page.evaluate(
        """() => new Promise((resolve) => {
             document.addEventListener("securitypolicyviolation", () => resolve(), {once: true});
             const img = document.createElement("img");
             img.src = "https://example.invalid/tracker.png";
             document.body.append(img);
           })"""
    )
    problems = watched.problems()
    assert any("img-src" in p for p in problems), problems


@pytest.mark.parametrize(
    ("path", "width"),
    [
        pytest.param("/estates/{slug}/", 390, id="zh-390"),
        pytest.param("/en/estates/{slug}/", 390, id="en-390"),
        pytest.param("/en/estates/{slug}/", 360, id="en-360"),
    ],
)
def test_language_switch_stays_on_one_line(
    open_page: OpenPage, demo: DemoSite, path: str, width: int
) -> None:
    page = open_page(path.format(slug=demo.estate_slug), width=width).page
    lines = page.evaluate(
        """() => {
             const range = document.createRange();
             range.selectNodeContents(document.querySelector("header a.lang"));
             return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
           }"""
    )
    assert lines == 1
