"""Each page kind inlines a cut of the stylesheets (portal.site.stylesheet): Chromium computes
exactly the same style for every element with the cut as with the whole files, on a phone,
in large type (大字版), on a very narrow screen and printed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from portal.site.security import inline_styles
from tests.browser.support import DemoSite

# Every computed property of every element.
_STYLES = """
() => {
  const out = [];
  for (const el of document.querySelectorAll("*")) {
    const s = getComputedStyle(el);
    const props = [];  // sorted: custom properties come in no fixed order
    for (let i = 0; i < s.length; i++) props.push(s[i] + ":" + s.getPropertyValue(s[i]));
    out.push([el.tagName, el.className, ...props.sort()].join(";"));
  }
  return out;
}
"""
_WHOLE = """
([style, print]) => {
  const blocks = document.querySelectorAll("style");
  blocks[0].textContent = style;
  if (blocks.length > 1) blocks[1].textContent = print;
  return blocks.length;
}
"""
_MODES = [  # (width, media, large type)
    (390, "screen", False),
    (390, "screen", True),
    (240, "screen", True),  # narrower than 16em: the small-screen rules
    (390, "print", False),
]


@pytest.fixture
def bare(browser: Browser) -> Iterator[BrowserContext]:
    """A context that may swap a page's inline styles (the CSP admits only the cut's hash)."""
    context = browser.new_context(bypass_csp=True)
    yield context
    context.close()


def _paths(demo: DemoSite) -> list[str]:
    estate = demo.estate_path
    return [
        demo.notice_path, "/en" + estate, "/en" + demo.notice_path, estate,
        estate + "notices/", "/", demo.campaign_path, demo.campaign_path + "print/",
        "/campaigns/", "/newsletter/", "/commitments/", estate + "service/", estate + "fees/",
        "/404.html", "/account/",
    ]  # fmt: skip


PAGES = 15
"""How many pages :func:`_paths` names (each is a test of its own, spread over the workers)."""


def _all_modes(page: Page) -> list[list[str]]:
    """The computed styles in each of the modes, on the page as it is loaded now."""
    out = []
    for width, media, large in _MODES:
        page.set_viewport_size({"width": width, "height": 800})
        page.emulate_media(media=media)  # type: ignore[arg-type]
        page.evaluate("big => document.documentElement.classList.toggle('big', big)", large)
        out.append(page.evaluate(_STYLES))
    return out


def test_the_pages_checked_are_all_named(demo: DemoSite) -> None:
    assert len(_paths(demo)) == PAGES


@pytest.mark.parametrize("index", range(PAGES))
def test_every_element_is_styled_the_same_by_its_kinds_cut_as_by_the_whole_stylesheets(
    demo: DemoSite, bare: BrowserContext, index: int
) -> None:
    path = _paths(demo)[index]
    whole = inline_styles()
    page = bare.new_page()
    # "networkidle": a page's script has had its answers (the account page asks /api/me and
    # says so in #status), so nothing changes between the two snapshots but the styles.
    page.goto(demo.url(path), wait_until="networkidle")
    cut = _all_modes(page)
    assert page.evaluate(_WHOLE, [whole["inline_css"], whole["print_css"]]) >= 1, path
    full = _all_modes(page)
    for (width, media, large), cut_styles, full_styles in zip(_MODES, cut, full, strict=True):
        differ = [(a, b) for a, b in zip(cut_styles, full_styles, strict=True) if a != b]
        assert not differ, (path, width, media, large, differ[:1])
