"""The parts of every page that depend only on the language and a phone number (the header's
tools, the footer's hotline and links) are rendered once per build, not on every page."""

from __future__ import annotations

from portal.site import build
from tests.unit.sitebuild.conftest import Site


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
