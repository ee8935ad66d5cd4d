"""The parts of every page that depend only on the language and a phone number (the header's
tools, the footer's hotline and links), and a notice list's category chips, are rendered once
per build, not on every page."""

from __future__ import annotations

from portal.site import build
from tests.unit.sitebuild.conftest import Site, notice


def test_the_header_tools_and_footer_render_once_per_language_and_number(site: Site) -> None:
    result = site.build()
    assert result.errors == [] and result.pages > 60
    env = next(e for e in build._ENV_CACHE.values() if "chrome" in e.globals)
    made = env.globals["chrome"].done
    parts = {key[0] for key in made}
    assert parts == {"tools", "footer", "nav"}
    assert len(made) <= 3 * 2 * 4  # parts x languages x (estates' numbers and none)
    page = site.page("notices/water/index.html")
    assert page.count('<a class="tel"') >= 2 and 'aria-label="导航"' in page
    assert made[("nav", "zh-CN")] in page


def test_a_lists_category_chips_render_once_per_list_and_category(site: Site) -> None:
    for i in range(30):  # two pages of the estate's list
        site.write(f"notices/c{i:02d}.md", notice(f"第{i}号通知", "2026-11-10T09:00:00+08:00"))
    site.build()
    env = next(e for e in build._ENV_CACHE.values() if "listing" in e.globals)
    made = env.globals["listing"].done
    first = site.page("estates/lanting/notices/index.html")
    second = site.page("estates/lanting/notices/page/2/index.html")
    chips = [html for html in made.values() if html in first]
    assert len(chips) == 1 and chips[0] in second  # one render for both pages of the list
    assert 'aria-current="page"' in chips[0]
