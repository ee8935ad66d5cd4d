"""What the browser tests share: the demo site being served and a watched page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from playwright.sync_api import Page

from portal import ROOT

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@dataclass(frozen=True)
class DemoSite:
    """The built demo site being served, and what its pages must show."""

    base_url: str
    root: Path
    estate_slug: str
    estate_name_zh: str
    estate_name_en: str
    estate_hotline: str
    company_hotline: str
    notice_slug: str
    notice_title: str
    campaign_key: str
    campaign_title: str
    now: datetime
    """The site's "now" (what is published, urgent and unexpired)."""
    content_dir: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def estate_path(self) -> str:
        return f"/estates/{self.estate_slug}/"

    @property
    def notice_path(self) -> str:
        return f"/notices/{self.notice_slug}/"

    @property
    def campaign_path(self) -> str:
        return f"/campaigns/{self.campaign_key}/"


@dataclass
class WatchedPage:
    """A page with everything that went wrong while it loaded and ran."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        found: list[str] = self.page.evaluate("window.__cspViolations || []")
        return found

    def problems(self) -> list[str]:
        return self.console_errors + self.failed_requests + self.csp_violations()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


Media = Literal["screen", "print"]


class OpenPage(Protocol):
    """Opens a site path on a phone-sized page, loaded and watched."""

    def __call__(
        self, path: str, width: int = 390, height: int = 844, media: Media = "screen"
    ) -> WatchedPage: ...


# Every element whose box reaches past the right edge of a ``vw``-wide screen, unless an
# ancestor clips or scrolls it (a wide table scrolls inside its own box, which is
# itself checked). Off-screen-left elements (the skip link) are not overflow.
OVERFLOWING = """
(vw) => {
  const clippedByAncestor = (el) => {
    for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  const out = [];
  for (const el of document.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > vw + 0.5 && !clippedByAncestor(el)) {
      out.push(`${describe(el)} right=${r.right.toFixed(1)} "${(el.textContent || "").trim().slice(0, 40)}"`);
    }
  }
  return out;
}
"""


PRINT_CALLS = """() => {
  window.__printed = 0;
  window.print = () => { window.__printed += 1; };
}"""
"""Count ``window.print()`` calls instead of opening the print dialog."""


def press_print(watched: WatchedPage, media: Media = "print") -> Page:
    """Press a notice page's print button as staff do (the dialog counted, not opened): its
    script (qrprint.js) loads, draws the QR code and adds the A4 styles, then prints; the
    page is then shown as ``media``."""
    page = watched.page
    page.evaluate(PRINT_CALLS)
    page.locator("button#print").click()
    page.locator("figure.qr svg").wait_for(state="attached")
    for _ in range(100):  # the styles load, then it prints (no wait_for_function: the CSP)
        if page.evaluate("window.__printed") == 1:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("window.__printed") == 1, "the page did not print"
    page.emulate_media(media=media)
    return page
