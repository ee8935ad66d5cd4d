"""Staff-written Markdown → safe HTML.

markdown-it-py renders CommonMark (+ tables, strikethrough); nh3 (ammonia)
then keeps only an allow-list of tags and attributes. No script, style,
iframe, event handler or ``javascript:``/``data:`` URL survives, whatever the
staff member pasted.
"""

from __future__ import annotations

import re
from functools import cache

import nh3
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
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render(text: str) -> str:
    """Markdown (raw HTML allowed in, but sanitised out) → safe HTML."""
    html = _md().render(text)
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
