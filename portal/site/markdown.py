"""Staff-written Markdown → safe HTML.

markdown-it-pyrs (markdown-it's rules, compiled: about 30× faster here)
renders CommonMark (+ tables, strikethrough); nh3 (ammonia) then keeps only an
allow-list of tags and attributes. No script, style, iframe, event handler or
``javascript:``/``data:`` URL survives, whatever the staff member pasted.

markdown-it-py, whose port it is, stays as the reference: a unit test checks
that both give the same sanitised HTML on the demo content and a corpus, and
it renders any document on which the compiled one panics (a Rust panic
surfaces as pyo3's ``PanicException``, a ``BaseException``; seen on
``![alt `code` x``), so a stray character never stops a build.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

import markdown_it_pyrs
import nh3

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "del", "s", "u", "sup", "sub",
    "ul", "ol", "li", "blockquote", "code", "pre", "a", "table", "thead", "tbody", "tr", "th",
    "td", "img", "figure", "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@cache
def _fast() -> Any:
    return markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough"])


@cache
def _md() -> MarkdownIt:
    """The reference renderer (markdown-it-py), imported only when it is needed."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


@cache
def _cleaner() -> Any:
    """One nh3 cleaner for the process (building the allow-list per call doubled its cost)."""
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def sanitise(html: str) -> str:
    clean: str = _cleaner().clean(html)
    return clean


def to_html(text: str) -> str:
    """Markdown → HTML, not yet sanitised (raw HTML passes through, as in markdown-it-py)."""
    try:
        html: str = _fast().render(text, xhtml=False)
    except BaseException as exc:  # pyo3's PanicException is not an Exception
        if type(exc).__name__ != "PanicException":
            raise
        html = _md().render(text)
    return html


def reference_html(text: str) -> str:
    """What markdown-it-py renders (the reference the compiled renderer is tested against)."""
    html: str = _md().render(text)
    return html


def render(text: str) -> str:
    """Markdown (raw HTML allowed in, but sanitised out) → safe HTML."""
    html = to_html(text)
    # Headings inside a page start at h2: the page title is the only h1.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return sanitise(html)


_PHONE = re.compile(
    r"(?=[+01])"  # what every number starts with: lets the regex engine skip the rest quickly
    r"(?<![0-9A-Za-z+\-])(?:\+86[- ]?)?"
    r"(?:1[3-9]\d[- ]?\d{4}[- ]?\d{4}"  # a mainland mobile: 138 1234 5678
    r"|0(?:[12]\d|[3-9]\d{2})[- ]?\d{3,4}[- ]?\d{4})"  # a landline: 0731-8816-3311, 010 …
    r"(?![0-9A-Za-z\-])"
)
"""Mainland mobile and landline numbers as people write them (with spaces or dashes);
not 400/800 numbers, dates (2026-11-21) or the digits of a longer number."""
_NO_LINKS_OPEN = re.compile(r"<(?:a|code|pre)\b", re.I)
_NO_LINKS_CLOSE = re.compile(r"</(?:a|code|pre)\s*>", re.I)
"""The elements whose text gets no ``tel:`` link: a link already, code."""


def _tel(match: re.Match[str]) -> str:
    digits = re.sub(r"[^0-9+]", "", match.group(0))
    return f'<a class="tel" href="tel:{digits}">{match.group(0)}</a>'


def link_phones(html: str) -> str:
    """Phone numbers in the text of sanitised HTML → ``tel:`` links (not inside a link,
    code or a tag's attributes). Run after :func:`sanitise`: the links it adds are ours.

    Only the numbers found are looked at (a few per notice), not every piece of the page:
    one inside a tag (after its last ``<``, before a ``>``) or inside more ``<a>``, ``<code>``
    or ``<pre>`` elements opened than closed before it stays as it is."""
    out: list[str] = []
    last = 0
    for match in _PHONE.finditer(html):
        start = match.start()
        if html.rfind("<", 0, start) > html.rfind(">", 0, start):
            continue
        before = html[:start]
        if len(_NO_LINKS_OPEN.findall(before)) > len(_NO_LINKS_CLOSE.findall(before)):
            continue
        out += (html[last:start], _tel(match))
        last = match.end()
    if not out:
        return html
    out.append(html[last:])
    return "".join(out)


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def text_length(html: str) -> int:
    """How many characters the text of rendered HTML has, not counting white space."""
    return len(_SPACE.sub("", _unescape(_TAG.sub("", html))))


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
        "&#39;", "'").replace("&amp;", "&")  # fmt: skip


def plain_text(html: str, limit: int = 120) -> str:
    """A short plain-text summary of rendered HTML (for feeds and meta descriptions)."""
    text = _unescape(_SPACE.sub(" ", _TAG.sub(" ", html)).strip())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
