"""The compiled Markdown renderer gives the pages markdown-it-py gave.

markdown-it-pyrs renders the notices; markdown-it-py, whose rules it ports, is the
reference. After sanitising, both must give the same HTML on every body of the
demo content, on generated notices, on the constructs staff use and on the XSS
corpus; where the compiled renderer panics, the reference renders the document.
"""

from __future__ import annotations

import re

import pytest

from portal import ROOT
from portal.site import markdown
from tests.support.markdown_corpus import CONSTRUCTS, XSS_PAYLOADS, notices

PANICS = ["![alt `code` x`", "正文\n\n![图 `代码` 说明`\n\n结束"]
"""Input on which markdown-it-pyrs 0.4.0 panics (an index out of bounds in its code spans)."""


def _reference(text: str) -> str:
    html = re.sub(r"<(/?)h1>", r"<\1h2>", markdown.reference_html(text))
    return markdown.sanitise(html)


def _bodies() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "site" / "content").rglob("*.md")):
        if path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
        out.append((path.relative_to(ROOT).as_posix(), body))
    return out


def test_demo_content_bodies_render_the_same_as_with_markdown_it_py() -> None:
    bodies = _bodies()
    assert len(bodies) > 60
    for rel, body in bodies:
        assert markdown.render(body) == _reference(body), rel


def test_generated_notices_render_the_same_as_with_markdown_it_py() -> None:
    for body in notices(300):
        assert markdown.render(body) == _reference(body), body


@pytest.mark.parametrize("text", CONSTRUCTS + XSS_PAYLOADS)
def test_construct_renders_the_same_as_with_markdown_it_py(text: str) -> None:
    wrapped = f"正文开始\n\n{text}\n\n正文结束"
    assert markdown.render(wrapped) == _reference(wrapped)


@pytest.mark.parametrize("text", PANICS)
def test_a_document_the_compiled_renderer_panics_on_is_rendered_by_the_reference(
    text: str,
) -> None:
    with pytest.raises(BaseException, match="index out of bounds"):
        markdown._fast().render(text, xhtml=False)
    assert markdown.render(text) == _reference(text)


def test_the_compiled_renderer_renders_notices_without_the_reference() -> None:
    markdown._md.cache_clear()
    markdown.render(notices(1)[0])
    assert markdown._md.cache_info().currsize == 0  # the reference was never built
