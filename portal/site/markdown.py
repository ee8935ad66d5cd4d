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


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(html: str, limit: int = 120) -> str:
    """A short plain-text summary of rendered HTML (for feeds and meta descriptions)."""
    text = _SPACE.sub(" ", _TAG.sub(" ", html)).strip()
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    text = text.replace("&quot;", '"').replace("&#39;", "'")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
