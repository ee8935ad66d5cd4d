"""The estate pages as an owner reads them on a phone, at 360×640 and 390×844 (issue 12).

The month's campaign high on the estate home with what it asks and the next event; the
campaign page's past events marked and the calendar explained; a notice printed for the
lobby board from its page's print button, on one A4 page (printed to PDF by Chromium, pages
counted) with its QR code, and the page on screen as it was once printed; the archive of expired notices; the header's home link to the owner's
estate or the last one visited; and no loss at 200 % zoom, large type included.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.support import OVERFLOWING, DemoSite, OpenPage, press_print

PHONES = [pytest.param((360, 640), id="360x640"), pytest.param((390, 844), id="390x844")]
LONG_NOTICE = "2026-10-09-lanting-secondary-water-supply"  # about 800 characters, expired
TABLE_NOTICE = "2026-11-05-all-kpi-october"  # a table of figures
BURST_PIPE = "2026-11-21-lanting-burst-pipe-b3"
COLD_WAVE = "2026-11-21-all-cold-wave-alert"  # for every estate
PDF_PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")


def _top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return float(box["y"])


# --- 2. the month's campaign ---------------------------------------------------------------


@pytest.mark.parametrize("size", PHONES)
def test_the_months_campaign_is_high_on_the_estate_home_with_its_ask_and_next_event(
    open_page: OpenPage, demo: DemoSite, size: tuple[int, int]
) -> None:
    width, height = size
    watched = open_page(demo.estate_path, width=width, height=height)
    page = watched.page
    watched.screenshot(f"owner-estate-campaign-{width}x{height}")
    feature = page.locator("section.feature")
    assert demo.campaign_title in feature.inner_text()
    # Right after the urgent and pinned notices, before the latest: within the second screen.
    assert _top(page, "#imp") < _top(page, "#cmp") < _top(page, "#new")
    assert _top(page, "#cmp") < 2 * height, "the campaign is more than a screen down"
    assert feature.locator("p.ask").inner_text().strip()
    next_line = feature.locator("p.next").inner_text()
    assert next_line.startswith("下次活动：") and "11月28日" in next_line, next_line
    assert page.evaluate(OVERFLOWING, width) == []
    assert watched.problems() == []


@pytest.mark.parametrize("size", PHONES)
def test_campaign_page_marks_past_events_and_offers_the_phones_calendar(
    open_page: OpenPage, demo: DemoSite, size: tuple[int, int]
) -> None:
    width, height = size
    watched = open_page(demo.campaign_path, width=width, height=height)
    page = watched.page
    events = page.locator("ul.events > li")
    over = [events.nth(i).evaluate("li => li.classList.contains('over')")
            for i in range(events.count())]  # fmt: skip
    assert over == [True, True, False], over  # 7 and 21 November are over on the 22nd
    assert "已结束" in events.nth(0).inner_text() and "下一场" in events.nth(2).inner_text()
    link = page.get_by_role("link", name="加入手机日历")
    assert link.is_visible() and (link.get_attribute("href") or "").endswith("events.ics")
    text = page.inner_text("main")
    assert "手机自带的“日历”" in text and "在浏览器打开" in text  # and inside WeChat
    # The calendar file is served as a calendar (what the phone's browser hands to the app).
    ics = page.request.get(demo.url(demo.campaign_path + "events.ics"))
    assert ics.ok and ics.text().startswith("BEGIN:VCALENDAR")
    assert page.evaluate(OVERFLOWING, width) == []
    assert watched.problems() == []


# --- 3. printing a notice ------------------------------------------------------------------


@pytest.mark.parametrize("slug", [LONG_NOTICE, TABLE_NOTICE, BURST_PIPE])
def test_a_notice_printed_from_its_page_fits_one_a4_page_with_its_qr_code(
    open_page: OpenPage, demo: DemoSite, slug: str
) -> None:
    watched = open_page(f"/notices/{slug}/")
    page = press_print(watched)
    assert page.locator("figure.qr svg").is_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    assert len(PDF_PAGE.findall(pdf)) == 1, f"{slug} prints on {len(PDF_PAGE.findall(pdf))} pages"
    assert watched.problems() == []


def test_the_long_demo_notice_is_about_eight_hundred_characters(
    open_page: OpenPage, demo: DemoSite
) -> None:
    page = open_page(f"/notices/{LONG_NOTICE}/").page
    chars = len(re.sub(r"\s", "", page.inner_text(".body")))
    assert 750 <= chars <= 850, chars


@pytest.mark.parametrize("size", PHONES)
def test_the_print_button_is_in_reach_and_loads_its_script_only_when_pressed(
    open_page: OpenPage, demo: DemoSite, size: tuple[int, int]
) -> None:
    width, height = size
    watched = open_page(f"/notices/{BURST_PIPE}/", width=width, height=height)
    page = watched.page
    page.wait_for_load_state("networkidle")
    button = page.locator("button#print")
    assert button.inner_text() == "打印张贴"
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44, box
    loaded = "performance.getEntriesByType('resource').map((e) => e.name)"
    assert not [u for u in page.evaluate(loaded) if "qrprint" in u or "/print." in u]
    press_print(watched, media="screen")
    assert [u for u in page.evaluate(loaded) if "qrprint" in u]
    # After printing, the page on screen is as it was: no QR code, the header back.
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("header.top").is_visible()
    assert not page.locator("figure.qr").is_visible()
    assert watched.problems() == []


def test_the_print_button_header_and_footer_are_not_printed(
    open_page: OpenPage, demo: DemoSite
) -> None:
    page = press_print(open_page(f"/notices/{BURST_PIPE}/"))
    for selector in ("button#print", "header.top", "footer"):
        assert not page.locator(selector).is_visible(), selector


# --- 4. archives -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", PHONES)
def test_expired_notices_are_found_in_the_estates_archive(
    open_page: OpenPage, demo: DemoSite, size: tuple[int, int]
) -> None:
    width, height = size
    watched = open_page(demo.estate_path + "notices/works/", width=width, height=height)
    page = watched.page
    page.locator("a.arch").tap()
    page.wait_for_url(demo.url(demo.estate_path + "notices/archive/works/"))
    assert page.locator("h1").inner_text().endswith("已过期的公告")
    titles = page.locator("ul.list > li > a")
    assert "二次供水设施改造" in " ".join(titles.all_inner_texts())
    watched.screenshot(f"owner-archive-{width}x{height}")
    assert page.evaluate(OVERFLOWING, width) == []
    assert watched.problems() == []


# --- 8. the estate remembered ------------------------------------------------------------------


def test_the_headers_home_link_goes_to_the_last_estate_visited_or_the_owners(
    open_page: OpenPage, demo: DemoSite
) -> None:
    watched = open_page("/estates/meixi/")
    page = watched.page
    page.wait_for_load_state("networkidle")
    for path in ("/", f"/notices/{COLD_WAVE}/", "/campaigns/"):
        page.goto(demo.url(path), wait_until="networkidle")
        assert page.locator("header a.brand").get_attribute("href") == "/estates/meixi/", path
    page.goto(demo.url("/en/newsletter/"), wait_until="networkidle")
    assert page.locator("header a.brand").get_attribute("href") == "/en/estates/meixi/"
    # Signed in, "我的" keeps the owner's estate: it comes first.
    page.evaluate("localStorage.setItem('estate.mine', 'lanting')")
    page.goto(demo.url("/estates/meixi/fees/"), wait_until="networkidle")
    page.goto(demo.url("/"), wait_until="networkidle")
    assert page.locator("header a.brand").get_attribute("href") == "/estates/lanting/"
    page.locator("header a.brand").tap()
    page.wait_for_url(demo.url("/estates/lanting/"))
    assert watched.problems() == []


def test_without_a_remembered_estate_the_home_link_is_the_sites_home(
    open_page: OpenPage, demo: DemoSite
) -> None:
    page = open_page(f"/notices/{BURST_PIPE}/").page
    page.wait_for_load_state("networkidle")
    assert page.locator("header a.brand").get_attribute("href") == "/estates/lanting/"  # its own
    page.goto(demo.url("/campaigns/"), wait_until="networkidle")
    assert page.locator("header a.brand").get_attribute("href") == "/"


def test_remembering_the_estate_adds_no_request(open_page: OpenPage, demo: DemoSite) -> None:
    watched = open_page(demo.estate_path)
    page = watched.page
    page.wait_for_load_state("networkidle")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(demo.url("/"), wait_until="networkidle")
    assert [u for u in requests if not u.endswith((".js", ".svg"))] == [demo.url("/")], requests


# --- 200 % zoom --------------------------------------------------------------------------------

ZOOMED = [
    pytest.param(w, big, id=f"{w * 2}px-200pct{'-large' if big else ''}")
    for w in (180, 195)  # 360 and 390 CSS px at 200 %
    for big in (False, True)
]


@pytest.mark.parametrize(("width", "big"), ZOOMED)
@pytest.mark.parametrize("where", ["estate", "notice"])
def test_estate_home_and_notice_zoomed_to_200_percent_lose_nothing(
    open_page: OpenPage, demo: DemoSite, width: int, big: bool, where: str
) -> None:
    path = demo.estate_path if where == "estate" else f"/notices/{BURST_PIPE}/"
    watched = open_page(path, width=width, height=400)
    page = watched.page
    page.wait_for_load_state("networkidle")
    if big:
        page.locator("header button#big").tap()
        assert page.evaluate("document.documentElement.classList.contains('big')")
    assert page.evaluate(OVERFLOWING, width) == []
    inner, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert inner == width and scroll <= width
    watched.screenshot(f"owner-{where}-{width * 2}-200pct{'-large' if big else ''}")
    assert watched.problems() == []
