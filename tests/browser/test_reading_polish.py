"""The reading pages as an owner meets them on a 360×640 and a 390×844 phone (issue 12).

Urgent notices first and, with the estate's repair line, on the first screen; that line
one tap away in the header of every estate page; phone numbers in notice text as
``tel:`` links; tap targets of at least 44×44 CSS px; 大字版 (large type and high
contrast) switched with one tap and remembered; the phone's own font size honoured.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import Page

from portal.estates.source import load_company
from portal.sourcefile import split_front_matter
from tests.browser.support import DemoSite, OpenPage

PHONES = [(360, 640), (390, 844)]
TAP = 44  # CSS px, each side
TEL_HREF = re.compile(r"^tel:\+?[0-9]+$")
BURST_PIPE = "2026-11-21-lanting-burst-pipe-b3"  # lanting only, urgent, names a butler's phone
BUTLER_PHONE = "0731-8816-3304"


def _notices(demo: DemoSite) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted((demo.content_dir / "notices").glob("*.md")):
        if path.name.endswith(".en.md"):
            continue
        doc, err = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        assert doc is not None, err
        out.append((path.stem, dict(doc.meta)))
    return out


def _active_urgent_titles(demo: DemoSite) -> set[str]:
    """From the sources: urgent, for this estate, published and not yet expired."""
    found = set()
    for _, meta in _notices(demo):
        estates = meta.get("estates")
        ours = estates == "all" or demo.estate_slug in (estates or [])
        published = datetime.fromisoformat(str(meta["published"]))
        expires = meta.get("expires")
        alive = expires is None or datetime.fromisoformat(str(expires)) > demo.now
        if meta.get("urgent") and ours and published <= demo.now and alive:
            found.add(str(meta["title"]))
    return found


def _hotline_href(number: str) -> str:
    return "tel:" + number.replace("-", "")


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


@pytest.fixture(params=PHONES, ids=[f"{w}x{h}" for w, h in PHONES])
def phone(request: pytest.FixtureRequest) -> tuple[int, int]:
    """Each test at both phone sizes the issue names (width, height in CSS px)."""
    size: tuple[int, int] = request.param
    return size


# --- 1. urgent first -----------------------------------------------------------------------


def test_active_urgent_notices_come_before_pinned_ones_on_the_estate_home(
    open_page: OpenPage, demo: DemoSite, phone: tuple[int, int]
) -> None:
    W, H = phone
    page = open_page(demo.estate_path, width=W, height=H).page
    items = page.locator("#imp ~ ul.list > li")
    flags = [items.nth(i).evaluate("li => li.classList.contains('urgent')")
             for i in range(items.count())]  # fmt: skip
    urgent = _active_urgent_titles(demo)
    assert urgent, "the demo content has no active urgent notice for this estate"
    assert flags.count(True) == len(urgent), flags
    assert flags == sorted(flags, reverse=True), f"a pinned notice before an urgent one: {flags}"
    assert False in flags, "the demo estate has pinned notices too: the order is tested"


def test_hotline_and_every_active_urgent_notice_fit_the_first_screen(
    open_page: OpenPage, demo: DemoSite, phone: tuple[int, int]
) -> None:
    W, H = phone
    watched = open_page(demo.estate_path, width=W, height=H)
    page = watched.page
    watched.screenshot(f"reading-estate-{W}x{H}")
    hotline = page.locator(f'main .hotline a[href="{_hotline_href(demo.estate_hotline)}"]')
    box = hotline.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= H, box
    titles = _active_urgent_titles(demo)
    for title in titles:
        link = page.locator("#imp ~ ul.list > li.urgent > a", has_text=title)
        assert link.count() == 1, f"{title!r} is not listed as urgent"
        box = link.bounding_box()
        assert box is not None, title
        assert box["y"] + box["height"] <= H, f"{title!r} is below the fold: {box}"
    assert page.evaluate("window.scrollY") == 0


# --- 2. the hotline one tap away -----------------------------------------------------------


def _estate_pages(demo: DemoSite) -> list[str]:
    company, errors = load_company(demo.content_dir)
    assert company is not None, errors
    estate = next(e for e in company.estates if e.slug == demo.estate_slug)
    base = demo.estate_path
    return [
        base, base + "notices/", base + "notices/outage/", base + "service/", base + "fees/",
        f"{base}buildings/{estate.buildings[0].code}/", f"/notices/{BURST_PIPE}/",
        "/en" + base, "/en" + base + "fees/",
    ]  # fmt: skip


def test_every_estate_page_has_the_estates_repair_line_in_its_header(
    open_page: OpenPage, demo: DemoSite, phone: tuple[int, int]
) -> None:
    W, H = phone
    href = _hotline_href(demo.estate_hotline)
    for path in _estate_pages(demo):
        watched = open_page(path, width=W, height=H)
        watched.page.wait_for_load_state("networkidle")
        link = watched.page.locator(f'header a[href="{href}"]')
        assert link.count() == 1, path
        assert demo.estate_hotline in link.inner_text(), path
        box = link.bounding_box()
        assert box is not None and box["y"] + box["height"] <= H, (path, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= W, (path, box)
        assert watched.page.evaluate("document.documentElement.scrollWidth") <= W, path
        if not path.startswith("/en/"):  # the English name alone takes two rows
            # Two rows at most: the company's name, then the line, 大字版 and the language.
            assert _box(watched.page, "header.top")["height"] <= 2 * TAP + 16, path
        assert watched.problems() == [], path


def test_phone_numbers_in_notice_text_are_tel_links(
    open_page: OpenPage, demo: DemoSite, phone: tuple[int, int]
) -> None:
    W, H = phone
    page = open_page(f"/notices/{BURST_PIPE}/", width=W, height=H).page
    link = page.locator(f'.body a[href="{_hotline_href(BUTLER_PHONE)}"]')
    assert link.count() >= 1
    assert link.first.inner_text() == BUTLER_PHONE
    links = page.locator('.body a[href^="tel:"]')
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert all(TEL_HREF.match(h) for h in hrefs), hrefs
    # Dates are not phone numbers.
    assert not any(re.fullmatch(r"tel:20\d{6}", h) for h in hrefs), hrefs


# --- 3. tap targets ------------------------------------------------------------------------

SMALL_TARGETS = """(min) => {
  const out = [];
  for (const el of document.querySelectorAll("a[href], button")) {
    if (el.matches(".skip")) continue;  // off screen until focused
    if (el.closest(".body") && !el.matches("a.tel")) continue;  // a link inside a sentence
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const r = el.getBoundingClientRect();
    if (r.width < min - 0.5 || r.height < min - 0.5) {
      out.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" ` +
               `${r.width.toFixed(1)}×${r.height.toFixed(1)}`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(lambda d: d.estate_path, id="estate"),
        pytest.param(lambda d: d.estate_path + "notices/", id="notices"),
        pytest.param(lambda d: f"/notices/{BURST_PIPE}/", id="notice"),
        pytest.param(lambda d: d.estate_path + "fees/", id="fees"),
        pytest.param(lambda d: "/en" + d.estate_path, id="estate-en"),
        pytest.param(lambda d: "/", id="home"),
    ],
)
def test_titles_links_and_buttons_are_at_least_44_px_each_way(
    open_page: OpenPage, demo: DemoSite, path: Any, phone: tuple[int, int]
) -> None:
    W, H = phone
    page = open_page(path(demo), width=W, height=H).page
    assert page.locator("a[href]").count() > 5
    assert page.evaluate(SMALL_TARGETS, TAP) == []


# --- 4. 大字版 -----------------------------------------------------------------------------

STATE = """() => ({
  big: document.documentElement.classList.contains("big"),
  pressed: document.getElementById("big").getAttribute("aria-pressed"),
  size: parseFloat(getComputedStyle(document.body).fontSize),
  color: getComputedStyle(document.body).color,
})"""

BROKEN_NUMBERS = """() => [...document.querySelectorAll("header a.tel, .hotline .nw, .body a.tel")]
  .filter((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
  })
  .map((el) => el.textContent)"""

# Whether <html> has the class when the first frame is drawn (an init script runs first).
FIRST_FRAME = """
requestAnimationFrame(() => {
  window.__bigAtFirstFrame = document.documentElement.classList.contains("big");
});
"""


def test_large_type_is_one_tap_and_stays_on_every_page(
    open_page: OpenPage, demo: DemoSite, phone: tuple[int, int]
) -> None:
    W, H = phone
    watched = open_page(demo.estate_path, width=W, height=H)
    page = watched.page
    page.wait_for_load_state("networkidle")  # leaving earlier would abort the icon's request
    before = page.evaluate(STATE)
    assert before["big"] is False and before["pressed"] == "false"
    button = page.locator("header button#big")
    assert button.inner_text().strip() == "大字版"
    button.tap()
    after = page.evaluate(STATE)
    assert after["big"] is True and after["pressed"] == "true"
    assert after["size"] >= before["size"] * 1.25, (before, after)
    assert after["color"] == "rgb(0, 0, 0)", after  # high contrast: black on white
    watched.screenshot(f"reading-estate-large-type-{W}x{H}")
    assert page.evaluate(BROKEN_NUMBERS) == [], "a phone number split over two lines"
    assert page.evaluate("document.documentElement.scrollWidth") <= W
    assert watched.problems() == []

    page.context.add_init_script(FIRST_FRAME)
    for path in (demo.notice_path, demo.estate_path + "fees/", "/en" + demo.estate_path, "/"):
        page.goto(demo.url(path), wait_until="networkidle")
        state = page.evaluate(STATE)
        assert state["big"] is True and state["pressed"] == "true", path
        assert page.evaluate("window.__bigAtFirstFrame") is True, f"{path} painted small first"
        assert page.evaluate("document.documentElement.scrollWidth") <= W, path

    page.locator("header button#big").tap()  # and off again, remembered too
    page.reload(wait_until="networkidle")
    assert page.evaluate(STATE)["big"] is False
    assert watched.problems() == []


def test_a_link_with_large_1_switches_large_type_on_before_the_first_frame_and_keeps_it(
    open_page: OpenPage, demo: DemoSite, phone: tuple[int, int]
) -> None:
    W, H = phone
    watched = open_page(demo.estate_path, width=W, height=H)
    page = watched.page
    page.context.add_init_script(FIRST_FRAME)
    page.goto(demo.url(demo.notice_path + "?large=1"), wait_until="networkidle")
    assert page.evaluate(STATE)["big"] is True
    assert page.evaluate("window.__bigAtFirstFrame") is True, "painted small first"
    page.goto(demo.url(demo.estate_path), wait_until="networkidle")  # remembered
    assert page.evaluate(STATE)["big"] is True
    page.goto(demo.url(demo.estate_path + "?large=0"), wait_until="networkidle")
    assert page.evaluate(STATE)["big"] is False
    assert watched.problems() == []


def test_large_type_runs_inline_before_the_body_and_no_script_file_blocks_the_first_view(
    open_page: OpenPage, demo: DemoSite, phone: tuple[int, int]
) -> None:
    W, H = phone
    watched = open_page(demo.estate_path, width=W, height=H)
    page = watched.page
    script = page.locator("head script")
    assert script.count() == 2
    early, large = script.nth(0), script.nth(1)
    assert early.get_attribute("src") is None  # early.js, admitted by its hash
    assert len(early.inner_text()) < 400
    assert page.evaluate("document.documentElement.classList.contains('js')") is True
    src = large.get_attribute("src") or ""
    assert src.startswith("/assets/") and src.endswith(".js")
    assert large.get_attribute("defer") is not None  # the button: after the parse
    size = page.evaluate("(src) => fetch(src).then((r) => r.text()).then((t) => t.length)", src)
    assert size < 2000
    assert watched.problems() == []  # no CSP report: the policy admits the inline script


def test_pages_follow_the_phones_font_size(
    open_page: OpenPage, demo: DemoSite, phone: tuple[int, int]
) -> None:
    W, H = phone
    page = open_page(demo.notice_path, width=W, height=H).page
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 24}})  # the phone's text size
        page.reload(wait_until="load")
        bigger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        h1 = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    finally:
        cdp.detach()
    assert bigger == pytest.approx(normal * 24 / 16, rel=0.02), (normal, bigger)
    assert h1 == pytest.approx(24 * 1.5, rel=0.02)
    assert page.evaluate("document.documentElement.scrollWidth") <= W
