"""Staff-written Markdown must never carry script into an owner's browser."""

from __future__ import annotations

import re

import pytest

from portal.site.markdown import render
from tests.support.markdown_corpus import XSS_PAYLOADS

FORBIDDEN = [
    re.compile(
        r"<\s*(script|iframe|object|embed|form|meta|style|link|base|svg|math|input|"
        r"body|details|video|source|marquee|template|noscript)\b",
        re.I,
    ),
    re.compile(r"\son[a-z]+\s*=", re.I),
    re.compile(r"(href|src|action)\s*=\s*\"\s*(javascript|vbscript|data):", re.I),
    re.compile(r"\sstyle\s*=", re.I),
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_is_neutralised(payload: str) -> None:
    html = render(f"正文开始\n\n{payload}\n\n正文结束")
    for pattern in FORBIDDEN:
        assert not pattern.search(html), (payload, html)
    assert "正文开始" in html
    # An unclosed raw-text element (<style>) swallows the rest: safe, so allowed.
    if not ("<style>" in payload and "</style>" not in payload):
        assert "正文结束" in html


def test_ordinary_markdown_survives_sanitising() -> None:
    html = render("# 标题\n\n**加粗** [链接](https://example.cn) [电话](tel:073188881234)\n\n"
                  "| 项目 | 金额 |\n|---|---|\n| 物业费 | 2.80 |\n")  # fmt: skip
    assert "<h2>标题</h2>" in html and "<strong>加粗</strong>" in html
    assert 'href="https://example.cn"' in html and 'href="tel:073188881234"' in html
    assert "<table>" in html and "<td>物业费</td>" in html
    assert 'rel="noopener noreferrer"' in html


def test_pasted_font_and_span_tags_keep_their_text_but_lose_their_styling() -> None:
    html = render('<font color="red">请注意</font><span style="color:red">停水</span>')
    assert "请注意" in html and "停水" in html and "<font" not in html and "style" not in html
