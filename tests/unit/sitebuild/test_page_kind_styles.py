"""Each page kind inlines a cut of the stylesheets: every rule its markup can match, fewer
bytes than the whole file, admitted by the page's policy and by the headers'."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from portal import ROOT
from portal.site import stylesheet
from portal.site.security import inline_hash, inline_scripts, inline_styles, page_styles, policy
from portal.site.stylesheet import SCRIPTS, Kinds, Rule, parse, requires
from tests.unit.sitebuild.conftest import Site

CLOUDFRONT_CSP_LIMIT = 1783  # characters of a response headers policy's CSP


class _Words(HTMLParser):
    """What a page's markup offers a selector: element and attribute names, classes, ids."""

    def __init__(self) -> None:
        super().__init__()
        self.words: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.words.add(tag)
        for name, value in attrs:
            self.words.add(name)
            if name in ("class", "id") and value:
                self.words.update(value.split())


def _page_words(html: str) -> frozenset[str]:
    parser = _Words()
    parser.feed(html)
    runtime = {c for classes in SCRIPTS.values() for c in classes}  # large.js sets them
    return frozenset(parser.words | runtime)


def _selectors(rules: tuple[Rule, ...], media: str = "") -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for rule in rules:
        if rule.children:
            out |= _selectors(rule.children, rule.selectors[0])
        elif not rule.at:
            out |= {(media, s) for s in rule.selectors}
    return out


def _inlined(html: str) -> list[str]:
    return re.findall(r"<style>(.*?)</style>", html, re.S)


def test_every_rule_a_built_page_can_match_is_in_its_inlined_styles(built: Site) -> None:
    whole = inline_styles()
    sheets = [parse(whole["inline_css"]), parse(whole["print_css"])]
    checked = 0
    for path in sorted(built.out.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        words = _page_words(html)
        for full, inlined in zip(sheets, _inlined(html), strict=False):
            have = _selectors(parse(inlined))
            needed = {(m, s) for m, s in _selectors(full) if requires(s) <= words}
            assert needed <= have, (path, sorted(needed - have)[:5])
            checked += 1
    assert checked > 60


def test_a_notice_inlines_less_than_the_whole_stylesheet_and_only_its_own_hash(
    built: Site,
) -> None:
    whole = inline_styles()
    html = built.page("notices/water/index.html")
    (inlined,) = _inlined(html)
    assert len(inlined) < 0.8 * len(whole["inline_css"])
    assert ".pager" not in inlined and ".months" not in inlined  # the lists' and calendar's
    assert ".top{" in inlined and ":root.big{" in inlined and "@media print{" in inlined
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert meta is not None and meta.group(1) == policy(styles=[inlined])
    style_src, script_src = (
        re.search(rf"{d} ([^;]+)", meta.group(1)) for d in ("style-src", "script-src")
    )
    assert style_src is not None and style_src.group(1) == f"'self' {inline_hash(inlined)}"
    assert script_src is not None  # and the one inline script, early.js, by its hash
    assert script_src.group(1) == f"'self' {inline_hash(inline_scripts()['early_js'])}"


def test_the_headers_policy_admits_every_kinds_styles_and_fits_cloudfront(built: Site) -> None:
    header = policy(header=True, media_origins=["https://b.s3.ap-east-1.amazonaws.com"])
    for path in built.out.rglob("*.html"):
        for css in _inlined(path.read_text(encoding="utf-8")):
            assert inline_hash(css) in header, path
    assert len(header) <= CLOUDFRONT_CSP_LIMIT
    assert "unsafe-inline" not in header


def test_the_publishing_page_admits_every_kinds_styles_for_its_preview_frames(built: Site) -> None:
    """The editor's preview is a frame (srcdoc) that inherits the publishing page's policy."""
    html = built.page("staff/publishing/index.html")
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert meta is not None
    for css in page_styles(ROOT / "site"):
        assert inline_hash(css) in meta.group(1)


def test_a_selector_requires_its_classes_elements_and_attributes_not_what_is_negated() -> None:
    assert requires("html:not(.js) .bigt") == {"html", "bigt"}
    assert requires(".chips [aria-current]") == {"chips", "aria-current"}
    assert requires(".bigt[aria-pressed=true]") == {"bigt", "aria-pressed"}
    assert requires(":root.big") == {"big"}
    assert requires(".art:first-of-type") == {"art"}
    assert requires("main>p>a") == {"main", "p", "a"}
    assert requires("*") == frozenset()


def test_a_template_that_loads_another_script_keeps_the_whole_stylesheet(tmp_path: Path) -> None:
    css = ".a{color:red}\n.b{color:blue}"
    (tmp_path / "reading.html").write_text('<p class="a">{{ inline_css }}</p>', encoding="utf-8")
    (tmp_path / "acting.html").write_text(
        '<p class="a">{{ inline_css }}<script src="{{ asset(\'bills.js\') }}"></script>',
        encoding="utf-8",
    )
    kinds = Kinds(tmp_path, {"inline_css": css})
    assert kinds.styles("acting.html") == {"inline_css": css}
    stylesheet.KINDS["reading.html"] = "reading"
    try:
        assert kinds.styles("reading.html") == {"inline_css": ".a{color:red}"}
    finally:
        del stylesheet.KINDS["reading.html"]


def test_the_repositorys_kinds_are_few() -> None:
    assert 2 <= len(page_styles(ROOT / "site")) <= 6
