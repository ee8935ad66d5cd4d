"""What an owner reads on the estate pages (issue 12, items 2, 3, 4, 7, 8), from the build output.

The month's campaign high on the estate home with what it asks and its next event; past
events marked; the calendar file explained; archives of expired notices per estate and
category, paged, rebuilt when a notice expires; the home's "latest" without last season's
tips; words as people say them; the print view sized to fit one A4 page.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from textwrap import dedent

import pytest

from portal.site.estatepages import LATEST_DAYS
from portal.site.moments import next_change
from portal.site.render import PRINT_SIZES, print_size
from portal.sourcefile import FieldReader, LineDict, unfold
from tests.unit.sitebuild.conftest import NOW, Site, notice

HOME = "estates/lanting/index.html"
ARCHIVE = "estates/lanting/notices/archive/index.html"


def _main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


# --- 2. the month's campaign ---------------------------------------------------------------

CAMPAIGN = dedent("""\
    ---
    month: 11
    title: 消防安全宣传月
    theme: 消防安全 · 楼道清障
    ask: 请在11月28日楼道清障日前，清走楼道里自家的杂物。
    events:
      - {title: 消防演练, start: "11-15T09:30", end: "11-15T11:00", location: 中心广场}
      - {title: 楼道清障日, start: "11-28T09:00", end: "11-28T17:00", location: 各楼栋}
    ---
    清理楼道杂物，人人有责。
    """)


def test_campaign_comes_right_after_the_important_notices_with_its_ask_and_next_event(
    site: Site,
) -> None:
    site.write("campaigns/11-fire.md", CAMPAIGN)
    assert site.build().errors == []
    main = _main(site.page(HOME))
    assert main.index('id="imp"') < main.index('id="cmp"') < main.index('id="new"')
    feature = main.split('id="cmp"', 1)[1].split("</section>", 1)[0]
    assert "请在11月28日楼道清障日前，清走楼道里自家的杂物。" in feature
    # The next event: the one not over yet, as people say the day.
    assert re.search(r"下次活动：<time[^>]*>11月28日 09:00</time> 楼道清障日 · 各楼栋", feature)
    assert "消防演练" not in feature


def test_campaign_without_an_ask_shows_its_theme_and_no_next_event_once_all_are_over(
    built: Site,
) -> None:
    feature = _main(built.page(HOME)).split('id="cmp"', 1)[1].split("</section>", 1)[0]
    assert "消防安全 · 楼道清障" in feature  # the theme stands in for the ask
    assert "下次活动" not in feature  # its one event (15 November) is over


def test_campaign_page_marks_past_events_and_explains_the_calendar_for_wechat(site: Site) -> None:
    site.write("campaigns/11-fire.md", CAMPAIGN)
    site.build()
    html = site.page("campaigns/2026-11/index.html")
    items = re.findall(r"<li( class=\"over\")?><strong>([^<]+)</strong>(.*?)</li>", html, re.S)
    marks = {title: (bool(over), "已结束" in rest, "下一场" in rest) for over, title, rest in items}
    assert marks == {"消防演练": (True, True, False), "楼道清障日": (False, False, True)}
    assert re.search(r'<a href="/campaigns/2026-11/events.ics" download>加入手机日历</a>', html)
    text = _text(html)
    assert "用手机自带的“日历”打开" in text
    assert "在微信里打不开日历文件" in text and "在浏览器打开" in text
    assert "(.ics)" not in text and "（.ics）" not in text


def test_the_calendar_link_goes_once_every_event_is_over(site: Site) -> None:
    site.write("campaigns/11-fire.md", CAMPAIGN)
    site.build(now=datetime.fromisoformat("2026-11-29T10:00:00+08:00"))
    html = site.page("campaigns/2026-11/index.html")
    assert "events.ics" not in html and html.count('class="over"') == 2
    assert "下次活动" not in site.page(HOME)


def test_the_site_clock_rebuilds_when_the_next_event_is_over(site: Site) -> None:
    site.write("campaigns/11-fire.md", CAMPAIGN)
    first = site.build(now=datetime.fromisoformat("2026-11-28T16:00:00+08:00"))
    assert first.next_change == datetime.fromisoformat("2026-11-28T17:00:00+08:00")
    again = site.build(now=datetime.fromisoformat("2026-11-28T17:00:00+08:00"))
    assert HOME in again.written and "campaigns/2026-11/index.html" in again.written
    assert "下次活动" not in site.page(HOME)


# --- 4. archives and what "latest" shows ---------------------------------------------------


def test_expired_notices_have_an_archive_per_estate_and_category(built: Site) -> None:
    archive = built.page(ARCHIVE)
    assert "旧的停电通知" in archive and "已过期的公告" in archive
    assert "2栋停水通知" not in archive  # still current
    assert "旧的停电通知" in built.page("estates/lanting/notices/archive/outage/index.html")
    # Only categories with expired notices get an archive page (and a chip).
    assert not (built.out / "estates/lanting/notices/archive/fees/index.html").exists()
    assert 'href="/estates/lanting/notices/archive/fees/"' not in archive
    assert not (built.out / "estates/meixi/notices/archive/index.html").exists()
    # The current lists link to it (the category's to the category's), with how many it holds.
    assert re.search(r'href="/estates/lanting/notices/archive/outage/">查看已过期的公告（1条）</a>',
                     built.page("estates/lanting/notices/outage/index.html"))  # fmt: skip
    assert re.search(r'href="/estates/lanting/notices/archive/">查看已过期的公告（1条）</a>',
                     built.page("estates/lanting/notices/index.html"))  # fmt: skip


def test_a_category_without_current_notices_says_so_instead_of_no_notices(built: Site) -> None:
    html = built.page("estates/lanting/notices/works/index.html")
    assert "目前没有有效的“维修施工”公告。" in html
    for page in built.out.rglob("*.html"):
        assert "暂无公告" not in page.read_text(encoding="utf-8"), page


def test_archives_are_paged_twenty_a_page(site: Site) -> None:
    for day in range(1, 26):
        site.write(f"notices/old-{day:02d}.md", notice(
            f"旧通知{day}", f"2026-09-{day:02d}T09:00:00+08:00",
            extra=f"expires: 2026-10-{day:02d}T00:00:00+08:00\n"))  # fmt: skip
    assert site.build().errors == []
    first = site.page(ARCHIVE)
    second = site.page("estates/lanting/notices/archive/page/2/index.html")
    assert first.count("旧通知") == 20 and "第1页，共2页" in first
    assert second.count("旧通知") == 5 and "旧的停电通知" in second  # 25 + the content's own
    assert "旧通知25" in first and "旧通知1<" in second  # recently expired first


def test_a_notice_that_expires_moves_to_the_archive_at_that_moment(site: Site) -> None:
    site.write("notices/water.md", notice("2栋停水通知", "2026-11-20T09:00:00+08:00",
                                          extra="expires: 2026-11-23T00:00:00+08:00\n"))  # fmt: skip
    before = site.build()
    assert "2栋停水通知" not in site.page(ARCHIVE)
    moment = datetime.fromisoformat("2026-11-23T00:00:00+08:00")
    assert before.next_change == moment
    after = site.build(now=moment)
    assert ARCHIVE in after.written
    assert "2栋停水通知" in site.page(ARCHIVE)
    assert "2栋停水通知" in site.page("estates/lanting/notices/archive/outage/index.html")
    assert "2栋停水通知" not in site.page("estates/lanting/notices/index.html")


def test_last_summers_tips_stay_in_the_lists_but_not_in_the_homes_latest(site: Site) -> None:
    site.write("notices/summer.md", notice("夏季空调安装注意事项", "2026-07-06T09:00:00+08:00",
                                           category="tips"))  # fmt: skip
    site.build()
    assert "夏季空调安装注意事项" not in site.page(HOME)
    assert "夏季空调安装注意事项" in site.page("estates/lanting/notices/tips/index.html")


def test_a_notice_leaves_the_homes_latest_when_its_days_are_up(site: Site) -> None:
    published = datetime.fromisoformat("2026-10-01T09:00:00+08:00")
    site.write("notices/recent.md", notice("十月的温馨提示", published.isoformat(),
                                           category="tips"))  # fmt: skip
    result = site.build(now=published + timedelta(days=LATEST_DAYS - 1))
    assert "十月的温馨提示" in site.page(HOME)
    moment = published + timedelta(days=LATEST_DAYS)
    assert result.next_change is not None and result.next_change <= moment
    site.build(now=moment)
    assert "十月的温馨提示" not in site.page(HOME)


def test_next_change_counts_the_estate_pages_own_moments(built: Site) -> None:
    from portal.estates.source import load_company
    from portal.site.model import SiteModel

    company, _ = load_company(built.content)
    assert company is not None
    model = SiteModel(company=company, now=NOW)
    assert next_change(model) > NOW  # midnight at least; nothing else in an empty model


# --- 7. words ------------------------------------------------------------------------------


def test_expiry_is_said_as_the_last_day_not_the_next_midnight(site: Site) -> None:
    site.write("notices/water.md", notice("2栋停水通知", "2026-11-20T09:00:00+08:00",
                                          extra="expires: 2026-11-26T00:00:00+08:00\n"))  # fmt: skip
    site.write("notices/lift.md", notice("电梯检修", "2026-11-20T09:00:00+08:00",
                                         extra="expires: 2026-11-24T18:00:00+08:00\n"))  # fmt: skip
    site.write("notices/fee.md", notice("预缴通知", "2026-11-20T09:00:00+08:00", category="fees",
                                        extra="expires: 2027-01-31T23:59:59+08:00\n"))  # fmt: skip
    site.build()
    said = {
        slug: re.search(r"有效期至 <time[^>]*>([^<]+)</time>", site.page(f"notices/{slug}/index.html"))
        for slug in ("water", "lift", "fee")
    }  # fmt: skip
    assert {k: m.group(1) if m else None for k, m in said.items()} == {
        "water": "11月25日", "lift": "11月24日 18:00", "fee": "2027年1月31日",
    }  # fmt: skip
    en = site.page("en/notices/water/index.html")
    assert re.search(r"Valid until <time[^>]*>25 Nov</time>", en)


def test_an_expired_notice_says_until_when_it_held(built: Site) -> None:
    html = built.page("notices/old/index.html")
    assert "本公告有效期至 1月6日 18:00，现已过期，仅供查阅。" in html


def test_an_issue_number_the_title_already_says_is_not_said_twice(built: Site) -> None:
    for page in ("newsletter/index.html", "newsletter/3/index.html", HOME):
        text = _text(_main(built.page(page)))
        assert text.count("第3期") == 1, (page, text)
        assert "第 3 期" not in text
    built.write("newsletter/2026-11/index.md",
                "---\nissue: 3\ntitle: 兰亭家园秋季刊\npublished: 2026-11-10\n---\n编者按。\n")  # fmt: skip
    built.build()
    assert "第3期" in _text(_main(built.page("newsletter/3/index.html")))


def test_the_feed_has_a_plain_name_and_is_still_there(built: Site) -> None:
    html = built.page(HOME)
    assert "Atom" not in _text(_main(html))
    assert '<a href="/estates/lanting/feed.xml">用阅读器订阅本小区公告</a>' in html
    assert 'type="application/atom+xml"' in html
    assert (built.out / "estates/lanting/feed.xml").is_file()


def test_my_page_is_named_the_same_in_the_footer_and_on_the_page(built: Site) -> None:
    for lang in ("", "en/"):
        footer = built.page(f"{lang}index.html").split("<footer>", 1)[1]
        link = re.search(rf'<a href="/{lang}account/">([^<]+)</a>', footer)
        h1 = re.search(r"<h1>([^<]+)</h1>", built.page(f"{lang}account/index.html"))
        assert link and h1 and link.group(1) == h1.group(1), (lang, link, h1)


def test_chinese_folded_over_yaml_lines_has_no_stray_spaces() -> None:
    meta = LineDict(intro="成立于2009年，服务业主一千二百余户。 我们坚持“品质服务”， 按“15-30-60”响应")
    meta.line = 1
    text = FieldReader("company.yaml").text(meta, "intro")
    assert text == "成立于2009年，服务业主一千二百余户。我们坚持“品质服务”，按“15-30-60”响应"
    assert unfold("Two estates with\nmore than 1,200 homes") == "Two estates with\nmore than 1,200 homes"
    assert unfold("消防安全 · 楼道清障") == "消防安全 · 楼道清障"


def test_the_demo_companys_introduction_reads_without_stray_spaces(site: Site) -> None:
    site.write("company.yaml", site.content.joinpath("company.yaml").read_text(encoding="utf-8")
               .replace('  hotline: "400-800-1234"\n', '  hotline: "400-800-1234"\n  intro: >-\n'
                        "    服务业主一千二百余户。\n    我们坚持品质服务。\n", 1))  # fmt: skip
    site.build()
    assert "一千二百余户。我们坚持品质服务。" in site.page("index.html")


# --- 3. printing a notice, 8. the estate remembered ---------------------------------------------


def test_a_notice_prints_smaller_the_longer_it_is_and_a_short_one_at_full_size(
    site: Site,
) -> None:
    long_body = "。".join(["请各位业主提前储水并关好水龙头"] * 50)  # about 750 characters
    site.write("notices/long.md", notice("二次供水改造期间分时段供水", "2026-11-20T09:00:00+08:00",
                                         body=long_body))  # fmt: skip
    site.build()
    html = site.page("notices/long/index.html")
    assert '<article class="p-xl">' in html
    assert '<button type="button" id="print" class="bigt" ' in html
    assert "<article>" in site.page("notices/water/index.html")  # short: printed large


def test_estate_pages_name_their_estate_for_the_header_link_and_others_do_not(built: Site) -> None:
    for page in (HOME, "estates/lanting/notices/index.html", "estates/lanting/fees/index.html",
                 ARCHIVE):  # fmt: skip
        assert '<body data-estate="lanting">' in built.page(page), page
    for page in ("index.html", "notices/water/index.html", "campaigns/index.html"):
        assert "<body>" in built.page(page), page


@pytest.mark.parametrize(("limit", "name"), PRINT_SIZES)
def test_a_notice_prints_at_the_size_its_length_calls_for(limit: int, name: str) -> None:
    assert print_size("<p>" + "停" * limit + "</p>") == next(
        (n for lim, n in PRINT_SIZES if limit > lim), "")  # fmt: skip
    assert print_size("<p>" + "停 \n" * (limit + 1) + "</p>") == name  # white space not counted
    assert print_size("<p>&amp;" + "&lt;" * limit + "</p>") == name  # an entity is one character
